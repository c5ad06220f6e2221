#include "hub/api/hub_api.h"

#include <nlohmann/json.hpp>

#include "cc/scopes.h"
#include "core/json_fields.h"
#include "crypto/hash.h"
#include "hub/api/openapi.h"
#include "hub/api/wire.h"

namespace liaison::hub::api {

using nlohmann::json;

namespace {

constexpr auto kLiveKeyTtl = std::chrono::seconds(1);
constexpr const char* kKeyRemedy =
    "Send the hub API key as 'Authorization: Bearer lsk_…' (create one with `liaison keys create --name "
    "NAME`).";

Result<json> readBody(const http::Request& request) {
  if (request.body.empty()) return json::object();
  auto body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return makeError(ErrorCode::InvalidRequest, "invalid_json", "The request body must be a JSON object.");
  }
  return body;
}

Result<Connection> loadConnection(ConnectionRepository& connections, const std::string& id) {
  auto found = connections.find(id);
  if (!found) return found.error();
  if (!*found) return makeError(ErrorCode::NotFound, "not_found", "No connection has the id '" + id + "'.");
  return **found;
}

// `limit` of a listing: 100 when absent, else a whole number from 1 to 1000.
Result<int> pageLimit(const Params& query) {
  const std::string l = query.getOr("limit");
  if (l.empty()) return 100;
  if (l.size() > 4 || l.find_first_not_of("0123456789") != std::string::npos || std::stoi(l) < 1 ||
      std::stoi(l) > 1000) {
    return makeError(ErrorCode::InvalidRequest, "invalid_request",
                     "limit must be a whole number from 1 to 1000.");
  }
  return std::stoi(l);
}

}  // namespace

HubApi::HubApi(HubApiDeps deps) : deps_(std::move(deps)), live_keys_(deps_.clock, kLiveKeyTtl) {
  not_found_ = [](http::Request& request) {
    return errorResponse(ErrorCode::NotFound, "not_found",
                         "No route matches " + std::string(request.path()) + ".");
  };
  method_not_allowed_ = [this](http::Request& request) {
    auto response = errorResponse(ErrorCode::MethodNotAllowed, "method_not_allowed",
                                  "The method " + request.method + " is not served here.");
    response.headers.set("Allow", router_.allow(request.path()));
    return response;
  };
  addRoutes();
  addConnectPages();
}

http::Dispatch HubApi::dispatch(http::Request& request) const {
  if (prefix_handler_) {
    const std::string_view path = request.path();
    if (path == prefix_ || path.starts_with(prefix_ + "/")) {
      http::Dispatch dispatch{&prefix_handler_, http::Execution::Blocking, true};
      if (prefix_async_) dispatch.async_handler = &prefix_async_;
      return dispatch;
    }
  }
  auto match = router_.match(request);
  if (match.route) return {&match.route->handler, match.route->execution};
  return {match.path_matched ? &method_not_allowed_ : &not_found_, http::Execution::Inline};
}

http::Response HubApi::handle(http::Request& request) const { return (*dispatch(request).handler)(request); }

std::optional<http::Response> HubApi::refuseWithoutKey(const http::Request& request) const {
  const auto header = request.header("Authorization");
  if (!header || !header->starts_with("Bearer ") || request.headers.count("Authorization") != 1) {
    return errorResponse(ErrorCode::Unauthorized, "unauthorized", "A hub API key is required.", kKeyRemedy);
  }
  const std::string hash = crypto::sha256Hex(header->substr(7));
  const uint64_t version = deps_.keys.version();
  if (live_keys_.get(hash, version)) return std::nullopt;
  auto key = deps_.keys.findLiveByHash(hash);
  if (!key) return errorResponse(key.error());
  if (!*key) {
    return errorResponse(ErrorCode::Unauthorized, "unauthorized",
                         "The hub API key is not valid or was revoked.", kKeyRemedy);
  }
  live_keys_.put(hash, true, version);
  return std::nullopt;
}

void HubApi::addAuthenticated(const std::string& method, const std::string& pattern, http::Handler handler) {
  router_.add(
      method, pattern,
      [this, handler = std::move(handler)](http::Request& request) {
        if (auto refused = refuseWithoutKey(request)) return std::move(*refused);
        return handler(request);
      },
      http::Execution::Blocking);
}

