#include "sync/connectors/cc_writes.h"

#include <algorithm>
#include <unordered_map>

#include "core/encoding.h"
#include "sync/connectors/cc_contact_json.h"

namespace liaison::sync {

using nlohmann::json;

namespace {

constexpr size_t kPhonesMax = 3;

std::string joined(const Items& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "'" : ", '") + item + "'";
  return out;
}

}  // namespace

CcWriter::CcWriter(const CcWriteSetup& setup, const std::vector<Write>& writes,
                   const std::vector<Record>& current)
    : s_(setup), writes_(writes) {
  current_.reserve(current.size());
  for (const auto& record : current) current_[record.id] = &record;
  targets_.reserve(writes.size());
}

Result<CcApplyResult> CcWriter::run() {
  const int64_t calls_before = s_.client.calls();
  gather();
  if (auto fetched = fetchMissing(); !fetched) return fetched.error();
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (targets_[i].dropped) continue;
    if (auto classified = classify(i); !classified) return classified.error();
  }
  groupUpdateRows();
  if (auto swept = dropDeleted(); !swept) return swept.error();
  // PUTs first: an unsubscribe lands before any list activity runs; then imports (their
  // read-back gives the ids the tag activities of new contacts need); then the activities.
  if (auto done = putAndPost(); !done) return done.error();
  if (auto done = imports(); !done) return done.error();
  if (auto done = activities(); !done) return done.error();
  result_.calls = s_.client.calls() - calls_before;
  result_.fewest_calls = fewest_;
  return std::move(result_);
}

void CcWriter::fail(const Target& t, const std::string& reason) { failWrites(t.indexes, reason); }

void CcWriter::failWrites(const std::vector<size_t>& writes, const std::string& reason) {
  for (size_t i : writes) result_.failed.emplace_back(i, reason);
}

void CcWriter::gather() {
  std::unordered_map<std::string_view, size_t> by_id;  // keyed by the writes' own ids
  by_id.reserve(writes_.size());
  for (size_t i = 0; i < writes_.size(); ++i) {
    const Write& w = writes_[i];
    if (w.kind == Write::Kind::Delete) {
      if (w.id.empty()) result_.failed.emplace_back(i, "a delete names no contact");
      if (!w.id.empty()) deletes_.emplace_back(w.id, i);
      continue;
    }
    const bool create = w.kind == Write::Kind::Create;
    if (!create && w.id.empty()) {
      result_.failed.emplace_back(i, "a write names no contact");
      continue;
    }
    size_t at = targets_.size();
    if (create) {
      targets_.emplace_back().create = true;
    } else if (auto [it, added] = by_id.emplace(w.id, at); added) {
      targets_.emplace_back().id = w.id;
    } else {
      at = it->second;  // the same contact again: one merged change, not two PUTs
    }
    Target& t = targets_[at];
    t.indexes.push_back(i);
    // A create may carry an unsubscribe too (consent from another CC account): made unsubscribed.
    t.unsubscribe = t.unsubscribe || w.kind == Write::Kind::Unsubscribe || w.unsubscribed;
    for (const auto& [name, value] : w.values) {
      if (name.rfind("list:", 0) == 0 && name.size() > 5) {
        (value == "1" ? t.add_lists : t.remove_lists).insert(name.substr(5));
      } else if (!isCcTextField(name)) {
        result_.failed.emplace_back(i, "'" + name + "' is not a CC contact field");
      } else if (name.rfind("cf:", 0) == 0 &&
                 s_.catalogue.fieldId(std::string_view(name).substr(3)).empty()) {
        result_.failed.emplace_back(i, "the CC account has no custom field '" + name.substr(3) + "'");
      } else if (name == "birthday" && !value.empty() && !birthdayParts(value)) {
        result_.failed.emplace_back(i, "birthday '" + value + "' is not --MM-DD");
      } else {
        t.values[name] = value;
      }
    }
    for (const auto& [field, items] : w.add) {
      if (field != "lists" && field != "tags")
        result_.failed.emplace_back(i, "'" + field + "' is not a CC set");
      (field == "lists" ? t.add_lists : t.add_tags).insert(items.begin(), items.end());
    }
    for (const auto& [field, items] : w.remove) {
      if (field != "lists" && field != "tags")
        result_.failed.emplace_back(i, "'" + field + "' is not a CC set");
      (field == "lists" ? t.remove_lists : t.remove_tags).insert(items.begin(), items.end());
    }
  }
}

Result<std::string> CcWriter::listIdFor(const std::string& name_or_id, bool create) {
  if (auto it = list_ids_.find(name_or_id); it != list_ids_.end()) return it->second;
  std::string id = s_.catalogue.listId(name_or_id);
  if (id.empty() && create) {
    const int64_t before = s_.client.calls();
    auto made = s_.catalogue.ensureList(s_.client, name_or_id);
    fewest_ += s_.client.calls() - before;
    if (!made) return made.error();
    id = made->id;
    if (id.empty()) name_failures_["list:" + name_or_id] = made->failure;
  }
  if (!id.empty() || create) list_ids_[name_or_id] = id;  // a lookup may yet be made by a later add
  return id;
}

