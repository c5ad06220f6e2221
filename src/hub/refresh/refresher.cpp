#include "hub/refresh/refresher.h"

#include <spdlog/spdlog.h>

#include "hub/connections/connect_service.h"
#include "hub/connections/event_data.h"
#include "oauth/errors.h"

namespace liaison::hub {

namespace {
// A token that expires within this margin is refreshed before use.
constexpr auto kUseMargin = std::chrono::seconds(60);
// How many times a caller waits for another process's lease before giving up.
constexpr int kLeaseWaits = 20;
// How often runDue looks for idle refresh tokens (CC drops them after 180 days unused).
constexpr auto kIdleSearchEvery = std::chrono::hours(1);
}  // namespace

Refresher::Refresher(ConnectionRepository& connections, EventLog& events, Vault& vault, CcClient& cc,
                     const Clock& clock, RandomSource& random, Waiter waiter, std::string holder,
                     RefreshSettings settings)
    : connections_(connections),
      events_(events),
      vault_(vault),
      cc_(cc),
      clock_(clock),
      random_(random),
      waiter_(std::move(waiter)),
      holder_(std::move(holder)),
      settings_(settings) {}

Result<Secret> Refresher::accessToken(const std::string& connection_id, CallClass call_class,
                                      bool after_unauthorized) {
  auto found = connections_.find(connection_id);
  if (!found) return found.error();
  if (!*found) return makeError(ErrorCode::NotFound, "not_found", "No connection has that id.");
  return accessToken(**found, call_class, after_unauthorized);
}

Result<Secret> Refresher::accessToken(const Connection& current, CallClass call_class,
                                      bool after_unauthorized) {
  if (current.status != ConnectionStatus::Active) {
    return makeError(ErrorCode::Conflict, "connection_not_active",
                     "The connection is " + std::string(toString(current.status)) + ": reconnect it first.");
  }
  if (!after_unauthorized && current.access_expires_at - kUseMargin > clock_.now()) {
    return openAccessToken(current);  // the common case: no copy of the row, no store read
  }
  const std::string& connection_id = current.id;
  const int64_t seen_generation = current.token_generation;
  auto refreshed = refresh(connection_id, call_class, after_unauthorized);
  if (!refreshed) return refreshed.error();
  auto found = connections_.find(connection_id);
  if (!found) return found.error();
  if (!*found || (*found)->status != ConnectionStatus::Active) {
    return makeError(ErrorCode::Conflict, "connection_not_active", "The connection needs to be reconnected.");
  }
  // The refresh this call waited on may have ended without a new token (its lease ran out
  // and another holder has not stored yet): never hand out the token that was due.
  const bool still_due = after_unauthorized || (*found)->access_expires_at - kUseMargin <= clock_.now();
  if ((*found)->token_generation == seen_generation && still_due) {
    return makeError(ErrorCode::Unavailable, "refresh_pending",
                     "The connection's token could not be renewed yet.");
  }
  return openAccessToken(**found);
}

Result<Secret> Refresher::openAccessToken(const Connection& connection) {
  if (auto known = opened_.find(connection.id, connection.sealed_access_token)) return std::move(*known);
  auto opened = vault_.open(connection.sealed_access_token, accessTokenContext(connection.id));
  if (opened) opened_.remember(connection.id, connection.sealed_access_token, *opened);
  return opened;
}

Status Refresher::refresh(const std::string& connection_id, CallClass call_class, bool force) {
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    std::unique_lock lock(mutex_);
    auto& slot = flights_[connection_id];
    if (!slot) {
      slot = std::make_shared<Flight>();
      leader = true;
    }
    flight = slot;
    if (!leader) {
      // Another caller in this process is refreshing: wait for its outcome.
      landed_.wait(lock, [&] { return flight->done; });
      return flight->status;
    }
  }
  Status status = refreshOnce(connection_id, call_class, force);
  {
    std::lock_guard lock(mutex_);
    flight->status = status;
    flight->done = true;
    flights_.erase(connection_id);
  }
  landed_.notify_all();
  return status;
}

Status Refresher::refreshOnce(const std::string& connection_id, CallClass call_class, bool force) {
  auto before = connections_.find(connection_id);
  if (!before) return before.error();
  if (!*before) return makeError(ErrorCode::NotFound, "not_found", "No connection has that id.");
  for (int attempt = 0; attempt <= kLeaseWaits; ++attempt) {
    auto lease = connections_.acquireLease(connection_id, holder_, clock_.now(), settings_.lease);
    if (!lease) return lease.error();
    if (*lease) {
      Status status = refreshUnderLease(**lease, **before, call_class, force);
      (void)connections_.releaseLease(**lease);
      return status;
    }
    // Another process holds the lease. Scheduled work leaves the connection to it (hub processes
    // on one store read the same due list: the lease is how each connection goes to one of
    // them); a caller that needs the token waits, as the new one is its answer when it lands.
    if (call_class == CallClass::Background) break;
    waiter_(std::chrono::milliseconds(250));
    auto now_row = connections_.find(connection_id);
    if (now_row && *now_row && (*now_row)->token_generation != (*before)->token_generation) return okStatus();
  }
  return makeError(ErrorCode::Unavailable, "refresh_busy",
                   "Another hub process is refreshing this connection.");
}