bool HubApi::keyKnownLive(const http::Request& request) const {
  const auto header = request.header("Authorization");
  if (!header || !header->starts_with("Bearer ") || request.headers.count("Authorization") != 1) return false;
  // Hashing the key was a few percent of a proxied call's CPU. A hub serves few keys, so each I/O
  // thread keeps the last key it hashed with its hash (compared in constant time: the memo holds a
  // valid key, and a compare that stops early would time how much of it a guess got right).
  struct Memo {
    std::string key;
    std::string hash;
  };
  thread_local Memo memo;
  const std::string_view presented = std::string_view(*header).substr(7);
  if (memo.hash.empty() || !crypto::constantTimeEquals(memo.key, presented)) {
    memo.key = std::string(presented);
    memo.hash = crypto::sha256Hex(presented);
  }
  return live_keys_.get(memo.hash, deps_.keys.version()).has_value();
}

void HubApi::setPrefixHandler(std::string prefix, http::Handler handler, http::AsyncHandler async) {
  prefix_ = std::move(prefix);
  prefix_handler_ = [this, handler = std::move(handler)](http::Request& request) {
    if (auto refused = refuseWithoutKey(request)) return std::move(*refused);
    return handler(request);
  };
  prefix_async_ = nullptr;
  if (!async) return;
  prefix_async_ = [this, async = std::move(async)](http::Request& request, http::AsyncHttpClient& upstream,
                                                   http::Reply reply) {
    // A key not seen live within the second is checked against the store, off the I/O thread.
    if (!keyKnownLive(request)) {
      reply.offload([this, &request] { return prefix_handler_(request); });
      return;
    }
    async(request, upstream, reply);
  };
}

http::Response HubApi::createSession(http::Request& request, const std::string& reconnect_id) const {
  auto body = readBody(request);
  if (!body) return errorResponse(body.error());
  JsonFields fields(*body, "invalid_request");
  SessionRequest session;
  if (!reconnect_id.empty()) {
    auto connection = loadConnection(deps_.connections, reconnect_id);
    if (!connection) return errorResponse(connection.error());
    session.end_user_id = connection->end_user_id;
    session.scopes = connection->scopes;
    session.reconnect_connection_id = reconnect_id;
  } else {
    auto end_user = fields.requiredString("end_user_id", TextRule{255, false, false});
    if (!end_user) return errorResponse(end_user.error());
    session.end_user_id = *end_user;
  }
  auto flow = fields.optionalEnum("flow", {"redirect", "device"});
  if (!flow) return errorResponse(flow.error());
  session.flow = *flow == std::optional<std::string>("device") ? SessionFlow::Device : SessionFlow::Redirect;
  auto scopes = fields.optionalStrings("scopes", 20, TextRule{64, false, false});
  if (!scopes) return errorResponse(scopes.error());
  if (*scopes) {
    for (const auto& scope : **scopes) {
      if (!cc::findScope(scope)) {
        return errorResponse(ErrorCode::InvalidRequest, "invalid_scope",
                             "'" + scope + "' is not a Constant Contact scope.",
                             "Use scopes from CC's list: account_read, account_update, contact_data, "
                             "campaign_data, offline_access.");
      }
    }
    session.scopes = **scopes;
  }
  auto return_url = fields.optionalString("return_url", TextRule{2048, false, false});
  if (!return_url) return errorResponse(return_url.error());
  if (*return_url) {
    if (!(*return_url)->starts_with("https://") && !(*return_url)->starts_with("http://")) {
      return errorResponse(ErrorCode::InvalidRequest, "invalid_request",
                           "return_url must be an absolute http(s) URL.");
    }
    session.return_url = **return_url;
  }
  auto created = deps_.connect.startSession(session);
  if (!created) return errorResponse(created.error());
  return http::Response::json(201, sessionJson(*created, deps_.public_url));
}

