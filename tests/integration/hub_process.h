#pragma once
// What tests that run `liaison serve` next to `liaison sandbox` as processes share: JSON calls
// over HTTP, the hub's CC app registered in the sandbox, and a hub data directory with a vault
// and an API key made by the CLI.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/client/http_client.h"
#include "integration/child_process.h"
#include "support/temp_dir.h"

namespace liaison::testing {

struct Answer {
  int status = 0;  // 0: no answer
  nlohmann::json body;
  http::Headers headers;
  std::string raw;
};

inline Answer send(http::HttpClient& http, const std::string& method, const std::string& url,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   const nlohmann::json& body = nullptr) {
  http::ClientRequest request;
  request.method = method;
  request.url = url;
  for (const auto& [name, value] : headers) request.headers.set(name, value);
  if (!body.is_null()) {
    request.headers.set("Content-Type", "application/json");
    request.body = body.dump();
  }
  request.timeout = std::chrono::seconds(30);
  auto response = http.send(request);
  if (!response) return {};
  return {response->status, nlohmann::json::parse(response->body, nullptr, false), response->headers,
          response->body};
}

// Registers the hub's confidential CC app `client_id` in the sandbox at `cc`; its secret, or ""
// (with a test failure).
inline std::string registerHubApp(http::HttpClient& http, const std::string& cc,
                                  const std::string& client_id) {
  const Answer app = send(http, "POST", cc + "/__sandbox/apps", {},
                          {{"client_id", client_id},
                           {"name", "Test app " + client_id},
                           {"confidential", true},
                           {"redirect_uris", {"http://127.0.0.1/connect/callback"}},
                           {"flows", {"authorization_code", "device"}},
                           {"refresh_token_type", "rotating"}});
  EXPECT_EQ(app.status, 201) << app.raw;
  return app.status == 201 ? app.body.value("client_secret", "") : "";
}

// `liaison vault init` and `liaison keys create` on `data` (the hub's settings come from the
// environment); the new hub API key, or "" (with a test failure).
inline std::string initHubData(const TempDir& dir, const std::string& data) {
  {
    ChildProcess init({"vault", "init", "--data", data}, dir.file("init.err"));
    EXPECT_EQ(init.stop(), 0);
  }
  ChildProcess create({"keys", "create", "--name", "test", "--data", data}, dir.file("keys.err"));
  std::string key = create.readAll();
  EXPECT_EQ(create.stop(), 0);
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  EXPECT_TRUE(key.starts_with("lsk_")) << key;
  return key;
}

// Connects the sandbox's demo account (or the account of the sandbox user `email`) through `hubs`
// (asked in turn) by the device flow, as a host app does for its user `end_user`; the connection
// id, or "" when it did not finish within 30 s.
inline std::string connectByDevice(http::HttpClient& http, const std::vector<std::string>& hubs,
                                   const std::string& cc,
                                   const std::vector<std::pair<std::string, std::string>>& auth,
                                   const std::string& email = "owner@sandbox.test",
                                   const std::string& end_user = "user-1") {
  const Answer session = send(http, "POST", hubs[0] + "/api/v1/connect-sessions", auth,
                              {{"end_user_id", end_user}, {"flow", "device"}});
  EXPECT_EQ(session.status, 201) << session.raw;
  if (session.status != 201) return "";
  EXPECT_EQ(send(http, "POST", cc + "/__sandbox/device/approve", {},
                 {{"user_code", session.body["user_code"]}, {"email", email}})
                .status,
            200);
  for (int i = 0; i < 300; ++i) {
    const Answer state = send(
        http, "GET",
        hubs[i % hubs.size()] + "/api/v1/connect-sessions/" + session.body["id"].get<std::string>(), auth);
    if (state.body.value("status", "") == "connected") return state.body.value("connection_id", "");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

}  // namespace liaison::testing