Result<std::string> CcWriter::tagIdFor(const std::string& name_or_id, bool create) {
  if (auto it = tag_ids_.find(name_or_id); it != tag_ids_.end()) return it->second;
  std::string id = s_.catalogue.tagId(name_or_id);
  if (id.empty() && create) {
    const int64_t before = s_.client.calls();
    auto made = s_.catalogue.ensureTag(s_.client, name_or_id);
    fewest_ += s_.client.calls() - before;
    if (!made) return made.error();
    id = made->id;
    if (id.empty()) name_failures_["tag:" + name_or_id] = made->failure;
  }
  if (!id.empty() || create) tag_ids_[name_or_id] = id;
  return id;
}

Status CcWriter::classifyCreate(Target& t, size_t index) {
  for (const auto& [name, value] : t.values) {
    if (!value.empty()) t.changes[name] = value;
  }
  const std::string email = t.changes.count("email") ? t.changes.at("email") : "";
  if (email.empty()) {
    fail(t, "a new contact needs an email address");
    t.dropped = true;
    return okStatus();
  }
  // Into the sync's scope: the filter's lists, or the import list when the sync takes all.
  IdSet lists(s_.filter_ids.begin(), s_.filter_ids.end());
  Items adds = t.add_lists;
  if (s_.options.filter.all && !s_.options.import_list.empty()) adds.insert(s_.options.import_list);
  if (t.unsubscribe) {
    // CC never puts an unsubscribed contact on a list; it is made outside the lists.
    if (!t.add_lists.empty())
      fail(t, "the new contact is unsubscribed: not added to list(s) " + joined(t.add_lists));
    lists.clear();
    adds.clear();
  }
  for (const auto& name : adds) {
    auto id = listIdFor(name, true);
    if (!id) return id.error();
    if (id->empty()) fail(t, name_failures_["list:" + name]);
    if (!id->empty()) lists.insert(*id);
  }
  for (const auto& name : t.add_tags) {
    auto id = tagIdFor(name, true);
    if (!id) return id.error();
    if (id->empty()) fail(t, name_failures_["tag:" + name]);
    if (!id->empty()) t.tags_to_add.insert(*id);
  }
  // An import names at least one list and keys rows by an address of at most 50 characters;
  // anything else is made one at a time.
  if (t.unsubscribe || lists.empty() || email.size() > kImportEmailMax) {
    t.lists_to_add = std::move(lists);
    posts_.push_back(index);
  } else {
    queueRow(index, importColumns(t.changes), {}, lists);
  }
  return okStatus();
}

Status CcWriter::classify(size_t index) {
  Target& t = targets_[index];
  if (t.create) return classifyCreate(t, index);
  const Record* cur = t.current;
  t.unsubscribed = t.unsubscribe || (cur && cur->unsubscribed);
  const bool unsubscribe_now = t.unsubscribe && cur && !cur->unsubscribed;
  for (const auto& [name, value] : t.values) {
    const std::string& now = cur ? cur->field(name) : value;
    if (now != value && !(name == "email" && iequals(now, value))) t.changes[name] = value;
  }
  IdSet in_lists, in_tags;
  if (cur) {
    for (const bool lists : {true, false}) {
      auto it = cur->sets.find(lists ? "lists" : "tags");
      if (it == cur->sets.end()) continue;
      for (const auto& name : it->second) {
        auto id = lists ? listIdFor(name, false) : tagIdFor(name, false);
        if (!id) return id.error();
        if (!id->empty()) (lists ? in_lists : in_tags).insert(*id);
      }
    }
  }
  if (t.unsubscribed && !t.add_lists.empty()) {
    fail(t, "contact " + t.id + " is unsubscribed: not added to list(s) " + joined(t.add_lists));
  }
  for (const auto& name : t.unsubscribed ? Items{} : t.add_lists) {
    auto id = listIdFor(name, true);
    if (!id) return id.error();
    if (id->empty()) fail(t, name_failures_["list:" + name]);
    if (!id->empty() && !in_lists.count(*id)) t.lists_to_add.insert(*id);
  }
  for (const auto& name : t.remove_lists) {
    auto id = listIdFor(name, false);
    if (!id) return id.error();
    if (!id->empty() && (!cur || t.believed || in_lists.count(*id))) t.lists_to_remove.insert(*id);
  }
  for (const auto& name : t.add_tags) {
    auto id = tagIdFor(name, true);
    if (!id) return id.error();
    if (id->empty()) fail(t, name_failures_["tag:" + name]);
    if (!id->empty() && !in_tags.count(*id)) t.tags_to_add.insert(*id);
  }
  for (const auto& name : t.remove_tags) {
    auto id = tagIdFor(name, false);
    if (!id) return id.error();
    if (!id->empty() && (!cur || t.believed || in_tags.count(*id))) t.tags_to_remove.insert(*id);
  }
  if (unsubscribe_now || (!t.changes.empty() && needsPut(t))) {
    puts_.push_back(index);
    return okStatus();
  }
  if (t.changes.empty()) return okStatus();
  // An import may name the lists the contact is in and stays in, or joins now: naming any
  // other would put it back on a list it left. In none of them: a PUT.
  IdSet candidates = t.lists_to_add;
  for (const auto& id : in_lists) {
    if (!t.lists_to_remove.count(id)) candidates.insert(id);
  }
  if (t.believed) {
    // Which lists the contact is in now is unknown: the import names the update list only.
    if (update_list_id_.empty()) {
      auto id = listIdFor(s_.options.update_list, true);
      if (!id) return id.error();
      if (id->empty()) {
        fail(t, name_failures_["list:" + s_.options.update_list]);
        return okStatus();
      }
      update_list_id_ = *id;
    }
    candidates = {update_list_id_};
  }
  if (candidates.empty()) {
    puts_.push_back(index);
    return okStatus();
  }
  json columns = importColumns(t.changes);
  // An import replaces an address of a kind whole: its parts that do not change go along.
  Fields kept;
  for (const auto& [name, value] : t.changes) {
    if (name.rfind("address:", 0) != 0) continue;
    const std::string prefix = name.substr(0, name.find('.') + 1);
    for (auto it = cur->text.lower_bound(prefix); it != cur->text.end() && it->first.rfind(prefix, 0) == 0;
         ++it) {
      if (!t.changes.count(it->first)) kept[it->first] = it->second;
    }
  }
  columns.update(importColumns(kept));
  columns["email"] = cur->field("email");
  queueRow(index, std::move(columns), std::move(candidates), {});
  return okStatus();
}

