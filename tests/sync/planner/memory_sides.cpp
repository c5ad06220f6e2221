#include "sync/planner/memory_sides.h"

#include <algorithm>

namespace liaison::sync::testing {

SideRead MemorySide::read() const {
  SideRead out;
  out.complete = true;
  for (const auto& [id, record] : records) {
    bool in_scope = filter.all;
    auto lists = record.sets.find("lists");
    for (const auto& list : filter.lists)
      in_scope = in_scope || (lists != record.sets.end() && lists->second.count(list));
    if (in_scope) out.records.push_back(record);
  }
  return out;
}

std::map<size_t, std::string> MemorySide::apply(const std::vector<Write>& writes, int64_t now_ms) {
  std::map<size_t, std::string> created;
  for (size_t i = 0; i < writes.size(); ++i) {
    const Write& w = writes[i];
    Record* r = nullptr;
    if (w.kind == Write::Kind::Create) {
      std::string id = id_prefix + std::to_string(next_id++);
      r = &records[id];
      r->id = id;
      created[i] = id;
    } else {
      auto it = records.find(w.id);
      if (it == records.end()) throw std::runtime_error("write to unknown record " + w.id);
      r = &it->second;
    }
    if (cc && r->deleted && w.kind != Write::Kind::Delete) {
      r->deleted = false;  // as CC does: a write revives a deleted contact (the engine must not)
      r->text["revived"] = "1";
    }
    for (const auto& [field, value] : w.values) r->text[field] = value;
    for (const auto& [set, items] : w.add) r->sets[set].insert(items.begin(), items.end());
    for (const auto& [set, items] : w.remove) {
      for (const auto& item : items) r->sets[set].erase(item);
    }
    if (w.kind == Write::Kind::Delete) {
      r->deleted = true;
      r->sets["lists"].clear();  // CC strips list memberships on delete
    }
    if (w.kind == Write::Kind::Unsubscribe || w.unsubscribed) r->unsubscribed = true;
    r->changed_at_ms = now_ms;
  }
  return created;
}

MemorySync::MemorySync(SyncDefinition definition, ResolvedMapping mapping, MemorySide a, MemorySide b)
    : definition_(std::move(definition)), mapping_(std::move(mapping)), a_(std::move(a)), b_(std::move(b)) {
  a_.filter = definition_.a.filter;
  if (definition_.b.type == SideType::Cc) b_.filter = definition_.b.filter;
}

Plan MemorySync::preview(bool approved) const {
  SideRead a = a_.read(), b = b_.read();
  return planSync(PlanInput{definition_, mapping_, a, b, links_, now_ms_, approved});
}

RunOutcome MemorySync::run(bool approved) {
  RunOutcome out{preview(approved)};
  if (out.plan.held) return out;
  int64_t now = tick();
  auto created_a = a_.apply(out.plan.a_writes, now);
  auto created_b = b_.apply(out.plan.b_writes, now);
  std::vector<Link> touched = out.plan.links;
  for (const auto& [index, id] : created_a)
    touched[static_cast<size_t>(out.plan.a_writes[index].link)].a_id = id;
  for (const auto& [index, id] : created_b)
    touched[static_cast<size_t>(out.plan.b_writes[index].link)].b_id = id;
  for (auto& link : touched) {
    auto it = std::find_if(links_.begin(), links_.end(),
                           [&](const Link& l) { return l.a_id == link.a_id && l.b_id == link.b_id; });
    if (it != links_.end()) {
      *it = std::move(link);
    } else {
      links_.push_back(std::move(link));
    }
  }
  out.applied = true;
  return out;
}

Record recordFromJson(const nlohmann::json& object, bool cc) {
  Record r;
  for (const auto& [key, value] : object.items()) {
    if (key == "id") {
      r.id = value.get<std::string>();
    } else if (key == "changed_at") {
      r.changed_at_ms = value.get<int64_t>();
    } else if (!cc) {
      r.text[key] = value.get<std::string>();
    } else if (key == "deleted") {
      r.deleted = value.get<bool>();
    } else if (key == "unsubscribed") {
      r.unsubscribed = value.get<bool>();
    } else if (key == "lists" || key == "tags") {
      auto& items = r.sets[key];  // present even when empty: an edit to "no lists"
      for (const auto& item : value) items.insert(item.get<std::string>());
    } else {
      r.text[key] = value.get<std::string>();
    }
  }
  return r;
}

}  // namespace liaison::sync::testing
