#pragma once
// Connections as rows, and the refresh lease that fences concurrent holders: a lease is granted
// with a new fence number, and a token write succeeds only while the row still carries that
// fence, so a holder that paused past its lease can never overwrite what a newer holder wrote.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hub/store/hub_database.h"
#include "hub/store/model.h"

namespace liaison::hub {

struct RefreshedTokens {
  std::string sealed_access_token;
  std::string sealed_refresh_token;  // never empty: a response without one keeps the old token
  TimePoint access_expires_at{};
  std::vector<std::string> scopes;
};

// What happened to a refresh attempt, written only by the lease holder.
struct RefreshOutcome {
  std::string outcome;  // "ok", "invalid_grant", "unavailable", "interrupted", …
  ConnectionStatus status = ConnectionStatus::Active;
  int failures = 0;
  std::optional<TimePoint> not_before;
};

class ConnectionRepository {
 public:
  explicit ConnectionRepository(HubDatabase& db) : db_(db) {}

  Result<std::optional<Connection>> find(const std::string& id);
  Result<std::optional<Connection>> findByAccount(const std::string& app_id, const std::string& end_user_id,
                                                  const std::string& account_id);
  // Newest first; every connection when `end_user_id` is empty.
  Result<std::vector<Connection>> list(const std::string& end_user_id);
  Status insert(const Connection& connection);
  // A new grant for an existing connection (connected again, reconnect): identity, scopes and
  // tokens replaced in place, status active, generation bumped.
  Status replaceGrant(const Connection& updated);
  Status setStatus(const std::string& id, ConnectionStatus status, TimePoint now);
  // Disconnect: tokens erased (secure_delete zeroes them on disk), status disconnected.
  Status eraseTokens(const std::string& id, TimePoint now);

  // Grants the lease when no live lease exists; nullopt when another holder has it.
  Result<std::optional<RefreshLease>> acquireLease(const std::string& id, const std::string& holder,
                                                   TimePoint now, std::chrono::seconds duration);
  Status releaseLease(const RefreshLease& lease);
  // Marks that the refresh token is about to be spent at CC under `lease`: if the holder dies
  // before storing the answer, the next holder knows the stored refresh token may be dead.
  Result<bool> markRefreshInFlight(const RefreshLease& lease);
  // Compare-and-swap on the fence: false (nothing written) when the lease is no longer current.
  Result<bool> storeRefreshed(const RefreshLease& lease, const RefreshedTokens& tokens, TimePoint now);
  Result<bool> storeOutcome(const RefreshLease& lease, const RefreshOutcome& outcome, TimePoint now);
  // Whether the row's refresh_in_flight mark is set (a holder died mid-refresh).
  Result<bool> refreshWasInterrupted(const std::string& id);

  // Active connections whose access token expires before `expiring_before` plus a jitter of up
  // to `jitter` of their own (fixed per connection, so connections that expire together are
  // refreshed spread over the jitter, not all at once), whose back-off has passed and whose lease
  // is free; soonest first. Reads only an index range of rows.
  Result<std::vector<std::string>> dueForRefresh(TimePoint now, TimePoint expiring_before, int limit,
                                                 std::chrono::milliseconds jitter = {});
  // The same for connections not yet expiring whose refresh token was last used before
  // `idle_before`. Walks every connection: callers ask rarely.
  Result<std::vector<std::string>> idleForRefresh(TimePoint now, TimePoint expiring_before,
                                                  TimePoint idle_before, int limit);
  Result<std::map<std::string, int64_t>> countByStatus();
  // Key rotation: the same tokens sealed again, written only if no refresh changed them since
  // (`generation` is the token generation they were read at).
  Result<bool> resealTokens(const std::string& id, int64_t generation, const std::string& sealed_access,
                            const std::string& sealed_refresh);
  // Connections by the outcome of their last refresh ("" = never refreshed since connecting).
  Result<std::map<std::string, int64_t>> countByRefreshOutcome();

 private:
  HubDatabase& db_;
};

}  // namespace liaison::hub
