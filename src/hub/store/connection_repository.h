#pragma once
// Connections as rows, and the refresh lease that fences concurrent holders: a lease is granted
// with a new fence number, and a token write succeeds only while the row still carries that
// fence, so a holder that paused past its lease can never overwrite what a newer holder wrote.
#include <atomic>
#include <cstdint>
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
  // The refresh token may have been spent at CC without the answer reaching the hub (a transport
  // failure after sending, or an earlier such attempt not yet resolved): the row remembers it, so
  // a later invalid_grant is reported as an interrupted refresh, not as a revoked grant.
  bool answer_lost = false;
};

// The row's refresh_in_flight mark: who may still hold an answer from CC.
struct RefreshMark {
  static constexpr int64_t kNone = 0;
  static constexpr int64_t kAnswerLost = -1;  // sent, and its answer will never arrive
  // Any positive value is the fence of the holder that sent the refresh token and has not stored
  // an outcome: it may be dead, or paused with CC's answer in hand.
};

// A position in the connection list, which runs newest first by (created_at, id), both descending.
// Both are fixed when a connection is created and rows are never deleted, so pages that continue
// after a key never repeat or skip a row; a connection created meanwhile sorts before the keys
// already handed out (unless it shares a key's millisecond) and so appears on no later page.
struct ConnectionPageKey {
  TimePoint created_at{};
  std::string id;
};

struct ConnectionPage {
  std::vector<Connection> connections;
  std::optional<ConnectionPageKey> next;  // where the next page starts; empty on the last page
};

// The indexes that let a page of the list be read as one index range (see listPage). The runtime
// numbers this migration after the webhook tables, which already hold number 2 in existing files.
extern const char* const kConnectionPageIndexSql;
// Hub migration 6: each connection's fixed point inside the refresh jitter (dueForRefresh).
extern const storage::Migration kConnectionRefreshSpread;

// The table savePrivileges/findPrivileges use (a migration the runtime applies after the page indexes).
extern const char* const kConnectionPrivilegesSchemaSql;

class ConnectionRepository {
 public:
  explicit ConnectionRepository(HubDatabase& db) : db_(db) {}

  Result<std::optional<Connection>> find(const std::string& id);
  Result<std::optional<Connection>> findByAccount(const std::string& app_id, const std::string& end_user_id,
                                                  const std::string& account_id);
  // Newest first (as listPage orders them); every connection when `end_user_id` is empty.
  Result<std::vector<Connection>> list(const std::string& end_user_id);
  // At most `limit` connections after `after` (from the newest when empty), newest first, of one
  // end user when `end_user_id` is set. Reads limit + 1 rows found by an index range, never the whole table.
  Result<ConnectionPage> listPage(const std::string& end_user_id,
                                  const std::optional<ConnectionPageKey>& after, int limit);
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
  // Marks that the refresh token is about to be spent at CC under `lease` (the mark is the
  // lease's fence): if the holder dies before storing the answer, the next holder knows the stored
  // refresh token may be dead; if it is only paused, its answer is awaited until `answer_deadline`
  // (kept in refresh_not_before) before anyone spends the token again.
  Result<bool> markRefreshInFlight(const RefreshLease& lease, TimePoint answer_deadline);
  // Compare-and-swap: written while the lease is current, or after it ran out as long as no other
  // holder has sent a refresh token since this one did (the row still carries its mark), because
  // then this answer holds the only live pair. False (nothing written) otherwise.
  Result<bool> storeRefreshed(const RefreshLease& lease, const RefreshedTokens& tokens, TimePoint now);
  Result<bool> storeOutcome(const RefreshLease& lease, const RefreshOutcome& outcome, TimePoint now);
  // The row's refresh_in_flight mark (see RefreshMark).
  Result<int64_t> refreshMark(const std::string& id);

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
  // The CC user's privileges as last read from CC (at connect time and at each health check),
  // so the proxy can tell a call the user may not make without asking CC. nullopt: never read.
  Status savePrivileges(const std::string& id, const std::vector<std::string>& privileges, TimePoint read_at);
  Result<std::optional<std::vector<std::string>>> findPrivileges(const std::string& id);
  // Connections by the outcome of their last refresh ("" = never refreshed since connecting).
  Result<std::map<std::string, int64_t>> countByRefreshOutcome();

  // Moves on after every write of a row or privileges through this repository (core/ttl_cache.h).
  uint64_t version() const { return version_.load(); }

 private:
  HubDatabase& db_;
  std::atomic<uint64_t> version_{0};
};

}  // namespace liaison::hub
