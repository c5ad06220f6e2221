#include "sync/runner/report_json.h"

namespace liaison::sync {
namespace {

using nlohmann::json;

json countsJson(const SideCounts& c) {
  return {{"read", c.read},       {"created", c.created},           {"updated", c.updated},
          {"deleted", c.deleted}, {"unsubscribed", c.unsubscribed}, {"skipped", c.skipped}};
}

json writeJson(const Write& w) {
  json out = {{"kind", toString(w.kind)}};
  if (!w.id.empty()) out["id"] = w.id;
  if (!w.values.empty()) out["values"] = w.values;
  json add = json::object(), remove = json::object();
  for (const auto& [set, items] : w.add) add[set] = items;
  for (const auto& [set, items] : w.remove) remove[set] = items;
  if (!add.empty()) out["add"] = add;
  if (!remove.empty()) out["remove"] = remove;
  return out;
}

json writesJson(const std::vector<Write>& writes, size_t max) {
  json out = json::array();
  for (size_t i = 0; i < writes.size() && i < max; ++i) out.push_back(writeJson(writes[i]));
  return out;
}

}  // namespace

const char* toString(Write::Kind kind) {
  switch (kind) {
    case Write::Kind::Create: return "create";
    case Write::Kind::Update: return "update";
    case Write::Kind::Delete: return "delete";
    case Write::Kind::Unsubscribe: return "unsubscribe";
  }
  return "update";
}

json planJson(const Plan& plan, bool writes, size_t max_writes) {
  json conflicts = json::array(), skipped = json::array(), issues = json::array();
  for (const auto& c : plan.conflicts) {
    conflicts.push_back({{"a_id", c.a_id}, {"b_id", c.b_id}, {"field", c.field}, {"a_value", c.a_value},
                         {"b_value", c.b_value}, {"rule", c.rule}, {"winner", c.winner}});
  }
  for (const auto& s : plan.skipped) skipped.push_back({{"side", sideName(s.side)}, {"id", s.id}, {"reason", s.reason}});
  for (const auto& i : plan.issues) {
    issues.push_back({{"to", sideName(i.to)}, {"id", i.id}, {"from_id", i.partner}, {"field", i.field},
                      {"value", i.value}, {"action", i.action}, {"why", i.why}});
  }
  json out = {
      {"held", plan.held},
      {"guard",
       {{"limit", plan.guard_limit},
        {"deletions_and_unsubscribes", plan.removals},
        {"left_scope", plan.left_scope}}},
      {"counts", {{"a", countsJson(plan.a)}, {"b", countsJson(plan.b)}}},
      {"conflicts", conflicts},
      {"skipped", skipped},
      {"issues", issues},
      {"notes", plan.notes},
  };
  if (plan.held) out["held_reason"] = plan.held_reason;
  if (writes) {
    out["writes"] = {{"a", writesJson(plan.a_writes, max_writes)}, {"b", writesJson(plan.b_writes, max_writes)}};
  }
  return out;
}

}  // namespace liaison::sync
