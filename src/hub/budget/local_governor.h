#pragma once
// One process's governor: per CC app and door, a sliding one-second window (rate_window.h) and a
// fair queue (fair_queue.h), plus the app's count of API calls for the UTC day.
//
// acquire() is the blocking part. A call joins the fair queue; the call at the head of the fair
// order sleeps (through the injected Waiter, outside the lock) until the window has room, takes
// the slot and wakes the others, of which the next head does the same. Only one call per door
// sleeps at a time, so a test's clock-advancing waiter moves time once per slot, as one sleeping
// process would. Every other waiting call sleeps on a condition variable and wakes whenever the
// queue moves, to see whether it is the head now or can no longer make its deadline.
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "cc/provider.h"
#include "hub/budget/fair_queue.h"
#include "hub/budget/governor.h"
#include "hub/budget/rate_window.h"

namespace liaison::hub {

struct GovernorSettings {
  // Share of the day's API calls kept for interactive calls: Health and Background stop when only
  // this many percent of the day remain (20: the last 2,000 of 10,000 serve only people and the
  // host app).
  int reserve_percent = 20;
};

class LocalGovernor final : public Governor {
 public:
  // `waiter` sleeps the head of a queue until its slot (real time in production).
  LocalGovernor(const Clock& clock, const cc::Limits& limits, Waiter waiter, GovernorSettings settings = {});
  Admission admit(const CallTicket& call) override;
  Admission acquire(const CallTicket& call, std::chrono::milliseconds max_wait) override;
  BudgetUse usage(const std::string& app_id) override;
  BudgetSnapshot snapshot(const std::string& app_id) override;

 private:
  struct DoorState {
    explicit DoorState(int per_second) : window(per_second) {}
    RateWindow window;
    FairQueue queue;
    bool sleeping = false;  // a call of this door sleeps until the next slot
  };
  struct AppState {
    AppState(int api_per_second, int token_per_second) : api(api_per_second), token(token_per_second) {}
    DoorState& at(Door door) { return door == Door::Api ? api : token; }
    DoorState api;
    DoorState token;
    std::deque<TimePoint> last_minute;  // API calls of the last minute, for the current rate
    int64_t day = -1;                   // days since the epoch (UTC) the counts below belong to
    int64_t api_today = 0;
    int64_t token_today = 0;
    int64_t refused_today = 0;
    std::unordered_map<std::string, int64_t> api_by_connection;  // today's API calls; "" not kept
  };

  AppState& app(const std::string& app_id);
  void rollDay(AppState& state, TimePoint now);
  // The refusal the day's budget gives this call now, if any (the API door only: CC counts no
  // daily budget at the token endpoint).
  std::optional<Admission> dayRefusal(const AppState& state, const CallTicket& call, TimePoint now) const;
  void grant(AppState& state, const CallTicket& call, TimePoint now);
  Admission refuse(AppState& state, Admission refusal);

  const Clock& clock_;
  const int api_per_second_;
  const int64_t api_per_day_;
  const int token_per_second_;
  const int reserve_percent_;
  Waiter waiter_;
  std::mutex mutex_;
  std::condition_variable moved_;         // a queue moved: a call went or left, or a sleeper woke
  std::map<std::string, AppState> apps_;  // a map: a waiting call keeps a reference to its entry
};

}  // namespace liaison::hub
