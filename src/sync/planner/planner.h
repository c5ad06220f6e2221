#pragma once
// The sync's pure core: from what both sides read and the links with their last agreed state, the
// plan of writes. Matching (links first, then email), per-field three-way diff against the agreed
// state, conflicts, consent, deletions, names, and the mass-change guard all happen here, with no
// I/O, so every rule is tested on plain data.
#include <cstdint>
#include <vector>

#include "sync/mapping/mapping.h"
#include "sync/model/definition.h"
#include "sync/planner/plan.h"

namespace liaison::sync {

struct PlanInput {
  const SyncDefinition& definition;
  const ResolvedMapping& mapping;
  const SideRead& a;
  const SideRead& b;
  const std::vector<Link>& links;
  int64_t now_ms = 0;     // for timestamps the plan writes (a soft delete, an opt-out time)
  bool approved = false;  // a person approved this run: the guard does not hold it
};

Plan planSync(const PlanInput& input);

}  // namespace liaison::sync
