#include "hub/budget/local_governor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

namespace liaison::hub {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr auto kMinute = std::chrono::minutes(1);
// Refused because the shared budget (the ledger) could not be asked: a call let through unasked
// could break CC's limits for every process, so none is. Not a refusal the day's count records.
constexpr const char* kStoreReason = "store";
constexpr auto kStoreRetry = std::chrono::seconds(1);
// A lease's calls go within this time of its take; they are recorded in the shared window at its
// end, so a longer hold keeps the window's room from the other processes longer.
constexpr auto kLeaseHold = std::chrono::milliseconds(100);
// At most 64, a process on PostgreSQL took a lease every 3 ms at 20,000 calls a second, and every
// call that came during the take's round trip went the slow way (tryAcquire never waits for it).
// The ledger still grants at most an eighth of the window's free room, so at CC's 4 a second a
// lease stays one call.
constexpr int kMaxLease = 1024;

TimePoint midnightAfter(int64_t day) { return fromUnixSeconds((day + 1) * 86400); }

milliseconds until(TimePoint from, TimePoint to) {
  return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(to - from));
}

Admission refusal(const char* reason, milliseconds retry_after) {
  Admission a;
  a.reason = reason;
  a.retry_after = std::max(milliseconds(1), retry_after);
  return a;
}

}  // namespace

LocalGovernor::LocalGovernor(const Clock& clock, const cc::Limits& limits, Waiter waiter,
                             GovernorSettings settings, RateLedger* ledger)
    : clock_(clock),
      api_per_second_(limits.requests_per_second_per_key),
      api_per_day_(limits.requests_per_day_per_key),
      token_per_second_(limits.token_requests_per_second_per_client),
      reserve_percent_(std::clamp(settings.reserve_percent, 0, 100)),
      window_(std::chrono::seconds(1) + std::max(std::chrono::milliseconds(0), settings.window_margin)),
      waiter_(std::move(waiter)),
      ledger_(ledger) {}

LocalGovernor::~LocalGovernor() {
  if (ledger_ == nullptr) return;
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_.now();
  for (auto& [app_id, state] : apps_) {
    for (Door door : {Door::Api, Door::Token}) endLease(state, door, now);
    settle(state, app_id, now);  // a failure was logged; the counts are lost with the process
  }
}

LocalGovernor::AppState& LocalGovernor::app(const std::string& app_id) {
  return apps_.try_emplace(app_id, api_per_second_, token_per_second_, window_).first->second;
}

void LocalGovernor::rollDay(AppState& state, TimePoint now) {
  const int64_t day = budgetDay(now);
  if (day == state.day) return;
  state.day = day;
  state.api_today = 0;
  state.token_today = 0;
  state.refused_today = 0;
  state.api_by_connection.clear();
  // What leases of the day before left is that day's; it is over.
  state.unrecorded_uses.clear();
  state.unused_api = 0;
  state.unused_token = 0;
  for (DoorState* door : {&state.api, &state.token}) {
    door->leased = 0;
    door->lease_size = 0;
  }
}

int64_t LocalGovernor::spentToday(const AppState& state) const {
  return std::max<int64_t>(0, state.api_today - state.api.leased);
}

std::optional<Admission> LocalGovernor::dayRefusal(const AppState& state, const CallTicket& call,
                                                   TimePoint now) const {
  if (call.door != Door::Api) return std::nullopt;
  const char* reason = nullptr;
  const int64_t spent = spentToday(state);
  if (spent >= api_per_day_) {
    reason = "quota_exceeded";
  } else if (call.call_class != CallClass::Interactive &&
             spent >= api_per_day_ * (100 - reserve_percent_) / 100) {
    reason = "reserve";
  }
  if (reason == nullptr) return std::nullopt;
  return dayRefusal(reason, now);
}

Admission LocalGovernor::dayRefusal(const char* reason, TimePoint now) const {
  const TimePoint reset = midnightAfter(budgetDay(now));
  Admission a = refusal(reason, until(now, reset));
  a.resets_at = reset;
  return a;
}