void Refresher::count(const char* outcome) {
  if (settings_.metrics) settings_.metrics->increment("liaison_refreshes_total", {{"outcome", outcome}});
}

std::chrono::seconds Refresher::backoff(int failures) {
  // Exponential with full jitter, capped: 30 s, 60 s, 120 s, … up to max_backoff.
  const int64_t cap = settings_.max_backoff.count();
  const int64_t base = std::min<int64_t>(cap, int64_t{30} << std::min(failures, 10));
  return std::chrono::seconds(base / 2 + random_.uniform(static_cast<uint32_t>(base / 2 + 1)));
}

Status Refresher::refreshUnderLease(const RefreshLease& lease, const Connection& seen, CallClass call_class,
                                    bool force) {
  // Re-read under the lease: another holder may have refreshed while we waited for it.
  auto current = connections_.find(lease.connection_id);
  if (!current) return current.error();
  if (!*current) return makeError(ErrorCode::NotFound, "not_found", "No connection has that id.");
  const Connection& c = **current;
  if (c.status != ConnectionStatus::Active || c.sealed_refresh_token.empty()) {
    return makeError(ErrorCode::Conflict, "connection_not_active", "The connection needs to be reconnected.");
  }
  const TimePoint now = clock_.now();
  if (c.token_generation != seen.token_generation) return okStatus();
  // Due within the lead time and its jitter (runDue picks each connection somewhere in it).
  const auto lead = settings_.ahead + settings_.ahead / 2;
  const bool due =
      c.access_expires_at - lead <= now || c.refresh_token_used_at + settings_.idle_refresh_after <= now;
  if (!force && !due) return okStatus();
  auto mark = connections_.refreshMark(c.id);
  if (!mark) return mark.error();
  if (*mark > 0 && c.refresh_not_before && now < *c.refresh_not_before) {
    // An earlier holder sent the refresh token and never stored an outcome: it may be paused
    // with CC's answer in hand. Spending the token now would kill that answer (CC invalidates
    // every earlier refresh token), so wait for it until the deadline.
    return makeError(ErrorCode::Unavailable, "refresh_pending",
                     "Another hub process is finishing this connection's refresh.");
  }
  // From here on, a set mark means an earlier refresh may have been spent at CC unseen.
  const bool interrupted = *mark != RefreshMark::kNone;
  auto refresh_token = vault_.open(c.sealed_refresh_token, refreshTokenContext(c.id));
  if (!refresh_token) {
    spdlog::error("connection {}: stored refresh token does not open ({})", c.id, refresh_token.error().key);
    (void)connections_.storeOutcome(lease, {"unreadable", ConnectionStatus::ReauthRequired, 0, std::nullopt},
                                    now);
    Connection dead = c;
    dead.status = ConnectionStatus::ReauthRequired;
    (void)events_.append("connection.reauth_required", c.id,
                         connectionEventData(dead, "stored token unreadable"));
    return refresh_token.error();
  }
  // The mark goes on right before the token goes out (after any wait for the budget): from
  // then on CC may rotate it, and a crash before storeRefreshed leaves the mark behind.
  bool lease_moved_on = false;
  SendCondition condition;
  condition.before = lease.until;
  condition.commit = [&] {
    auto marked = connections_.markRefreshInFlight(lease, lease.until + settings_.answer_wait);
    lease_moved_on = marked.ok() && !*marked;
    return marked.ok() && *marked;
  };
  auto grant = cc_.refresh(*refresh_token, call_class, c.id, condition);
  if (lease_moved_on) return okStatus();  // a newer holder owns the refresh
  const TimePoint after = clock_.now();
  if (grant) {
    RefreshedTokens tokens;
    auto access = vault_.seal(grant->access_token, accessTokenContext(c.id));
    // CC may keep the refresh token (long-lived): never replace it with nothing.
    auto refresh = grant->refresh_token ? vault_.seal(*grant->refresh_token, refreshTokenContext(c.id))
                                        : Result<std::string>(c.sealed_refresh_token);
    if (!access) return access.error();
    if (!refresh) return refresh.error();
    tokens.sealed_access_token = *access;
    tokens.sealed_refresh_token = *refresh;
    tokens.access_expires_at = after + std::chrono::seconds(grant->expires_in > 0 ? grant->expires_in : 3600);
    tokens.scopes = grant->scopes.empty() ? c.scopes : grant->scopes;
    auto stored = connections_.storeRefreshed(lease, tokens, after);
    if (!stored) return stored.error();
    if (!*stored) {
      spdlog::warn("connection {}: refresh answer discarded, another holder spent the token since (fence {})",
                   c.id, lease.fence);
      return makeError(ErrorCode::Conflict, "lease_lost",
                       "The refresh lease expired before the answer arrived.");
    }
    count("ok");
    if (c.refresh_failures > 0 || c.last_refresh_outcome == "unavailable") {
      (void)events_.append("connection.recovered", c.id, connectionEventData(c, "refresh succeeded again"));
    }
    return okStatus();
  }
  const Error& error = grant.error();
  if (error.key != oauth::errors::kInvalidGrant &&
      (error.key == oauth::errors::kInvalidClient || error.code == ErrorCode::Unauthorized)) {
    // CC refused the hub's own client credentials (a 401 at the token endpoint is client
    // authentication, RFC 6749 §5.2), e.g. a secret regenerated in CC's portal: a fix for the
    // operator, not a verdict on this grant. Ending the connection would make its user
    // reconnect for nothing; keep it, back off, and say so.
    spdlog::error(
        "connection {}: CC refused the hub's client credentials ({}); check the client id and secret", c.id,
        error.key);
    count("invalid_client");
    const int failures = c.refresh_failures + 1;
    (void)connections_.storeOutcome(
        lease, {"invalid_client", ConnectionStatus::Active, failures, after + backoff(failures), interrupted},
        after);
    return error;
  }
  if (error.key == oauth::errors::kInvalidGrant) {
    // The grant is dead (revoked, expired, or spent by a refresh whose answer was lost): one
    // attempt, no retry loop.
    const bool lost = interrupted;
    count(lost ? "interrupted" : "invalid_grant");
    const std::string outcome = lost ? "interrupted" : error.key;
    (void)connections_.storeOutcome(lease, {outcome, ConnectionStatus::ReauthRequired, 0, std::nullopt},
                                    after);
    Connection dead = c;
    dead.status = ConnectionStatus::ReauthRequired;
    (void)events_.append(
        "connection.reauth_required", c.id,
        connectionEventData(dead, lost ? "a refresh was interrupted after CC rotated the token"
                                       : "Constant Contact answered " + error.key));
    return error;
  }
  // Outage, 5xx, 429, throttled: stay active, back off, try again later.
  if (error.key == "budget.exhausted" || error.key == "upstream.too_late") {
    count("throttled");
    // The hub's own rate budget said wait, or the lease ran out while waiting for it: not a
    // failure of CC, so no back-off is counted (and the refresh token was not sent).
    (void)connections_.storeOutcome(lease,
                                    {c.last_refresh_outcome, ConnectionStatus::Active, c.refresh_failures,
                                     after + std::chrono::seconds(1), interrupted},
                                    after);
    return error;
  }
  count("unavailable");
  const int failures = c.refresh_failures + 1;
  // No answer at all (a timeout, a dropped connection): CC may have rotated the token anyway.
  const bool answer_lost = interrupted || error.key == UpstreamError::kNoAnswer;
  (void)connections_.storeOutcome(
      lease, {"unavailable", ConnectionStatus::Active, failures, after + backoff(failures), answer_lost},
      after);
  return error;
}

