#pragma once
// The text of the `liaison sync` verbs, made from the hub's JSON: the plan a preview shows, a
// run's outcome, the live progress line, the history table, a sync and a refused definition's
// problems. Pure functions, so tests read the exact text; every string the hub sent goes
// through printable() (a contact's name cannot move the cursor).
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace liaison::cli {

// A preview: counts per side, then each side's creates, updates (per field, list and tag
// changes), deletes and unsubscribes, conflicts with the rule applied, skipped records with
// reasons, values not carried as they were, notes, and why the run would be held.
std::string renderPlan(const nlohmann::json& report);
// The counts per side as a table (read, created, updated, deleted, unsubscribed, skipped).
std::string renderCounts(const nlohmann::json& report);
// How a run ended: finished (counts, refused writes), held (why, how to approve) or failed (why).
std::string renderOutcome(const std::string& sync_id, const nlohmann::json& run);

std::string renderSync(const nlohmann::json& sync);
std::string renderSyncList(const nlohmann::json& syncs);
std::string renderHistory(const nlohmann::json& runs);
// One line per problem: "  field (value): why".
std::string renderProblems(const nlohmann::json& problems);

// The time left at the rate writes went since `first_written` was seen `elapsed` ago; nullopt
// before there is a rate (nothing written yet in the writing phase).
std::optional<std::chrono::seconds> estimateRemaining(const nlohmann::json& progress, int64_t first_written,
                                                      std::chrono::seconds elapsed);
// "writing: read 1200, written 120/500, 37 CC calls, 0:14 elapsed, ETA 0:42".
std::string progressLine(const nlohmann::json& progress, std::chrono::seconds elapsed,
                         std::optional<std::chrono::seconds> remaining);
int64_t countOf(const nlohmann::json& object, const char* name);  // 0 when absent or not a number

}  // namespace liaison::cli
