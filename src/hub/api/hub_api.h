#pragma once
// The hub's REST API (/api/v1), its connect pages (/connect), /healthz and /metrics. Request
// handling is a pure function Request -> Response over the hub's services, so the same tests
// run in process and over HTTP. Every /api/v1 route needs `Authorization: Bearer <hub API key>`.
#include <functional>
#include <optional>
#include <string>

#include "core/metrics.h"
#include "core/ttl_cache.h"
#include "http/router.h"
#include "hub/budget/governor.h"
#include "hub/connections/connect_service.h"
#include "hub/refresh/refresher.h"
#include "hub/store/api_key_repository.h"
#include "hub/store/event_log.h"

namespace liaison::hub::api {

struct HubApiDeps {
  HubDatabase& db;
  ConnectionRepository& connections;
  SessionRepository& sessions;
  ApiKeyRepository& keys;
  EventLog& events;
  ConnectService& connect;
  Refresher& refresher;
  CcClient& cc;
  Governor& governor;
  Metrics& metrics;
  const Clock& clock;
  std::string public_url;  // no trailing slash
  std::string app_name;    // shown on the connect page
  // The connection's health as the API renders it (cached unless `fresh`).
  std::function<Result<std::string>(const std::string& connection_id, bool fresh)> health;
};

class HubApi {
 public:
  explicit HubApi(HubApiDeps deps);
  http::Dispatch dispatch(http::Request& request) const;
  http::Response handle(http::Request& request) const;
  // Adds a route that needs the hub API key (webhooks and later domains register theirs).
  void addAuthenticated(const std::string& method, const std::string& pattern, http::Handler handler);
  // Serves every method and path under `prefix` ("/proxy") with `handler`, behind the hub API key;
  // large bodies reach it as a stream (Request::body_stream). `async`, when given, serves the
  // requests whose body came whole and whose key is known live in memory, on the I/O thread
  // (http/reply.h); the others go to `handler` on the blocking pool.
  void setPrefixHandler(std::string prefix, http::Handler handler, http::AsyncHandler async = {});
  const http::Router& router() const { return router_; }

 private:
  void addRoutes();
  void addConnectPages();
  http::Response createSession(http::Request& request, const std::string& reconnect_id) const;
  http::Response permissions(const std::string& connection_id) const;

  HubApiDeps deps_;
  http::Router router_;
  // The hub API key check every authenticated route runs first: nullopt when the key is good.
  std::optional<http::Response> refuseWithoutKey(const http::Request& request) const;
  // Whether the request's key is one found live in the last second (no store read).
  bool keyKnownLive(const http::Request& request) const;

  std::string prefix_;
  http::Handler prefix_handler_;
  http::AsyncHandler prefix_async_;
  http::Handler not_found_;
  http::Handler method_not_allowed_;
  // Hashes of keys found live in the last second: a key is checked on every request (every
  // proxied call), and a revocation made by this process shows at once, by another within the second.
  mutable TtlCache<std::string, bool> live_keys_;
};

}  // namespace liaison::hub::api