void HubApi::addRoutes() {
  router_.add(
      "GET", "/healthz",
      [this](http::Request&) {
        const bool store = deps_.db.reachable();
        return http::Response::json(store ? 200 : 503, {{"status", store ? "ok" : "store_unreachable"}});
      },
      http::Execution::Blocking);
  router_.add(
      "GET", "/metrics",
      [this](http::Request&) {
        auto response = http::Response::text(200, deps_.metrics.render());
        response.headers.set("Content-Type", "text/plain; version=0.0.4");
        return response;
      },
      http::Execution::Blocking);
  router_.add("GET", "/api/v1/openapi.json", [](http::Request&) {
    auto response = http::Response::text(200, std::string(openApiDocument()));
    response.headers.set("Content-Type", "application/json");
    return response;
  });

  addAuthenticated("POST", "/api/v1/connect-sessions",
                   [this](http::Request& r) { return createSession(r, ""); });
  addAuthenticated("GET", "/api/v1/connect-sessions/{id}", [this](http::Request& r) {
    auto found = deps_.sessions.find(r.param("id"));
    if (!found) return errorResponse(found.error());
    if (!*found) return errorResponse(ErrorCode::NotFound, "not_found", "No connect session has that id.");
    return http::Response::json(200, sessionJson(**found, deps_.public_url));
  });
  addAuthenticated("GET", "/api/v1/connections", [this](http::Request& r) {
    auto query = r.query();
    if (!query)
      return errorResponse(ErrorCode::InvalidRequest, "invalid_request", "The query string is malformed.");
    auto limit = pageLimit(*query);
    if (!limit) return errorResponse(limit.error());
    std::optional<ConnectionPageKey> after;
    if (const std::string a = query->getOr("after"); !a.empty()) {
      after = parseConnectionCursor(a);
      if (!after)
        return errorResponse(
            ErrorCode::InvalidRequest, "invalid_request",
            "after must be the next_after of an earlier page of connections.",
            "Pass next_after back as it was sent, or leave after out to start from the newest.");
    }
    auto page = deps_.connections.listPage(query->getOr("end_user_id"), after, *limit);
    if (!page) return errorResponse(page.error());
    json out = json::array();
    for (const auto& c : page->connections) out.push_back(connectionJson(c));
    json body = {{"connections", out}};
    if (page->next) body["next_after"] = connectionCursor(*page->next);
    return http::Response::json(200, body);
  });
  addAuthenticated("GET", "/api/v1/connections/{id}", [this](http::Request& r) {
    auto c = loadConnection(deps_.connections, r.param("id"));
    if (!c) return errorResponse(c.error());
    return http::Response::json(200, connectionJson(*c));
  });
  addAuthenticated("DELETE", "/api/v1/connections/{id}", [this](http::Request& r) {
    auto status = deps_.connect.disconnect(r.param("id"));
    if (!status) return errorResponse(status.error());
    return http::Response::noContent();
  });
  addAuthenticated("POST", "/api/v1/connections/{id}/reconnect",
                   [this](http::Request& r) { return createSession(r, r.param("id")); });
  addAuthenticated("GET", "/api/v1/connections/{id}/health", [this](http::Request& r) {
    auto query = r.query();
    const bool fresh = query && query->getOr("fresh") == "true";
    auto c = loadConnection(deps_.connections, r.param("id"));
    if (!c) return errorResponse(c.error());
    auto report = deps_.health(c->id, fresh);
    if (!report) return errorResponse(report.error());
    auto response = http::Response::text(200, *report);
    response.headers.set("Content-Type", "application/json");
    return response;
  });
  addAuthenticated("GET", "/api/v1/connections/{id}/permissions",
                   [this](http::Request& r) { return permissions(r.param("id")); });
  // One app today: the hub serves the CC app it is configured with.
  addAuthenticated("GET", "/api/v1/budget", [this](http::Request&) {
    return http::Response::json(
        200, {{"apps", json::array({budgetJson(deps_.governor.snapshot(deps_.cc.app().app_id))})}});
  });
  addAuthenticated("GET", "/api/v1/events", [this](http::Request& r) {
    auto query = r.query();
    if (!query)
      return errorResponse(ErrorCode::InvalidRequest, "invalid_request", "The query string is malformed.");
    int64_t after = 0;
    if (const std::string a = query->getOr("after"); !a.empty()) {
      auto seq = deps_.events.sequenceOf(a);
      if (!seq) return errorResponse(seq.error());
      if (!*seq)
        return errorResponse(ErrorCode::InvalidRequest, "invalid_request",
                             "after must be the id of an event.");
      after = **seq;
    }
    auto limit = pageLimit(*query);
    if (!limit) return errorResponse(limit.error());
    auto events = deps_.events.list(query->getOr("connection_id"), after, *limit);
    if (!events) return errorResponse(events.error());
    json out = json::array();
    for (const auto& e : *events) out.push_back(eventJson(e));
    json body = {{"events", out}};
    if (!events->empty()) body["next_after"] = events->back().id;
    return http::Response::json(200, body);
  });
}

}  // namespace liaison::hub::api