// What an import cannot do: clear a value, change the address it is keyed by, or replace a
// phone number (it adds numbers, up to three, and skips one the contact already has).
bool CcWriter::needsPut(const Target& t) const {
  const Record* cur = t.current;
  if (!cur || cur->field("email").empty() || cur->field("email").size() > kImportEmailMax) return true;
  std::vector<std::string> numbers;
  for (auto it = cur->text.lower_bound("phone:"); it != cur->text.end() && it->first.rfind("phone:", 0) == 0;
       ++it) {
    numbers.push_back(it->second);
  }
  for (const auto& [name, value] : t.changes) {
    if (value.empty() || name == "email") return true;
    if (name.rfind("phone:", 0) != 0) continue;
    if (!cur->field(name).empty() || numbers.size() >= kPhonesMax ||
        std::find(numbers.begin(), numbers.end(), value) != numbers.end()) {
      return true;
    }
    numbers.push_back(value);
  }
  return false;
}

void CcWriter::queueRow(size_t target, json columns, IdSet candidates, const IdSet& fixed) {
  const bool update = !candidates.empty();
  std::string email = jsonText(columns, "email");
  rows_.push_back(Row{target, columns.dump(), std::move(email), std::move(candidates)});
  if (update) {
    pending_updates_.push_back(rows_.size() - 1);
  } else {
    groups_[std::vector<std::string>(fixed.begin(), fixed.end())].push_back(rows_.size() - 1);
  }
}

// Update rows join an import whose lists they may all name (the new contacts' import often
// names the scope lists they are in); the rest are covered greedily, the list most of them
// may name first, so a run makes few imports.
void CcWriter::groupUpdateRows() {
  std::vector<size_t> left;
  for (size_t r : pending_updates_) {
    const IdSet& candidates = rows_[r].candidates;
    auto group = std::find_if(groups_.begin(), groups_.end(), [&](const auto& entry) {
      return std::includes(candidates.begin(), candidates.end(), entry.first.begin(), entry.first.end());
    });
    if (group != groups_.end()) {
      group->second.push_back(r);
    } else {
      left.push_back(r);
    }
  }
  while (!left.empty()) {
    std::map<std::string, size_t> counts;
    for (size_t r : left) {
      for (const auto& id : rows_[r].candidates) ++counts[id];
    }
    const std::string best = std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
                               return a.second < b.second;
                             })->first;
    std::vector<size_t> rest;
    auto& members = groups_[{best}];
    for (size_t r : left) (rows_[r].candidates.count(best) ? members : rest).push_back(r);
    left = std::move(rest);
  }
  // An import into a list the contact joins does that add: no activity for it.
  for (const auto& [lists, members] : groups_) {
    for (size_t r : members) {
      for (const auto& id : lists) targets_[rows_[r].target].lists_to_add.erase(id);
    }
  }
}

}  // namespace liaison::sync