LocalGovernor::Attempt LocalGovernor::attempt(AppState& state, const CallTicket& call, TimePoint now) {
  if (fromLease(state, call, now)) return {.went = true};
  if (auto refused = dayRefusal(state, call, now)) return {.refused = refused};
  // This process's own calls fill the shared window too: while they do, the store is not asked.
  if (const auto wait = state.at(call.door).window.waitAt(now); wait.count() > 0) return {.wait = wait};
  if (ledger_ != nullptr) {
    DoorState& door = state.at(call.door);
    endLease(state, call.door, now);
    const LedgerReturn returned = drainReturn(state);
    auto taken =
        ledger_->take(call, now, ledgerLimits(call.door), {door.lease_want, kLeaseHold.count()}, returned);
    if (!taken) {
      restoreReturn(state, returned);
      return {.refused = ledgerFailed(taken.error())};
    }
    ledgerAnswered();
    useCounts(state, taken->today);
    switch (taken->kind) {
      case LedgerOutcome::Kind::Taken:
        break;
      case LedgerOutcome::Kind::Wait:
        return {.wait = std::max(milliseconds(1), taken->wait)};
      case LedgerOutcome::Kind::QuotaExceeded:
        return {.refused = dayRefusal("quota_exceeded", now)};
      case LedgerOutcome::Kind::Reserve:
        return {.refused = dayRefusal("reserve", now)};
    }
    door.lease_size = std::max(1, taken->granted);
    door.leased = door.lease_size - 1;
    door.lease_until = std::min(now + kLeaseHold, midnightAfter(budgetDay(now)));
  }
  grant(state, call, now);
  return {.went = true};
}

bool LocalGovernor::fromLease(AppState& state, const CallTicket& call, TimePoint now) {
  DoorState& door = state.at(call.door);
  if (ledger_ == nullptr || door.leased <= 0 || now >= door.lease_until) return false;
  --door.leased;
  if (call.door == Door::Api && !call.connection_id.empty()) ++state.unrecorded_uses[call.connection_id];
  grant(state, call, now);
  return true;
}

void LocalGovernor::endLease(AppState& state, Door which, TimePoint now) {
  DoorState& door = state.at(which);
  if (door.lease_size == 0) return;
  if (door.leased == 0 && now < door.lease_until) {
    door.lease_want = std::min(kMaxLease, 2 * std::max(door.lease_want, door.lease_size));
  } else {
    door.lease_want = std::max(1, door.lease_size - door.leased);
  }
  (which == Door::Api ? state.unused_api : state.unused_token) += door.leased;
  door.leased = 0;
  door.lease_size = 0;
}

LedgerReturn LocalGovernor::drainReturn(AppState& state) {
  LedgerReturn out;
  out.day = state.day;
  out.unused_api = std::exchange(state.unused_api, 0);
  out.unused_token = std::exchange(state.unused_token, 0);
  out.uses.reserve(state.unrecorded_uses.size());
  for (const auto& [id, calls] : state.unrecorded_uses) out.uses.push_back({id, calls});
  state.unrecorded_uses.clear();
  return out;
}

void LocalGovernor::restoreReturn(AppState& state, const LedgerReturn& returned) {
  if (returned.day != state.day) return;
  state.unused_api += returned.unused_api;
  state.unused_token += returned.unused_token;
  for (const auto& use : returned.uses) state.unrecorded_uses[use.connection_id] += use.calls_today;
}

bool LocalGovernor::settle(AppState& state, const std::string& app_id, TimePoint now) {
  for (Door door : {Door::Api, Door::Token}) {
    if (now >= state.at(door).lease_until) endLease(state, door, now);  // what it left goes back now
  }
  const LedgerReturn returned = drainReturn(state);
  if (returned.empty()) return true;
  if (auto settled = ledger_->settle(app_id, now, returned); !settled) {
    restoreReturn(state, returned);
    ledgerFailed(settled.error());
    return false;
  }
  ledgerAnswered();
  return true;
}

void LocalGovernor::grant(AppState& state, const CallTicket& call, TimePoint now) {
  DoorState& door = state.at(call.door);
  door.window.take(now);
  // With a ledger the day's counts came back from the take, this call included.
  if (call.door == Door::Token) {
    if (ledger_ == nullptr) ++state.token_today;
    return;
  }
  if (ledger_ == nullptr) ++state.api_today;
  // With a ledger the busiest connections are read from it; this map would only grow.
  if (ledger_ == nullptr && !call.connection_id.empty()) ++state.api_by_connection[call.connection_id];
  state.last_minute.push_back(now);
  while (state.last_minute.front() + kMinute <= now) state.last_minute.pop_front();
}

