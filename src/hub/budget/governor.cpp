#include "hub/budget/governor.h"

namespace liaison::hub {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr auto kWindow = std::chrono::seconds(1);

int64_t dayOf(TimePoint t) { return toUnixSeconds(t) / 86400; }

// Sliding window: admitted when fewer than `limit` calls fell in the last second; otherwise
// the wait until the oldest of them leaves the window.
Admission slide(std::deque<TimePoint>& window, int limit, TimePoint now) {
  while (!window.empty() && window.front() + kWindow <= now) window.pop_front();
  if (static_cast<int>(window.size()) < limit) {
    window.push_back(now);
    return {true, milliseconds(0), ""};
  }
  auto wait = duration_cast<milliseconds>(window.front() + kWindow - now);
  if (wait < milliseconds(1)) wait = milliseconds(1);
  return {false, wait, "per_second"};
}

}  // namespace

LocalGovernor::LocalGovernor(const Clock& clock, const cc::Limits& limits, double reserve)
    : clock_(clock),
      api_per_second_(limits.requests_per_second_per_key),
      api_per_day_(limits.requests_per_day_per_key),
      token_per_second_(limits.token_requests_per_second_per_client),
      reserve_(reserve) {}

void LocalGovernor::rollDay(AppState& state, TimePoint now) {
  const int64_t day = dayOf(now);
  if (day == state.day) return;
  state.day = day;
  state.api_today = 0;
  state.token_today = 0;
  state.refused_today = 0;
}

Admission LocalGovernor::admit(const std::string& app_id, Door door, CallClass call_class) {
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_.now();
  AppState& state = apps_[app_id];
  rollDay(state, now);
  if (door == Door::Token) {
    // Token calls do not count against the API's daily budget (CC counts /v3 calls).
    // A per-second wait is pacing, not a shortage: only the daily budget counts as refused.
    Admission a = slide(state.token_window, token_per_second_, now);
    if (a.admitted) ++state.token_today;
    return a;
  }
  const auto next_day = fromUnixSeconds((state.day + 1) * 86400);
  const auto until_tomorrow = duration_cast<milliseconds>(next_day - now);
  const int64_t ceiling = call_class == CallClass::Interactive
                              ? api_per_day_
                              : static_cast<int64_t>(api_per_day_ * (1.0 - reserve_));
  if (state.api_today >= ceiling) {
    ++state.refused_today;
    return {false, until_tomorrow, call_class == CallClass::Interactive ? "per_day" : "reserve"};
  }
  Admission a = slide(state.api_window, api_per_second_, now);
  if (a.admitted) ++state.api_today;
  return a;
}

BudgetUse LocalGovernor::usage(const std::string& app_id) {
  std::lock_guard lock(mutex_);
  AppState& state = apps_[app_id];
  rollDay(state, clock_.now());
  return {state.api_today, api_per_day_, state.token_today, state.refused_today};
}

}  // namespace liaison::hub
