#pragma once
// Keeps access tokens fresh. A refresh happens ahead of expiry (scheduled, with jitter), after
// a 401 from CC, and for idle connections before CC's 180-day refresh-token expiry. Exactly one
// refresh per connection runs at a time: callers in this process share one attempt (they wait
// for it instead of starting another), and processes sharing the store take a fenced lease;
// the new token pair is written only while the lease is still current, so a holder that paused
// past its lease can never spend or overwrite a rotated token.
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/metrics.h"
#include "core/random.h"
#include "hub/refresh/opened_tokens.h"
#include "hub/store/connection_repository.h"
#include "hub/store/event_log.h"
#include "hub/upstream/cc_client.h"
#include "hub/vault/vault.h"

namespace liaison::hub {

struct RefreshSettings {
  std::chrono::seconds ahead{600};  // refresh this long before the access token expires
  std::chrono::seconds lease{60};
  // After a holder's lease runs out with its refresh token sent and no outcome stored, how long
  // other holders still wait for its answer before spending the token again. A paused process
  // (a long GC-free stall, SIGSTOP, a VM migration) holding CC's answer then stores it instead of
  // losing the connection; a dead one delays that connection's refresh by this much. Zero for
  // long-lived refresh tokens, which a second refresh does not spend.
  std::chrono::seconds answer_wait{120};
  std::chrono::seconds idle_refresh_after{std::chrono::hours(24 * 150)};  // CC's limit is 180 days
  std::chrono::seconds max_backoff{std::chrono::minutes(30)};
  Metrics* metrics = nullptr;  // liaison_refreshes_total{outcome} when given
};

class Refresher {
 public:
  Refresher(ConnectionRepository& connections, EventLog& events, Vault& vault, CcClient& cc,
            const Clock& clock, RandomSource& random, Waiter waiter, std::string holder,
            RefreshSettings settings);

  // A usable access token for the connection, refreshing first when it expires within a minute
  // (or always, when `after_unauthorized`: CC just refused the current one).
  Result<Secret> accessToken(const std::string& connection_id, CallClass call_class,
                             bool after_unauthorized = false);
  // The same for a connection just read from the store (saves reading it again).
  Result<Secret> accessToken(const Connection& current, CallClass call_class,
                             bool after_unauthorized = false);
  // One refresh attempt now (shared with any attempt already running for this connection).
  Status refresh(const std::string& connection_id, CallClass call_class, bool force);
  // Refreshes connections that are due; stops early when the governor has no room. Returns
  // how many refreshes it attempted (one the governor turned away does not count).
  int runDue(int limit);

 private:
  Result<Secret> openAccessToken(const Connection& connection);
  Status refreshOnce(const std::string& connection_id, CallClass call_class, bool force);
  Status refreshUnderLease(const RefreshLease& lease, const Connection& seen, CallClass call_class,
                           bool force);
  std::chrono::seconds backoff(int failures);
  void count(const char* outcome);

  ConnectionRepository& connections_;
  EventLog& events_;
  Vault& vault_;
  CcClient& cc_;
  const Clock& clock_;
  RandomSource& random_;
  Waiter waiter_;
  std::string holder_;
  RefreshSettings settings_;

  struct Flight {
    bool done = false;
    Status status = okStatus();
  };
  OpenedTokens opened_;
  std::mutex mutex_;
  std::condition_variable landed_;
  std::map<std::string, std::shared_ptr<Flight>> flights_;
  TimePoint last_idle_search_{};  // under mutex_
  bool idle_found_ = false;       // under mutex_: the last search for idle refresh tokens found some
};

}  // namespace liaison::hub