Admission LocalGovernor::refuse(AppState& state, const std::string& app_id, Admission refused,
                                TimePoint now) {
  // Pacing of work that comes back later is not a refusal anyone sees; the rest is (a store that
  // cannot be reached cannot count it either).
  const std::string_view reason(refused.reason);
  if (reason == "per_second" || reason == kStoreReason) return refused;
  ++state.refused_today;
  if (ledger_ != nullptr) {
    if (auto recorded = ledger_->recordRefusal(app_id, now); !recorded) {
      ledgerFailed(recorded.error());
    } else {
      ledgerAnswered();
    }
  }
  return refused;
}

LedgerLimits LocalGovernor::ledgerLimits(Door door) const {
  return {door == Door::Api ? api_per_second_ : token_per_second_, api_per_day_, reserve_percent_,
          window_.count()};
}

bool LocalGovernor::readLedger(AppState& state, const std::string& app_id, TimePoint now,
                               std::vector<ConnectionUse>* top) {
  auto use = ledger_->usage(app_id, now);
  if (!use) {
    ledgerFailed(use.error());
    return false;
  }
  ledgerAnswered();
  useCounts(state, use->today);
  if (top != nullptr) *top = std::move(use->top_connections);
  return true;
}

void LocalGovernor::useCounts(AppState& state, const LedgerCounts& counts) {
  state.api_today = counts.api_today;
  state.token_today = counts.token_today;
  state.refused_today = counts.refused_today;
}

Admission LocalGovernor::ledgerFailed(const Error& error) {
  if (!ledger_failing_) {
    spdlog::error(
        "rate budget: the budget shared in the store cannot be reached; CC calls are refused until "
        "it can: {}",
        error.detail.empty() ? error.message : error.detail);
    ledger_failing_ = true;
  }
  return refusal(kStoreReason, kStoreRetry);
}

void LocalGovernor::ledgerAnswered() {
  if (!ledger_failing_) return;
  spdlog::info("rate budget: the budget shared in the store answers again");
  ledger_failing_ = false;
}

Admission LocalGovernor::admit(const CallTicket& call) {
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_.now();
  AppState& state = app(call.app_id);
  rollDay(state, now);
  if (auto refused = dayRefusal(state, call, now)) return refuse(state, call.app_id, *refused, now);
  DoorState& door = state.at(call.door);
  // Calls waiting in acquire of this class or a more urgent one go first: come back once the
  // slots they take have passed.
  if (door.queue.waitingAtOrAbove(call.call_class)) {
    return refusal("per_second", until(now, door.window.slotAt(now, door.queue.size())));
  }
  const Attempt tried = attempt(state, call, now);
  if (tried.refused) return refuse(state, call.app_id, *tried.refused, now);
  if (!tried.went) return refusal("per_second", tried.wait);
  Admission admitted;
  admitted.admitted = true;
  admitted.api_calls_left_today = std::max<int64_t>(0, api_per_day_ - spentToday(state));
  return admitted;
}

Admission LocalGovernor::acquire(const CallTicket& call, milliseconds max_wait) {
  std::unique_lock lock(mutex_);
  const TimePoint entered = clock_.now();
  AppState& state = app(call.app_id);
  rollDay(state, entered);
  if (auto refused = dayRefusal(state, call, entered)) return refuse(state, call.app_id, *refused, entered);
  DoorState& door = state.at(call.door);
  const FairQueue::Ticket ticket = door.queue.push(call.call_class, call.connection_id);
  const TimePoint deadline = entered + max_wait;
  const auto leave = [&](Admission refused, TimePoint now) {
    door.queue.cancel(ticket);
    moved_.notify_all();  // the call behind this one may be the head now
    refused.waited = until(entered, now);
    return refuse(state, call.app_id, refused, now);
  };
  while (true) {
    const TimePoint now = clock_.now();
    rollDay(state, now);
    if (door.queue.next() == ticket) {
      // A day that ran out while the call waited refuses it, and then each call behind it.
      const Attempt tried = attempt(state, call, now);
      if (tried.refused) return leave(*tried.refused, now);
      const milliseconds wait = tried.wait;
      if (tried.went) {
        door.queue.serve();
        moved_.notify_all();
        Admission admitted;
        admitted.admitted = true;
        admitted.waited = until(entered, now);
        admitted.api_calls_left_today = std::max<int64_t>(0, api_per_day_ - spentToday(state));
        return admitted;
      }
      if (now + wait > deadline) return leave(refusal("max_wait", wait), now);
      if (!door.sleeping) {
        door.sleeping = true;
        lock.unlock();
        try {
          waiter_(wait);
        } catch (...) {  // a test's waiter may throw; leave the queue as it would be without the call
          lock.lock();
          door.sleeping = false;
          door.queue.cancel(ticket);
          moved_.notify_all();
          throw;
        }
        lock.lock();
        door.sleeping = false;
        moved_.notify_all();  // a head that arrived while this call slept takes the slot
        continue;
      }
    } else {
      // Even if no other call arrives, its turn comes too late: say so now, not at the deadline.
      const TimePoint slot = door.window.slotAt(now, door.queue.position(ticket));
      if (slot > deadline) return leave(refusal("max_wait", until(now, slot)), now);
    }
    moved_.wait(lock);
  }
}