int Refresher::runDue(int limit) {
  const TimePoint now = clock_.now();
  // Jitter of up to half the lead time: tokens issued together are not refreshed together.
  const auto jitter = std::chrono::duration_cast<std::chrono::milliseconds>(settings_.ahead) / 2;
  auto due = connections_.dueForRefresh(now, now + settings_.ahead, limit, jitter);
  if (!due) return 0;
  // Idle refresh tokens (unused for months) are looked for once an hour, and at every run while
  // the last search found some: that search walks every connection, and the worker runs every
  // second.
  bool search_idle = false;
  {
    std::lock_guard lock(mutex_);
    search_idle = idle_found_ || now - last_idle_search_ >= kIdleSearchEvery;
  }
  if (search_idle && static_cast<int>(due->size()) < limit) {
    auto idle = connections_.idleForRefresh(now, now + settings_.ahead, now - settings_.idle_refresh_after,
                                            limit - static_cast<int>(due->size()));
    if (idle) {
      std::lock_guard lock(mutex_);
      last_idle_search_ = now;
      idle_found_ = !idle->empty();
      due->insert(due->end(), idle->begin(), idle->end());
    }
  }
  int attempted = 0;
  for (const auto& id : *due) {
    auto status = refresh(id, CallClass::Background, false);
    // The token endpoint is full this second: the rest waits for the next tick. The refused
    // attempt is not work done, or the worker (which runs again at once after work) would spin
    // on the store until the second is over.
    if (!status && status.error().key == "budget.exhausted") break;
    ++attempted;
  }
  return attempted;
}

}  // namespace liaison::hub
