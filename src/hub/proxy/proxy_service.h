#pragma once
// /proxy/v3/{path}: the host app's calls to CC on behalf of one connection, without ever seeing
// its token. The hub checks the target (only the configured v3 base is reachable), the
// connection (this app's, active) and the operation (the connection's scopes and the user's
// privileges allow it), injects the token, waits its turn at the shared rate budget, renews the
// token once on a 401, retries 429/5xx/timeouts for calls that are safe to repeat, and answers
// with CC's status, headers that matter and body. Errors of its own are in the hub's format.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/ttl_cache.h"
#include "http/message.h"
#include "http/reply.h"
#include "hub/proxy/idempotency_store.h"
#include "hub/proxy/proxy_guard.h"
#include "hub/refresh/refresher.h"
#include "hub/store/connection_repository.h"
#include "hub/upstream/cc_client.h"

namespace liaison::hub::proxy {

struct ProxySettings {
  int max_attempts = 3;                          // a call safe to repeat is sent at most this often
  std::chrono::milliseconds first_backoff{500};  // doubled per attempt, full jitter
  std::chrono::milliseconds max_backoff{8000};
  // How long a connection's row and privileges read for one call serve the next calls (0: read
  // every time). Writes this process makes show at once; another process's within this time.
  std::chrono::milliseconds row_cache{1000};
};

struct ProxyDeps {
  ConnectionRepository& connections;
  Refresher& refresher;
  CcClient& cc;
  Governor& governor;
  IdempotencyStore& idempotency;
  const Clock& clock;
  RandomSource& random;
  Waiter waiter;
  std::string app_id;  // the CC app this hub serves: connections of other apps are not found
};

class ProxyService {
 public:
  ProxyService(ProxyDeps deps, ProxySettings settings = {});
  // `request.target` starts with /proxy (the hub API key was checked by the caller). A large
  // body may come as `request.body_stream`: it goes on to CC as it is read.
  http::Response handle(http::Request& request);
  http::Response handle(http::Request&& request) { return handle(request); }
  // The same from an I/O thread, never waiting there: a call whose connection row, privileges and
  // budget are at hand in memory (the caches above, a budget lease) goes out on `upstream` and is
  // answered from its callback; any other call, and an answer that needs a renewal or a retry,
  // goes on on the blocking pool (handle()).
  void handleAsync(http::Request& request, http::AsyncHttpClient& upstream, http::Reply reply);

 private:
  // A call sent from the event loop: its answer is the first attempt's.
  struct FirstAttempt {
    Result<http::StreamedResponse> response;
    Admission budget;
  };
  struct FastCall {
    std::shared_ptr<const Connection> connection;
    std::string url;
    std::string operation;
    bool repeatable = false;
    Admission budget;
    http::ClientRequest upstream;
  };
  http::Response call(const http::Request& request, const Connection& connection, const std::string& url,
                      const std::string& operation, bool repeatable,
                      std::shared_ptr<FirstAttempt> first = nullptr);
  // Everything the fast path needs, or nullopt when the call takes the blocking path.
  std::optional<FastCall> fastCall(const http::Request& request);
  std::string upstreamUrl(const ProxyTarget& target) const;
  // The connection's row, from the cache while it is fresh there.
  Result<std::optional<Connection>> findConnection(const std::string& id);
  Result<std::optional<std::vector<std::string>>> findPrivileges(const std::string& id);

  ProxyDeps deps_;
  ProxySettings settings_;
  // Only rows of active connections whose token is far from due are kept: a cached row never
  // makes a call refresh, and a refresh anywhere in this process drops every entry.
  // Shared, so that a call on the event loop takes a row without copying it.
  TtlCache<std::string, std::shared_ptr<const Connection>> rows_;
  TtlCache<std::string, std::shared_ptr<const std::optional<std::vector<std::string>>>> privileges_;
};

}  // namespace liaison::hub::proxy
