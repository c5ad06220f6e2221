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
//
// With a RateLedger (rate_ledger.h) the budget is shared with the other hub processes on the same
// store: the call at the head checks this process's window first (no store round trip while it is
// full), then asks the ledger, which decides for all processes; a ledger's "wait" sleeps the head
// as a full local window does. The day's counts, the refusals and the busiest connections are the
// ledger's; the fair queue and the snapshot's calls of the last second and minute stay this
// process's own. The ledger's short transaction runs under this governor's lock: the process's
// other calls wait meanwhile, as they would for its one store connection anyway (the lock order is
// governor, then store: no store work may call the governor). Sleeps never hold the lock. A ledger
// that cannot be reached lets no call through: the call is refused as "store" (retry after a
// second, not counted as refused) and the failure is logged once per outage.
//
// While calls come faster than one take per call would need, the head asks the ledger for a
// lease (rate_ledger.h): the calls it grants go without a store round trip until it is used or
// its hold ends. The size follows demand: doubled (up to kMaxLease) when a lease ran out within
// its hold, back to what was used when it did not. What a lease leaves unused and the calls made
// under it per connection are handed to the ledger with the next take, or settled before the
// day's figures are read.
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cc/provider.h"
#include "hub/budget/fair_queue.h"
#include "hub/budget/governor.h"
#include "hub/budget/rate_ledger.h"
#include "hub/budget/rate_window.h"

namespace liaison::hub {

struct GovernorSettings {
  // Share of the day's API calls kept for interactive calls: Health and Background stop when only
  // this many percent of the day remain (20: the last 2,000 of 10,000 serve only people and the
  // host app).
  int reserve_percent = 20;
  // Added to the one-second window CC counts in: a call goes out a little after it is granted
  // and reaches CC after a network trip, and those delays vary, so calls granted exactly a second
  // apart may arrive less than a second apart. 25 ms keeps 3.9 of 4 calls a second.
  std::chrono::milliseconds window_margin{0};
};

class LocalGovernor final : public Governor {
 public:
  // `waiter` sleeps the head of a queue until its slot (real time in production). `ledger` (not
  // owned, outlives the governor): the budget shared with other hub processes; nullptr keeps the
  // whole budget in this process.
  LocalGovernor(const Clock& clock, const cc::Limits& limits, Waiter waiter, GovernorSettings settings = {},
                RateLedger* ledger = nullptr);
  Admission admit(const CallTicket& call) override;
  ~LocalGovernor() override;
  Admission acquire(const CallTicket& call, std::chrono::milliseconds max_wait) override;
  // With a ledger: from the door's current lease only. Without: while this process's window has
  // room and the day's budget allows the call.
  std::optional<Admission> tryAcquire(const CallTicket& call) override;
  BudgetUse usage(const std::string& app_id) override;
  BudgetSnapshot snapshot(const std::string& app_id) override;

 private:
  struct DoorState {
    DoorState(int per_second, std::chrono::milliseconds window) : window(per_second, window) {}
    RateWindow window;
    FairQueue queue;
    bool sleeping = false;  // a call of this door sleeps until the next slot
    int leased = 0;         // calls of the current lease not granted yet
    int lease_size = 0;     // calls the current lease granted
    int lease_want = 1;     // calls the next take asks for
    TimePoint lease_until{};
  };
  struct AppState {
    AppState(int api_per_second, int token_per_second, std::chrono::milliseconds window)
        : api(api_per_second, window), token(token_per_second, window) {}
    DoorState& at(Door door) { return door == Door::Api ? api : token; }
    DoorState api;
    DoorState token;
    std::deque<TimePoint> last_minute;  // API calls of the last minute, for the current rate
    int64_t day = -1;                   // days since the epoch (UTC) the counts below belong to
    int64_t api_today = 0;
    int64_t token_today = 0;
    int64_t refused_today = 0;
    std::unordered_map<std::string, int64_t> api_by_connection;  // today's API calls; "" not kept
    // With a ledger: what leases granted that the ledger has not recorded yet (LedgerReturn).
    std::unordered_map<std::string, int64_t> unrecorded_uses;
    int64_t unused_api = 0;
    int64_t unused_token = 0;
  };

  // Whether the call may go at `now`, decided by the day's budget, this process's window and the
  // ledger: `went` (then recorded), or a wait until the window has room, or a refusal.
  struct Attempt {
    bool went = false;
    std::chrono::milliseconds wait{0};
    std::optional<Admission> refused;
  };

  AppState& app(const std::string& app_id);
  void rollDay(AppState& state, TimePoint now);
  // The refusal the day's budget gives this call now, if any (the API door only: CC counts no
  // daily budget at the token endpoint). With a ledger the counts are the ledger's last answer:
  // they only grow during a day, so a refusal they give is right without asking again.
  std::optional<Admission> dayRefusal(const AppState& state, const CallTicket& call, TimePoint now) const;
  Admission dayRefusal(const char* reason, TimePoint now) const;
  Attempt attempt(AppState& state, const CallTicket& call, TimePoint now);
  // Grants the call from the door's lease if one holds calls at `now`.
  bool fromLease(AppState& state, const CallTicket& call, TimePoint now);
  // Ends the door's lease (what it left unused goes back) and sizes the next one.
  void endLease(AppState& state, Door door, TimePoint now);
  LedgerReturn drainReturn(AppState& state);
  void restoreReturn(AppState& state, const LedgerReturn& returned);
  bool settle(AppState& state, const std::string& app_id, TimePoint now);
  // API calls granted today: the ledger's count less this process's leased calls not granted yet.
  int64_t spentToday(const AppState& state) const;
  void grant(AppState& state, const CallTicket& call, TimePoint now);
  Admission refuse(AppState& state, const std::string& app_id, Admission refusal, TimePoint now);
  LedgerLimits ledgerLimits(Door door) const;
  // The shared counts (and busiest connections) into `state`; false (logged) when unreachable.
  bool readLedger(AppState& state, const std::string& app_id, TimePoint now, std::vector<ConnectionUse>* top);
  void useCounts(AppState& state, const LedgerCounts& counts);
  Admission ledgerFailed(const Error& error);
  void ledgerAnswered();

  const Clock& clock_;
  const int api_per_second_;
  const int64_t api_per_day_;
  const int token_per_second_;
  const int reserve_percent_;
  const std::chrono::milliseconds window_;  // a second plus the settings' margin
  Waiter waiter_;
  RateLedger* const ledger_;
  bool ledger_failing_ = false;  // logged once per outage
  std::mutex mutex_;
  std::condition_variable moved_;         // a queue moved: a call went or left, or a sleeper woke
  std::map<std::string, AppState> apps_;  // a map: a waiting call keeps a reference to its entry
};

}  // namespace liaison::hub
