#pragma once
// The proxy tests' fixture: a proxied call as the host app makes it, answered by the hub's
// blocking handler or, with on_event_loop_, as the server's event loop answers it (serve()).
#include <algorithm>

#include "app/hub_fixture.h"

namespace liaison::testing {

class ProxyFixture : public HubFixture {
 protected:
  Answer proxy(const std::string& method, const std::string& target, const std::string& connection,
               const nlohmann::json& body = nullptr,
               const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    http::Request request;
    request.method = method;
    request.target = target;
    request.remote_address = "127.0.0.1";
    request.headers.set("Authorization", "Bearer " + api_key_);
    if (!connection.empty()) request.headers.set("Liaison-Connection-Id", connection);
    for (const auto& [name, value] : headers) request.headers.set(name, value);
    if (!body.is_null()) {
      request.body = body.dump();
      request.headers.set("Content-Type", "application/json");
    }
    auto response = on_event_loop_ ? serve(request) : hub_->handle(request);
    return {response.status, nlohmann::json::parse(response.body, nullptr, false), response};
  }
  // The sandbox answers the next `count` calls of `operation` with `status`.
  void failNext(const std::string& operation, int count, int status) {
    ASSERT_EQ(sandboxCall("POST", "/__sandbox/faults",
                          {{"operation", operation},
                           {"count", count},
                           {"action", {{"type", "status"}, {"status", status}}}})
                  .status,
              201);
  }
  // CC calls the hub made for /v3 paths starting with `path`.
  size_t ccCalls(const std::string& path) {
    return static_cast<size_t>(
        std::count_if(http_->exchanges.begin(), http_->exchanges.end(),
                      [&](const auto& e) { return e.url.starts_with(std::string(kSandboxOrigin) + path); }));
  }
  std::string connectWithScopes(const std::string& end_user, const std::vector<std::string>& scopes) {
    auto session = hubCall("POST", "/api/v1/connect-sessions",
                           {{"end_user_id", end_user}, {"flow", "device"}, {"scopes", scopes}});
    EXPECT_EQ(session.status, 201) << session.body.dump();
    sandboxCall("POST", "/__sandbox/device/approve", {{"user_code", session.body["user_code"]}});
    clock_.advance(std::chrono::seconds(session.body["interval"].get<int>()));
    hub_->tick();
    auto done = hubCall("GET", "/api/v1/connect-sessions/" + session.body["id"].get<std::string>());
    return done.body.value("connection_id", "");
  }

  bool on_event_loop_ = false;
};

}  // namespace liaison::testing
