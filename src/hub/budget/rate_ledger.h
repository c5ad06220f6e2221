#pragma once
// The budget every hub process on one store shares. CC's limits are per API key, not per process:
// with several hub processes, each pacing itself alone would together go over 4 calls a second and
// spend the day's 10,000 several times. A RateLedger keeps the shared part of the budget (the
// sliding window of each door, the day's counts) where all processes see it, and decides each
// call atomically. The governor keeps what is local (its fair queue, which call of this process
// goes next) and asks the ledger only whether that call may go now.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "hub/budget/governor.h"

namespace liaison::hub {

// The limits one take is decided under, for the door of the call.
struct LedgerLimits {
  int per_second = 0;        // calls in any window_ms at this door; <= 0: no limit
  int64_t per_day = 0;       // API calls per UTC day (the token door has none)
  int reserve_percent = 0;   // share of the day kept for Interactive calls
  int64_t window_ms = 1000;  // the window per_second counts in (a second plus a safety margin)
};

// A take may ask for a lease: more calls than the one at hand, for the process to grant by itself
// over the next hold_ms without asking the store again. The ledger grants a lease only while the
// window has plenty of room (at most an eighth of what is free, so near CC's 4 calls a second
// every call is one take) and the day is short of its reserve. A lease's calls are recorded in the
// window at the end of its hold (now + hold_ms), the latest moment one of them may go, so no
// window_ms holds more than per_second calls however the process spreads them.
struct LeaseRequest {
  int calls = 1;        // calls wanted, this one included
  int64_t hold_ms = 0;  // how long the process may grant them (only when calls > 1)
};

// What a process granted under its leases and the store does not know yet, handed over with the
// next take (or settle()): calls of a lease that ran out unused come off the day's count, and the
// calls made for each connection are added to its count.
struct LedgerReturn {
  int64_t day = -1;                 // the UTC day (days since the epoch) the figures below belong to
  int64_t unused_api = 0;           // leased API calls that never went
  int64_t unused_token = 0;         // leased token calls that never went
  std::vector<ConnectionUse> uses;  // API calls per connection, not yet recorded
  bool empty() const { return unused_api == 0 && unused_token == 0 && uses.empty(); }
};

// The app's counts for the current UTC day, as the store holds them.
struct LedgerCounts {
  int64_t api_today = 0;
  int64_t token_today = 0;
  int64_t refused_today = 0;
};

struct LedgerOutcome {
  enum class Kind {
    Taken,          // the call was recorded and may go
    Wait,           // the door's last second is full: try again in `wait`
    QuotaExceeded,  // the day's API calls are spent
    Reserve,        // what is left of the day is kept for Interactive calls
  };
  Kind kind = Kind::Taken;
  std::chrono::milliseconds wait{0};  // Wait only: until the window has room for one call
  int granted = 1;                    // Taken only: calls granted (more than one: a lease)
  LedgerCounts today;                 // after the take
};

struct LedgerUsage {
  LedgerCounts today;
  std::vector<ConnectionUse> top_connections;  // by API calls today, most first (ties by id), at most 10
};

class RateLedger {
 public:
  virtual ~RateLedger() = default;
  // In one atomic step: starts a new day when `now` is past the stored one's 00:00 UTC; records
  // `returned` (of `now`'s day only); on the API door refuses a spent day (QuotaExceeded) and,
  // for calls that are not Interactive, a day within its reserve (Reserve); then checks the
  // door's window (the call may go while fewer than per_second calls of this app and door were
  // recorded in the last window_ms) and, if it may, records it (or the lease granted): in the
  // window, in the day's count and, for an API call acting for a connection, in that
  // connection's count. An error (the store is unreachable) decides and records nothing.
  virtual Result<LedgerOutcome> take(const CallTicket& call, TimePoint now, const LedgerLimits& limits,
                                     const LeaseRequest& lease = {}, const LedgerReturn& returned = {}) = 0;
  // Records `returned` alone (before the day's figures are read, or when a lease runs out).
  virtual Status settle(const std::string& app_id, TimePoint now, const LedgerReturn& returned) = 0;
  // Counts a call turned away (for the day's budget or a wait too long) in the day's refused count.
  virtual Status recordRefusal(const std::string& app_id, TimePoint now) = 0;
  // The app's day as of `now` (zero counts when the stored day is an earlier one).
  virtual Result<LedgerUsage> usage(const std::string& app_id, TimePoint now) = 0;
  // Only the day's counts: what every proxied call reads for its budget header, without the
  // top-connections list usage() sorts.
  virtual Result<LedgerCounts> counts(const std::string& app_id, TimePoint now) {
    auto use = usage(app_id, now);
    if (!use) return use.error();
    return use->today;
  }
};

}  // namespace liaison::hub