std::optional<Admission> LocalGovernor::tryAcquire(const CallTicket& call) {
  // Never waits, also not for the lock: another call may hold it through a store round trip (a
  // lease being taken), and the caller is an event loop that must not stop for that.
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return std::nullopt;
  const TimePoint now = clock_.now();
  AppState& state = app(call.app_id);
  rollDay(state, now);
  DoorState& door = state.at(call.door);
  // Waiting calls go first, in their fair order.
  if (door.queue.size() > 0 || door.sleeping) return std::nullopt;
  if (ledger_ != nullptr) {
    if (!fromLease(state, call, now)) return std::nullopt;
  } else {
    if (dayRefusal(state, call, now) || door.window.waitAt(now).count() > 0) return std::nullopt;
    grant(state, call, now);
  }
  Admission admitted;
  admitted.admitted = true;
  admitted.api_calls_left_today = std::max<int64_t>(0, api_per_day_ - spentToday(state));
  return admitted;
}

BudgetUse LocalGovernor::usage(const std::string& app_id) {
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_.now();
  AppState& state = app(app_id);
  rollDay(state, now);
  if (ledger_ != nullptr) {  // unreachable: the last counts known
    settle(state, app_id, now);
    if (auto counts = ledger_->counts(app_id, now)) {
      ledgerAnswered();
      useCounts(state, *counts);
    } else {
      ledgerFailed(counts.error());
    }
  }
  return {spentToday(state), api_per_day_, std::max<int64_t>(0, state.token_today - state.token.leased),
          state.refused_today};
}

BudgetSnapshot LocalGovernor::snapshot(const std::string& app_id) {
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_.now();
  AppState& state = app(app_id);
  rollDay(state, now);
  std::vector<ConnectionUse> shared_top;
  if (ledger_ != nullptr) settle(state, app_id, now);
  const bool shared = ledger_ != nullptr && readLedger(state, app_id, now, &shared_top);
  BudgetSnapshot out;
  out.app_id = app_id;
  out.api_per_second = api_per_second_;
  out.api_per_day = api_per_day_;
  out.token_per_second = token_per_second_;
  out.reserve_percent = reserve_percent_;
  out.used_today = spentToday(state);
  out.remaining_today = std::max<int64_t>(0, api_per_day_ - out.used_today);
  out.resets_at = midnightAfter(budgetDay(now));
  out.token_calls_today = std::max<int64_t>(0, state.token_today - state.token.leased);
  while (!state.last_minute.empty() && state.last_minute.front() + kMinute <= now)
    state.last_minute.pop_front();
  out.calls_last_minute = static_cast<int64_t>(state.last_minute.size());
  out.calls_last_second = std::count_if(state.last_minute.begin(), state.last_minute.end(),
                                        [&](TimePoint t) { return t + std::chrono::seconds(1) > now; });
  for (size_t c = 0; c < kCallClasses; ++c) {
    const auto call_class = static_cast<CallClass>(c);
    out.queued[c] = state.api.queue.depth(call_class) + state.token.queue.depth(call_class);
  }
  out.refused_today = state.refused_today;
  if (shared) {
    out.top_connections = std::move(shared_top);
    return out;
  }
  std::vector<ConnectionUse> uses;
  uses.reserve(state.api_by_connection.size());
  for (const auto& [id, calls] : state.api_by_connection) uses.push_back({id, calls});
  const size_t top = std::min(kTopConnections, uses.size());
  std::partial_sort(uses.begin(), uses.begin() + static_cast<std::ptrdiff_t>(top), uses.end(),
                    [](const ConnectionUse& a, const ConnectionUse& b) {
                      return a.calls_today != b.calls_today ? a.calls_today > b.calls_today
                                                            : a.connection_id < b.connection_id;
                    });
  uses.resize(top);
  out.top_connections = std::move(uses);
  return out;
}

}  // namespace liaison::hub
