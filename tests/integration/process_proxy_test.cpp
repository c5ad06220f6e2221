// The proxy over real sockets with the budget raised so that calls go out from the server's
// event loop: a `liaison serve` in front of `liaison sandbox --profile fast`, eight callers at
// once. Every call is answered by CC, the hub's count of CC calls matches what the callers got,
// and a call whose first attempt meets a 401 or a 503 from the loop is renewed or retried on the
// blocking pool and still answered 200. Children are stopped on every path.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "http/client/http_client.h"
#include "integration/child_process.h"
#include "support/temp_dir.h"

namespace liaison::testing {
namespace {

using namespace std::chrono_literals;

Result<http::ClientResponse> call(http::HttpClient& http, const std::string& method, const std::string& url,
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
  request.timeout = 30s;
  return http.send(request);
}

nlohmann::json json(const Result<http::ClientResponse>& response) {
  return response ? nlohmann::json::parse(response->body, nullptr, false) : nlohmann::json();
}

TEST(ProcessProxy, CallsFromTheEventLoopAreAnsweredByCcAndRenewalsAndRetriesStillWork) {
  TempDir dir("liaison-proxy-process");
  auto http = http::makeCurlHttpClient();
  ChildProcess sandbox(sandboxArgs({"--profile", "fast"}), dir.file("sandbox.err"));
  const std::string cc = bannerUrl(sandbox);
  ASSERT_FALSE(cc.empty());
  const auto app = json(call(*http, "POST", cc + "/__sandbox/apps", {},
                             {{"client_id", "proxy-app"},
                              {"name", "Proxy test app"},
                              {"confidential", true},
                              {"redirect_uris", {"http://127.0.0.1/connect/callback"}},
                              {"flows", {"authorization_code", "device"}},
                              {"refresh_token_type", "rotating"}}));
  ASSERT_TRUE(app.contains("client_secret")) << app.dump();
  const std::string data = dir.file("hub");
  ScopedEnv env({{"LIAISON_CC_CLIENT_ID", "proxy-app"},
                 {"LIAISON_CC_CLIENT_SECRET", app["client_secret"].get<std::string>()},
                 {"LIAISON_CC_BASE_URL", cc},
                 {"LIAISON_BUDGET_REQUESTS_PER_SECOND", "100000"},
                 {"LIAISON_BUDGET_REQUESTS_PER_DAY", "100000000"},
                 {"LIAISON_SERVER_LOG_LEVEL", "warn"}});
  {
    ChildProcess init({"vault", "init", "--data", data}, dir.file("init.err"));
    ASSERT_EQ(init.stop(), 0);
  }
  ChildProcess create({"keys", "create", "--name", "proxy-test", "--data", data}, dir.file("keys.err"));
  std::string key = create.readAll();
  ASSERT_EQ(create.stop(), 0);
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  ChildProcess hub({"serve", "--data", data, "--listen", "127.0.0.1:0"}, dir.file("hub.err"));
  const std::string url = bannerUrl(hub);
  ASSERT_FALSE(url.empty());
  const std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer " + key}};

  const auto session = json(call(*http, "POST", url + "/api/v1/connect-sessions", auth,
                                 {{"end_user_id", "user-1"}, {"flow", "device"}}));
  ASSERT_TRUE(session.contains("user_code")) << session.dump();
  ASSERT_TRUE(
      call(*http, "POST", cc + "/__sandbox/device/approve", {}, {{"user_code", session["user_code"]}}));
  std::string connection;
  for (int i = 0; i < 300 && connection.empty(); ++i) {
    const auto state =
        json(call(*http, "GET", url + "/api/v1/connect-sessions/" + session["id"].get<std::string>(), auth));
    if (state.value("status", "") == "connected") connection = state.value("connection_id", "");
    if (connection.empty()) std::this_thread::sleep_for(100ms);
  }
  ASSERT_FALSE(connection.empty()) << "the device flow did not finish";
  auto proxied = auth;
  proxied.emplace_back("Liaison-Connection-Id", connection);

  // Eight callers, 250 calls each.
  std::atomic<int> from_cc{0}, other{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 8; ++c) {
    callers.emplace_back([&] {
      auto client = http::makeCurlHttpClient();
      for (int i = 0; i < 250; ++i) {
        auto answer = call(*client, "GET", url + "/proxy/v3/contacts?limit=2", proxied);
        const bool ok = answer && answer->status == 200 && answer->headers.get("Liaison-Upstream") == "cc" &&
                        json(answer).contains("contacts");
        ++(ok ? from_cc : other);
      }
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(from_cc.load(), 2000);
  EXPECT_EQ(other.load(), 0);

  // The first attempt meets CC's 401, then two 503s: renewed once and retried, still answered.
  const auto fault = [&](int status, int count) {
    ASSERT_EQ(call(*http, "POST", cc + "/__sandbox/faults", {},
                   {{"operation", "getContacts"},
                    {"count", count},
                    {"action", {{"type", "status"}, {"status", status}}}})
                  ->status,
              201);
  };
  fault(401, 1);
  auto renewed = call(*http, "GET", url + "/proxy/v3/contacts?limit=2", proxied);
  ASSERT_TRUE(renewed);
  EXPECT_EQ(renewed->status, 200) << renewed->body;
  fault(503, 2);
  auto retried = call(*http, "GET", url + "/proxy/v3/contacts?limit=2", proxied);
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->status, 200) << retried->body;

  // The budget counted every call CC got (the proxied ones and the hub's own).
  const auto budget = json(call(*http, "GET", url + "/api/v1/budget", auth));
  ASSERT_TRUE(budget.contains("apps")) << budget.dump();
  EXPECT_GE(budget["apps"][0]["used_today"].get<int64_t>(), 2000 + 2 + 3);
  hub.stop(SIGTERM);
}

}  // namespace
}  // namespace liaison::testing
