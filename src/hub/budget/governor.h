#pragma once
// The only door to Constant Contact. Every outbound call names its CC app, the door (the v3 API
// or the token endpoint), its class and the connection it is for, and is either let through or
// told when to come back. The limits are CC's per API key (4 requests/s and 10,000 a day for
// every account of the key; 1 request/s at the token endpoint), from the provider data; CC sends
// no rate-limit headers, so the hub must keep to them by itself.
//
// Callers see only this interface: LocalGovernor (local_governor.h) given a RateLedger
// (rate_ledger.h) shares the budget with every hub process on the same store without touching them.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace liaison::hub {

// CC's day is the UTC day: the day number every budget count is kept under.
inline int64_t budgetDay(TimePoint t) { return toUnixSeconds(t) / 86400; }
// How many connections a budget report names (the most API calls today first).
inline constexpr size_t kTopConnections = 10;

enum class Door { Api, Token };
// In priority order. Interactive: a person or the host app waits (proxy, connect, a health check
// someone asked for). Health and Background run on schedules and give way: they go only when no
// interactive call waits, and stop while the day's remaining budget is within the reserve.
enum class CallClass { Interactive, Health, Background };
constexpr size_t kCallClasses = 3;
inline const char* toString(CallClass call_class) {
  switch (call_class) {
    case CallClass::Interactive:
      return "interactive";
    case CallClass::Health:
      return "health";
    case CallClass::Background:
      return "background";
  }
  return "background";
}

// One call to CC as the governor sees it.
struct CallTicket {
  std::string app_id;
  Door door = Door::Api;
  CallClass call_class = CallClass::Interactive;
  // The connection the call acts for; fairness is between connections. Empty for app-level calls
  // (device polls, JWKS, a connect whose connection does not exist yet): those share one lane.
  std::string connection_id;
};

struct Admission {
  bool admitted = false;
  // Refused: "per_second" (admit only: the second is full, come back in retry_after),
  // "max_wait" (the call would have waited longer than its limit), "reserve" (Health and
  // Background are held back: what is left of the day is kept for interactive calls),
  // "quota_exceeded" (the day's calls are spent) or "store" (the budget shared with the other hub
  // processes could not be asked: no call goes unasked).
  const char* reason = "";
  std::chrono::milliseconds retry_after{0};  // refused: when a new try may succeed
  std::optional<TimePoint> resets_at;        // "reserve", "quota_exceeded": the next 00:00 UTC
  std::chrono::milliseconds waited{0};       // how long the call queued (acquire), granted or not
  // Granted: the app's API calls left today (this one counted), as the budget knew them when it
  // granted the call: what a proxied answer reports without asking the store again.
  std::optional<int64_t> api_calls_left_today;
};

struct BudgetUse {
  int64_t api_calls_today = 0;
  int64_t api_calls_per_day = 0;  // the limit
  int64_t token_calls_today = 0;
  // Calls turned away today for the day's budget or for waiting too long (per-second pacing of
  // background work, which simply comes back later, is not counted).
  int64_t refused_today = 0;
};

struct ConnectionUse {
  std::string connection_id;
  int64_t calls_today = 0;  // API calls
};

// What GET /api/v1/budget and /metrics show of one CC app's budget.
struct BudgetSnapshot {
  std::string app_id;
  int api_per_second = 0;
  int64_t api_per_day = 0;
  int token_per_second = 0;
  int reserve_percent = 0;
  int64_t used_today = 0;  // API calls since 00:00 UTC
  int64_t remaining_today = 0;
  TimePoint resets_at{};  // the next 00:00 UTC
  int64_t token_calls_today = 0;
  int64_t calls_last_second = 0;  // API calls
  int64_t calls_last_minute = 0;
  std::array<int64_t, kCallClasses> queued{};  // waiting calls by CallClass (both doors)
  std::vector<ConnectionUse> top_connections;  // by API calls today, most first, at most kTopConnections
  int64_t refused_today = 0;
};

// Waits the given time: real sleep in production; tests move a ManualClock instead.
using Waiter = std::function<void(std::chrono::milliseconds)>;

class Governor {
 public:
  virtual ~Governor() = default;
  // Now or never: for work that is rescheduled rather than kept waiting (health polls,
  // background refreshes, device polls). Never jumps ahead of a call of its class or a higher one
  // that is waiting in acquire.
  virtual Admission admit(const CallTicket& call) = 0;
  // Waits its fair turn (round robin between connections within a class, classes in priority
  // order) and returns once the call may go; refused at once, or as soon as it is clear, when its
  // turn would come later than `max_wait` from now, and when the day's budget has no room for it.
  virtual Admission acquire(const CallTicket& call, std::chrono::milliseconds max_wait) = 0;
  // The call now, if it can go at once without waiting and without asking the store (no call
  // waits ahead of it, and this process holds room for it); nullopt otherwise, and nothing is
  // counted: the caller goes the usual way (acquire). For callers that must not block (an I/O
  // thread). The default never grants.
  virtual std::optional<Admission> tryAcquire(const CallTicket&) { return std::nullopt; }
  virtual BudgetUse usage(const std::string& app_id) = 0;
  virtual BudgetSnapshot snapshot(const std::string& app_id) = 0;
};

}  // namespace liaison::hub
