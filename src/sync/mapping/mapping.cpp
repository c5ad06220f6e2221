#include "sync/mapping/mapping.h"

#include <algorithm>
#include <set>

namespace liaison::sync {
namespace {

// Column names a table commonly uses for each CC field, in order of preference.
struct DefaultPair {
  const char* cc;
  std::vector<const char*> columns;
};

const std::vector<DefaultPair>& defaultPairs() {
  static const std::vector<DefaultPair> pairs = {
      {"email", {"email", "email_address", "e_mail", "mail"}},
      {"first_name", {"first_name", "firstname", "given_name"}},
      {"last_name", {"last_name", "lastname", "surname", "family_name"}},
      {"job_title", {"job_title", "title"}},
      {"company_name", {"company_name", "company", "organization"}},
      {"phone:mobile", {"mobile_phone", "mobile", "phone"}},
      {"phone:home", {"home_phone"}},
      {"phone:work", {"work_phone"}},
      {"address:home.street", {"street", "address"}},
      {"address:home.city", {"city"}},
      {"address:home.state", {"state", "region"}},
      {"address:home.postal_code", {"postal_code", "zip", "zip_code", "postcode"}},
      {"address:home.country", {"country"}},
      {"birthday", {"birthday"}},
      {"anniversary", {"anniversary"}},
      {"lists", {"lists"}},
      {"tags", {"tags"}},
  };
  return pairs;
}

// The columns a new CSV file gets when the sync writes it first.
const std::vector<std::string> kNewFileColumns = {
    "email", "first_name",  "last_name", "job_title", "company_name", "mobile_phone", "street", "city",
    "state", "postal_code", "country",   "birthday",  "anniversary",  "lists",        "tags"};

std::set<std::string> reservedColumns(const SyncDefinition& d) {
  std::set<std::string> reserved;
  for (const std::string* name :
       {&d.b.updated_at, &d.unsubscribes.column, &d.deletions.column, &d.deletions.mark_column}) {
    if (!name->empty()) reserved.insert(*name);
  }
  if (d.b.type == SideType::Sql) reserved.insert(d.b.key);
  return reserved;
}

}  // namespace

const std::vector<std::string>& newFileColumns() { return kNewFileColumns; }

std::vector<MappingEntry> defaultMapping(const SyncDefinition& d, const Catalog& a, const Catalog& b) {
  std::vector<MappingEntry> mapping;
  if (b.kind() == SideType::Cc) {
    for (const auto& field : a.fields()) {
      if (b.find(field.name) && field.name.rfind("list:", 0) != 0)
        mapping.push_back({{field.name}, field.name, {}, {}, {}});
    }
    return mapping;
  }
  auto reserved = reservedColumns(d);
  bool new_file = b.kind() == SideType::Csv && b.fields().empty();
  auto column = [&](const std::vector<const char*>& names) -> std::string {
    for (const char* name : names) {
      if (reserved.count(name) != 0) continue;
      if (new_file ? std::find(kNewFileColumns.begin(), kNewFileColumns.end(), std::string_view(name)) !=
                         kNewFileColumns.end()
                   : std::any_of(b.fields().begin(), b.fields().end(),
                                 [&](const FieldSpec& f) { return f.name == name; })) {
        return name;
      }
    }
    return {};
  };
  std::string full_name = column({"full_name", "name", "fullname", "display_name"});
  bool split_names = !full_name.empty() && column({"first_name", "firstname", "given_name"}).empty();
  for (const auto& pair : defaultPairs()) {
    std::string_view cc = pair.cc;
    if (split_names && cc == "first_name") {
      mapping.push_back({{"first_name", "last_name"}, full_name, {}, {}, {}});
      continue;
    }
    if (split_names && cc == "last_name") continue;
    std::string name = column(pair.columns);
    if (!name.empty() && a.has(cc)) mapping.push_back({{std::string(cc)}, name, {}, {}, {}});
  }
  return mapping;
}

std::variant<ResolvedMapping, Problems> resolveMapping(const SyncDefinition& d, const Catalog& a,
                                                       const Catalog& b) {
  Problems problems;
  ResolvedMapping resolved;
  std::vector<MappingEntry> entries = d.mapping.empty() ? defaultMapping(d, a, b) : d.mapping;
  auto reserved = b.kind() == SideType::Cc ? std::set<std::string>{} : reservedColumns(d);
  std::set<std::string> used_a, used_b;
  for (size_t i = 0; i < entries.size(); ++i) {
    const MappingEntry& entry = entries[i];
    std::string path = "mapping[" + std::to_string(i) + "]";
    ResolvedEntry out;
    out.too_long = entry.too_long;
    bool ok = true;
    for (const auto& name : entry.a) {
      auto spec = a.find(name);
      if (!spec) {
        problems.push_back({path + ".a", name, "is not a field of side a (CC)"});
        ok = false;
      } else if (!used_a.insert(name).second) {
        problems.push_back({path + ".a", name, "is mapped twice"});
        ok = false;
      } else {
        out.a.push_back(*spec);
      }
    }
    auto b_spec = b.find(entry.b);
    if (!b_spec) {
      problems.push_back(
          {path + ".b", entry.b,
           b.kind() == SideType::Cc ? "is not a field of side b (CC)" : "is not a column of side b"});
      continue;
    }
    if (reserved.count(entry.b) != 0) {
      problems.push_back(
          {path + ".b", entry.b, "is the sync's own column (key, change time, unsubscribes or deletions)"});
      continue;
    }
    if (!used_b.insert(entry.b).second) {
      problems.push_back({path + ".b", entry.b, "is mapped twice"});
      continue;
    }
    if (!ok) continue;
    out.b = *b_spec;
    if (entry.b_type) {
      out.b.type = *entry.b_type;
      out.b.untyped = false;
    }
    if (out.isName()) {
      for (const auto& part : out.a) {
        if (part.type != FieldType::Text)
          problems.push_back({path + ".a", part.name, "a name part must be a text field"});
      }
      if (!out.b.untyped && out.b.type != FieldType::Text) {
        problems.push_back({path + ".b", entry.b, "a full name must be a text column"});
      }
      out.direction = entry.direction.value_or(Direction::Both);
      resolved.entries.push_back(std::move(out));
      continue;
    }
    bool ab = canCarry(out.a[0], out.b), ba = canCarry(out.b, out.a[0]);
    Direction asked = entry.direction.value_or(Direction::Both);
    bool want_ab = asked != Direction::BToA, want_ba = asked != Direction::AToB;
    if ((!want_ab || !ab) && (!want_ba || !ba)) {
      problems.push_back(
          {path, out.a[0].name + " ↔ " + out.b.name,
           "refused: " + (want_ab ? whyNotCarried(out.a[0], out.b) : whyNotCarried(out.b, out.a[0]))});
      continue;
    }
    if (want_ab && want_ba && !(ab && ba)) {
      out.direction = ab ? Direction::AToB : Direction::BToA;
      out.note = std::string("narrowed to ") + toString(out.direction) + ": " +
                 (ab ? whyNotCarried(out.b, out.a[0]) : whyNotCarried(out.a[0], out.b));
    } else {
      out.direction = asked;
    }
    if (out.a[0].name == "email") resolved.email = static_cast<int>(resolved.entries.size());
    resolved.entries.push_back(std::move(out));
  }
  if (resolved.email < 0 && problems.empty()) {
    problems.push_back({"mapping", "", "must map CC's email field: contacts are matched by email address"});
  }
  if (b.kind() != SideType::Cc) {
    for (const std::string* column :
         {&d.unsubscribes.column, &d.deletions.column, &d.deletions.mark_column}) {
      if (!column->empty() && !b.has(*column))
        problems.push_back({"b", *column, "is not a column of side b"});
    }
    if (d.deletions.from_a == DeletionAction::SoftDelete && d.deletions.column.empty()) {
      problems.push_back({"deletions.column", "", "is required when from_a is soft_delete"});
    }
    if (d.deletions.from_a == DeletionAction::Mark && d.deletions.mark_column.empty()) {
      problems.push_back({"deletions.mark_column", "", "is required when from_a is mark"});
    }
  }
  if (d.deletions.from_b == DeletionAction::Mark && d.deletions.mark_tag.empty()) {
    problems.push_back({"deletions.mark_tag", "", "is required when from_b is mark"});
  }
  if (!problems.empty()) return problems;
  return resolved;
}

}  // namespace liaison::sync
