#pragma once
// Bulk activity records: the body CC answers for an activity, and how fast its reported state
// moves. The sandbox applies an activity's changes at once, in one transaction; per account, the
// control API can make the *reported* state lag (a number of status polls, or virtual time) so
// clients exercise their polling, and so activities can queue up to CC's limit of 1,000.
#include <nlohmann/json.hpp>

#include <string>

#include "core/clock.h"
#include "core/result.h"

namespace liaison::sandbox {

inline constexpr size_t kMaxQueuedActivities = 1000;

// A finished activity as GET /v3/activities/{id} shows it once completed.
nlohmann::json completedActivity(const std::string& id, const std::string& stamp, const nlohmann::json& counters,
                                 const nlohmann::json& errors = nlohmann::json::array());
// What the POST that starts an activity answers: the same activity, initialized.
nlohmann::json acceptedActivity(const nlohmann::json& record);

// The `activity_progress` setting: "at_once" (default), {"polls": N} (the first N status GETs
// answer processing) or {"seconds": S} (processing until S virtual seconds after creation).
Status validateProgress(const nlohmann::json& setting);

// The record as reported `polls` status GETs after creation (counting this one) at `now`.
nlohmann::json reportActivity(const nlohmann::json& record, int polls, TimePoint now);
// Whether the reported state is still short of completed (the activity counts as queued).
bool activityPending(const nlohmann::json& record, int polls, TimePoint now);

}  // namespace liaison::sandbox
