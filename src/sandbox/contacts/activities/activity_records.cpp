#include "sandbox/contacts/activities/activity_records.h"

#include <algorithm>

namespace liaison::sandbox {

using nlohmann::json;

namespace {

// Progress from 0 to 1, or 1 when the activity reports completed.
double progress(const json& record, int polls, TimePoint now) {
  if (!record.contains("_progress")) return 1.0;
  const json& setting = record["_progress"];
  if (setting.contains("polls")) {
    const int needed = setting["polls"];
    return polls > needed ? 1.0 : static_cast<double>(std::max(polls - 1, 0)) / needed;
  }
  if (setting.contains("seconds")) {
    TimePoint created;
    if (!parseIso8601(record.value("created_at", ""), created)) return 1.0;
    const double elapsed = std::chrono::duration<double>(now - created).count();
    return std::clamp(elapsed / setting["seconds"].get<double>(), 0.0, 1.0);
  }
  return 1.0;
}

}  // namespace

json completedActivity(const std::string& id, const std::string& stamp, const json& counters, const json& errors) {
  return {{"activity_id", id},     {"state", "completed"},  {"created_at", stamp}, {"updated_at", stamp},
          {"started_at", stamp},   {"completed_at", stamp}, {"percent_done", 100}, {"activity_errors", errors},
          {"status", counters},    {"_links", {{"self", {{"href", "/v3/activities/" + id}}}}}};
}

json acceptedActivity(const json& record) {
  return {{"activity_id", record["activity_id"]}, {"state", "initialized"}, {"created_at", record["created_at"]},
          {"updated_at", record["created_at"]},   {"percent_done", 0},       {"activity_errors", json::array()},
          {"_links", {{"self", record["_links"]["self"]}}}};
}

Status validateProgress(const json& setting) {
  if (setting == "at_once") return okStatus();
  auto bounded = [&](const char* key, int64_t max) {
    return setting.is_object() && setting.size() == 1 && setting.contains(key) && setting[key].is_number_integer() &&
           setting[key].get<int64_t>() >= 1 && setting[key].get<int64_t>() <= max;
  };
  if (bounded("polls", 1000) || bounded("seconds", 7 * 86400)) return okStatus();
  return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                   "activity_progress must be \"at_once\", {\"polls\": 1-1000} or {\"seconds\": 1-604800}.");
}

json reportActivity(const json& record, int polls, TimePoint now) {
  json out = json::object();
  for (const auto& [key, value] : record.items()) {
    if (key.empty() || key[0] != '_' || key == "_links") out[key] = value;
  }
  const double done = progress(record, polls, now);
  if (done >= 1.0) return out;
  out["state"] = "processing";
  out["_links"].erase("results");  // an export's file exists once it completes
  out["percent_done"] = static_cast<int>(done * 100);
  out.erase("completed_at");
  if (out.contains("status") && out["status"].contains("items_completed_count")) {
    out["status"]["items_completed_count"] =
        static_cast<int64_t>(out["status"].value("items_total_count", 0) * done);
  }
  return out;
}

bool activityPending(const json& record, int polls, TimePoint now) { return progress(record, polls, now) < 1.0; }

}  // namespace liaison::sandbox
