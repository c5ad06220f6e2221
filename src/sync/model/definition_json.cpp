#include "sync/model/definition_json.h"

#include <cmath>
#include <initializer_list>
#include <utility>

#include "core/json_fields.h"

namespace liaison::sync {
namespace {

using nlohmann::json;

// A value as a problem may show it: shortened, and a URL without its password.
std::string shown(const json& value) {
  std::string text = value.is_string() ? redactUrl(value.get<std::string>()) : value.dump();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

// Reads one JSON object, noting every problem instead of stopping at the first.
class Reader {
 public:
  Reader(const json* object, std::string path, Problems& problems)
      : object_(object), path_(std::move(path)), problems_(problems) {}

  std::string path(std::string_view name) const {
    return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
  }
  void problem(std::string_view name, const json& value, std::string why) {
    problems_.push_back({path(name), shown(value), std::move(why)});
  }
  const json* find(std::string_view name) const {
    if (object_ == nullptr) return nullptr;
    auto it = object_->find(std::string(name));
    return it == object_->end() || it->is_null() ? nullptr : &*it;
  }

  void onlyKeys(std::initializer_list<std::string_view> known) {
    if (object_ == nullptr) return;
    for (const auto& [key, value] : object_->items()) {
      bool ok = false;
      for (auto name : known) ok = ok || key == name;
      if (!ok) problem(key, value, "is not a known field here");
    }
  }

  std::string text(std::string_view name, bool required, std::string fallback = {}, size_t max = 2000) {
    const json* value = find(name);
    if (value == nullptr) {
      if (required) problems_.push_back({path(name), "", "is required"});
      return fallback;
    }
    if (!value->is_string()) {
      problem(name, *value, "must be a string");
      return fallback;
    }
    const auto& s = value->get_ref<const std::string&>();
    if (auto why = textProblem(s, TextRule{max, false, !required})) {
      problem(name, *value, *why);
      return fallback;
    }
    return s;
  }

  template <typename Enum>
  Enum choice(std::string_view name, Enum fallback, std::initializer_list<Enum> options) {
    const json* value = find(name);
    if (value == nullptr) return fallback;
    std::string allowed;
    for (Enum option : options) {
      if (value->is_string() && value->get_ref<const std::string&>() == toString(option)) return option;
      allowed += (allowed.empty() ? "" : ", ") + std::string(toString(option));
    }
    problem(name, *value, "must be one of " + allowed);
    return fallback;
  }

  double number(std::string_view name, double fallback, double min, double max) {
    const json* value = find(name);
    if (value == nullptr) return fallback;
    if (!value->is_number() || value->get<double>() < min || value->get<double>() > max) {
      problem(name, *value, "must be a number from " + shown(json(min)) + " to " + shown(json(max)));
      return fallback;
    }
    return value->get<double>();
  }

  bool flag(std::string_view name, bool fallback) {
    const json* value = find(name);
    if (value == nullptr) return fallback;
    if (!value->is_boolean()) {
      problem(name, *value, "must be true or false");
      return fallback;
    }
    return value->get<bool>();
  }

  // A nested object: nullptr when absent (or not an object, which is noted).
  const json* object(std::string_view name, bool required = false) {
    const json* value = find(name);
    if (value == nullptr) {
      if (required) problems_.push_back({path(name), "", "is required"});
      return nullptr;
    }
    if (!value->is_object()) {
      problem(name, *value, "must be an object");
      return nullptr;
    }
    return value;
  }

  Problems& problems() { return problems_; }

 private:
  const json* object_;
  std::string path_;
  Problems& problems_;
};

// "90", 90, "30s", "15m", "2h", "1d" → seconds; 0 when not a duration.
int64_t durationSeconds(const json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (!value.is_string()) return 0;
  const auto& s = value.get_ref<const std::string&>();
  int64_t number = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9' && number < 1'000'000'000; ++i)
    number = number * 10 + (s[i] - '0');
  if (i == 0) return 0;
  std::string_view unit = std::string_view(s).substr(i);
  if (unit.empty() || unit == "s") return number;
  if (unit == "m") return number * 60;
  if (unit == "h") return number * 3600;
  if (unit == "d") return number * 86400;
  return 0;
}

SideSpec readSide(Reader& parent, std::string_view name, bool must_be_cc) {
  SideSpec side;
  const json* object = parent.object(name, true);
  if (object == nullptr) return side;
  Reader r(object, parent.path(name), parent.problems());
  side.type = r.choice("type", SideType::Cc, {SideType::Cc, SideType::Sql, SideType::Csv});
  if (must_be_cc && side.type != SideType::Cc)
    r.problem("type", object->at("type"), "side a is always a CC connection (cc)");
  switch (side.type) {
    case SideType::Cc: {
      r.onlyKeys({"type", "connection_id", "filter"});
      side.connection_id = r.text("connection_id", true, {}, 200);
      if (const json* filter = r.object("filter")) {
        Reader f(filter, r.path("filter"), r.problems());
        f.onlyKeys({"all", "lists"});
        const json* lists = f.find("lists");
        bool all = f.flag("all", lists == nullptr);
        if (lists != nullptr) {
          if (!lists->is_array() || lists->empty() || lists->size() > 25) {
            f.problem("lists", *lists, "must be an array of 1 to 25 list names or ids");
          } else {
            for (const auto& list : *lists) {
              if (!list.is_string() || list.get_ref<const std::string&>().empty() ||
                  list.get_ref<const std::string&>().size() > 255) {
                f.problem("lists", list, "must hold list names or ids (text of 1 to 255 characters)");
              } else {
                side.filter.lists.push_back(list.get<std::string>());
              }
            }
          }
          if (all) f.problem("all", *filter->find("all"), "cannot be true together with lists");
        } else if (!all) {
          f.problem("all", *filter->find("all"), "false needs lists");
        }
        side.filter.all = lists == nullptr;
      }
      break;
    }
    case SideType::Sql:
      r.onlyKeys({"type", "url", "table", "key", "updated_at", "where"});
      side.url = r.text("url", true);
      if (redactUrl(side.url) != side.url) {
        // A password would be stored with the definition: libpq reads it from ~/.pgpass instead.
        r.problem("url", json(side.url), "must not hold a password: put it in the hub's ~/.pgpass (or PGPASSFILE)");
      }
      side.table = r.text("table", true, {}, 200);
      side.key = r.text("key", false, "id", 200);
      side.updated_at = r.text("updated_at", false, {}, 200);
      side.where = r.text("where", false);
      if (side.where.find(';') != std::string::npos)
        r.problem("where", json(side.where), "must be one condition (no ';')");
      break;
    case SideType::Csv:
      r.onlyKeys({"type", "path", "key", "delimiter", "encoding"});
      side.path = r.text("path", true, {}, 4096);
      side.key = r.text("key", false, {}, 200);
      side.delimiter = r.text("delimiter", false, {}, 1);
      side.encoding = r.text("encoding", false);
      if (!side.encoding.empty() && side.encoding != "utf-8" && side.encoding != "utf-16le" &&
          side.encoding != "utf-16be" && side.encoding != "windows-1252" && side.encoding != "latin-1") {
        r.problem("encoding", json(side.encoding),
                  "must be one of utf-8, utf-16le, utf-16be, windows-1252, latin-1");
      }
      break;
  }
  return side;
}

std::vector<MappingEntry> readMapping(const json& array, Problems& problems) {
  std::vector<MappingEntry> mapping;
  if (!array.is_array() || array.size() > 200) {
    problems.push_back({"mapping", shown(array), "must be an array of at most 200 field pairs"});
    return mapping;
  }
  for (size_t i = 0; i < array.size(); ++i) {
    std::string path = "mapping[" + std::to_string(i) + "]";
    if (!array[i].is_object()) {
      problems.push_back({path, shown(array[i]), "must be an object {\"a\": ..., \"b\": ...}"});
      continue;
    }
    Reader r(&array[i], path, problems);
    r.onlyKeys({"a", "b", "type", "direction", "too_long"});
    MappingEntry entry;
    const json* a = r.find("a");
    if (a != nullptr && a->is_string() && !a->get_ref<const std::string&>().empty()) {
      entry.a.push_back(a->get<std::string>());
    } else if (a != nullptr && a->is_array() && a->size() == 2 && (*a)[0].is_string() &&
               (*a)[1].is_string()) {
      entry.a = {(*a)[0].get<std::string>(), (*a)[1].get<std::string>()};
    } else {
      problems.push_back(
          {r.path("a"), a ? shown(*a) : "", "must be a field name, or [first, last] name fields"});
    }
    entry.b = r.text("b", true, {}, 200);
    if (const json* type = r.find("type")) {
      entry.b_type = type->is_string() ? fieldTypeNamed(type->get_ref<const std::string&>()) : std::nullopt;
      if (!entry.b_type) {
        r.problem("type", *type,
                  "must be one of text, email, phone, date, number, boolean, choice, list_membership");
      }
    }
    if (r.find("direction") != nullptr) {
      entry.direction =
          r.choice("direction", Direction::Both, {Direction::Both, Direction::AToB, Direction::BToA});
    }
    entry.too_long = r.choice("too_long", TooLong::Skip, {TooLong::Skip, TooLong::Truncate});
    mapping.push_back(std::move(entry));
  }
  return mapping;
}

}  // namespace

std::variant<SyncDefinition, Problems> parseDefinition(const json& document) {
  Problems problems;
  SyncDefinition d;
  if (!document.is_object()) return Problems{{"", shown(document), "must be a JSON object"}};
  Reader r(&document, "", problems);
  r.onlyKeys({"name", "a", "b", "mapping", "unsubscribes", "deletions", "conflicts", "guard", "interval"});
  d.name = r.text("name", true, {}, 200);
  d.a = readSide(r, "a", true);
  d.b = readSide(r, "b", false);
  if (const json* mapping = r.find("mapping")) d.mapping = readMapping(*mapping, problems);

  if (const json* object = r.object("unsubscribes")) {
    Reader u(object, "unsubscribes", problems);
    u.onlyKeys({"column", "format"});
    d.unsubscribes.column = u.text("column", false, {}, 200);
    d.unsubscribes.format = u.choice("format", UnsubscribeRule::Format::Boolean,
                                     {UnsubscribeRule::Format::Boolean, UnsubscribeRule::Format::Timestamp});
  }
  if (const json* object = r.object("deletions")) {
    Reader del(object, "deletions", problems);
    del.onlyKeys({"from_a", "from_b", "column", "mark_column", "mark_tag"});
    auto actions = {DeletionAction::Ignore, DeletionAction::Mark, DeletionAction::SoftDelete};
    d.deletions.from_a = del.choice("from_a", DeletionAction::Ignore, actions);
    d.deletions.from_b = del.choice("from_b", DeletionAction::Ignore, actions);
    d.deletions.column = del.text("column", false, {}, 200);
    d.deletions.mark_column = del.text("mark_column", false, {}, 200);
    d.deletions.mark_tag = del.text("mark_tag", false, {}, 255);
  }
  if (const json* object = r.object("conflicts")) {
    Reader c(object, "conflicts", problems);
    c.onlyKeys({"policy", "fields", "empty_wins"});
    auto policies = {ConflictPolicy::LastWriterWins, ConflictPolicy::AWins, ConflictPolicy::BWins};
    d.conflicts.policy = c.choice("policy", ConflictPolicy::LastWriterWins, policies);
    d.conflicts.empty_wins = c.flag("empty_wins", false);
    if (const json* fields = c.object("fields")) {
      Reader f(fields, "conflicts.fields", problems);
      for (const auto& [field, value] : fields->items()) {
        d.conflicts.fields[field] = f.choice(field, ConflictPolicy::LastWriterWins, policies);
      }
    }
  }
  if (const json* object = r.object("guard")) {
    Reader g(object, "guard", problems);
    g.onlyKeys({"count", "percent"});
    d.guard.count = static_cast<int64_t>(g.number("count", 50, 0, 1e9));
    d.guard.percent = g.number("percent", 5, 0, 100);
  }
  if (const json* interval = r.find("interval")) {
    d.interval_seconds = durationSeconds(*interval);
    if (d.interval_seconds < 60 || d.interval_seconds > 30 * 86400) {
      r.problem("interval", *interval, "must be a duration from 60 s to 30 days (\"15m\", \"1h\", seconds)");
      d.interval_seconds = 3600;
    }
  }
  if (!problems.empty()) return problems;
  return d;
}

std::variant<SyncDefinition, Problems> patchDefinition(const SyncDefinition& current, const json& patch) {
  if (!patch.is_object()) return Problems{{"", shown(patch), "must be a JSON object"}};
  json merged = toJson(current);
  for (const auto& [key, value] : patch.items()) merged[key] = value;
  return parseDefinition(merged);
}

json sideJson(const SideSpec& side) {
  json out = {{"type", toString(side.type)}};
  switch (side.type) {
    case SideType::Cc:
      out["connection_id"] = side.connection_id;
      out["filter"] = side.filter.all ? json{{"all", true}} : json{{"lists", side.filter.lists}};
      break;
    case SideType::Sql:
      out["url"] = redactUrl(side.url);
      out["table"] = side.table;
      out["key"] = side.key;
      if (!side.updated_at.empty()) out["updated_at"] = side.updated_at;
      if (!side.where.empty()) out["where"] = side.where;
      break;
    case SideType::Csv:
      out["path"] = side.path;
      if (!side.key.empty()) out["key"] = side.key;
      if (!side.delimiter.empty()) out["delimiter"] = side.delimiter;
      if (!side.encoding.empty()) out["encoding"] = side.encoding;
      break;
  }
  return out;
}

json toJson(const SyncDefinition& d) {
  json mapping = json::array();
  for (const auto& entry : d.mapping) {
    json e = {{"a", entry.a.size() == 1 ? json(entry.a[0]) : json(entry.a)}, {"b", entry.b}};
    if (entry.b_type) e["type"] = toString(*entry.b_type);
    if (entry.direction) e["direction"] = toString(*entry.direction);
    e["too_long"] = toString(entry.too_long);
    mapping.push_back(std::move(e));
  }
  json fields = json::object();
  for (const auto& [field, policy] : d.conflicts.fields) fields[field] = toString(policy);
  json out = {
      {"name", d.name},
      {"a", sideJson(d.a)},
      {"b", sideJson(d.b)},
      {"unsubscribes", {{"column", d.unsubscribes.column}, {"format", toString(d.unsubscribes.format)}}},
      {"deletions",
       {{"from_a", toString(d.deletions.from_a)},
        {"from_b", toString(d.deletions.from_b)},
        {"column", d.deletions.column},
        {"mark_column", d.deletions.mark_column},
        {"mark_tag", d.deletions.mark_tag}}},
      {"conflicts",
       {{"policy", toString(d.conflicts.policy)},
        {"fields", fields},
        {"empty_wins", d.conflicts.empty_wins}}},
      {"guard", {{"count", d.guard.count}, {"percent", d.guard.percent}}},
      {"interval", d.interval_seconds},
  };
  if (!d.mapping.empty()) out["mapping"] = std::move(mapping);
  return out;
}

std::string redactUrl(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto at = url.find('@', scheme + 3);
  auto slash = url.find('/', scheme + 3);
  std::string out = url;
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    auto colon = url.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) out = url.substr(0, colon + 1) + "***" + url.substr(at);
  }
  for (std::string_view key : {"password=", "PASSWORD="}) {
    auto p = out.find(key);
    if (p == std::string::npos) continue;
    auto end = out.find('&', p);
    out = out.substr(0, p + key.size()) + "***" + (end == std::string::npos ? "" : out.substr(end));
  }
  return out;
}

}  // namespace liaison::sync
