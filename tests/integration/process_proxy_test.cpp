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

#include "integration/hub_process.h"

namespace liaison::testing {
namespace {

using namespace std::chrono_literals;

TEST(ProcessProxy, CallsFromTheEventLoopAreAnsweredByCcAndRenewalsAndRetriesStillWork) {
  TempDir dir("liaison-proxy-process");
  auto http = http::makeCurlHttpClient();
  ChildProcess sandbox(sandboxArgs({"--profile", "fast"}), dir.file("sandbox.err"));
  const std::string cc = bannerUrl(sandbox);
  ASSERT_FALSE(cc.empty());
  const std::string secret = registerHubApp(*http, cc, "proxy-app");
  ASSERT_FALSE(secret.empty());
  const std::string data = dir.file("hub");
  ScopedEnv env({{"LIAISON_CC_CLIENT_ID", "proxy-app"},
                 {"LIAISON_CC_CLIENT_SECRET", secret},
                 {"LIAISON_CC_BASE_URL", cc},
                 {"LIAISON_BUDGET_REQUESTS_PER_SECOND", "100000"},
                 {"LIAISON_BUDGET_REQUESTS_PER_DAY", "100000000"},
                 {"LIAISON_SERVER_LOG_LEVEL", "warn"}});
  const std::string key = initHubData(dir, data);
  ASSERT_FALSE(key.empty());
  ChildProcess hub({"serve", "--data", data, "--listen", "127.0.0.1:0"}, dir.file("hub.err"));
  const std::string url = bannerUrl(hub);
  ASSERT_FALSE(url.empty());
  const std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer " + key}};
  const std::string connection = connectByDevice(*http, {url}, cc, auth);
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
        const Answer answer = send(*client, "GET", url + "/proxy/v3/contacts?limit=2", proxied);
        const bool ok = answer.status == 200 && answer.headers.get("Liaison-Upstream") == "cc" &&
                        answer.body.contains("contacts");
        ++(ok ? from_cc : other);
      }
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(from_cc.load(), 2000);
  EXPECT_EQ(other.load(), 0);

  // The first attempt meets CC's 401, then two 503s: renewed once and retried, still answered.
  const auto fault = [&](int status, int count) {
    ASSERT_EQ(send(*http, "POST", cc + "/__sandbox/faults", {},
                   {{"operation", "getContacts"},
                    {"count", count},
                    {"action", {{"type", "status"}, {"status", status}}}})
                  .status,
              201);
  };
  fault(401, 1);
  const Answer renewed = send(*http, "GET", url + "/proxy/v3/contacts?limit=2", proxied);
  EXPECT_EQ(renewed.status, 200) << renewed.raw;
  fault(503, 2);
  const Answer retried = send(*http, "GET", url + "/proxy/v3/contacts?limit=2", proxied);
  EXPECT_EQ(retried.status, 200) << retried.raw;

  // The budget counted every call CC got (the proxied ones and the hub's own).
  const Answer budget = send(*http, "GET", url + "/api/v1/budget", auth);
  ASSERT_TRUE(budget.body.contains("apps")) << budget.raw;
  EXPECT_GE(budget.body["apps"][0]["used_today"].get<int64_t>(), 2000 + 2 + 3);
  hub.stop(SIGTERM);
}

}  // namespace
}  // namespace liaison::testing
