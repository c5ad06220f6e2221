#pragma once
// A plan as JSON: the run report kept in the run history and the preview shown before a run
// (with `writes`: every create, update per field, list change, delete and unsubscribe).
#include <nlohmann/json.hpp>

#include "sync/planner/plan.h"

namespace liaison::sync {

// At most `max_writes` writes per side are listed (the counts always cover all of them).
nlohmann::json planJson(const Plan& plan, bool writes, size_t max_writes = 1000);

const char* toString(Write::Kind kind);

}  // namespace liaison::sync
