// The shared budget with real processes: four `liaison serve` processes on one PostgreSQL
// database, in front of `liaison sandbox --profile strict` (which answers 429 past CC's 4 calls a
// second per app, counted in whole seconds as CC does). The host app asks all four for proxied
// calls of one connection at three times that rate. Must hold: CC never answers 429 (each hub's
// /metrics counts CC's answers by status), every call is answered by CC or refused by the hub
// with its own 429 and Retry-After, and together the hubs keep CC near, never above, 4 calls a
// second. Children are stopped on every path (ChildProcess's destructor).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "integration/hub_process.h"
#include "support/postgres_server.h"

namespace liaison::testing {
namespace {

using namespace std::chrono_literals;

// The sum of `liaison_cc_calls_total` series with status="<status>" in a /metrics text.
int64_t ccCalls(const std::string& metrics, const std::string& status) {
  int64_t total = 0;
  const std::string name = "liaison_cc_calls_total{";
  const std::string label = "status=\"" + status + "\"";
  size_t at = 0;
  while ((at = metrics.find(name, at)) != std::string::npos) {
    const size_t end = metrics.find('\n', at);
    const std::string line = metrics.substr(at, end - at);
    if (line.find(label) != std::string::npos) total += std::atoll(line.substr(line.rfind(' ') + 1).c_str());
    at = end;
  }
  return total;
}

struct CcCounts {
  int64_t ok = 0;
  int64_t too_many = 0;
};

// CC's answers so far, summed over the hubs' /metrics.
CcCounts ccCountsOf(http::HttpClient& http, const std::vector<std::string>& urls) {
  CcCounts out;
  for (const auto& url : urls) {
    http::ClientRequest request;
    request.url = url + "/metrics";
    auto text = http.send(request);
    EXPECT_TRUE(text.ok() && text->status == 200) << url;
    if (!text.ok()) continue;
    out.ok += ccCalls(text->body, "2xx");
    out.too_many += ccCalls(text->body, "429");
  }
  return out;
}

TEST(ProcessBudget, FourHubProcessesOnOnePostgresKeepCcUnderItsRateWithNo429) {
  TempDir dir("liaison-budget-processes");
  auto http = http::makeCurlHttpClient();
  ChildProcess sandbox(sandboxArgs({"--data", dir.file("sandbox"), "--profile", "strict"}),
                       dir.file("sandbox.err"));
  const std::string cc = bannerUrl(sandbox);
  ASSERT_FALSE(cc.empty());
  const std::string secret = registerHubApp(*http, cc, "budget-app");
  ASSERT_FALSE(secret.empty());

  const std::string store = PostgresServer::shared().createDatabase();
  const std::string data = dir.file("hub");
  ScopedEnv env({{"LIAISON_CC_CLIENT_ID", "budget-app"},
                 {"LIAISON_CC_CLIENT_SECRET", secret},
                 {"LIAISON_CC_BASE_URL", cc},
                 {"LIAISON_STORE_URL", store},
                 {"LIAISON_SERVER_LOG_LEVEL", "warn"}});
  const std::string key = initHubData(dir, data);
  ASSERT_FALSE(key.empty());

  constexpr int kHubs = 4;
  std::vector<std::unique_ptr<ChildProcess>> hubs;
  std::vector<std::string> urls;
  for (int h = 0; h < kHubs; ++h) {
    hubs.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{"serve", "--data", data, "--listen", "127.0.0.1:0"},
        dir.file("hub" + std::to_string(h) + ".err")));
    const std::string line = hubs.back()->readLine(60s);
    const auto at = line.find("http://");
    ASSERT_NE(at, std::string::npos) << "hub " << h << " did not start: " << line;
    std::string url = line.substr(at);
    while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.pop_back();
    urls.push_back(url);
  }
  const std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer " + key}};

  // One connection, made through the hubs in turn; every hub serves it (they share the store).
  const std::string connection = connectByDevice(*http, urls, cc, auth);
  ASSERT_FALSE(connection.empty()) << "the device flow did not finish";

  const CcCounts before = ccCountsOf(*http, urls);
  // Three times CC's rate: 12 callers (3 per hub), each asking again as soon as it is answered,
  // for 6 seconds. The hubs' queues hold a call at most 10 s, so the load needs ~3× what CC takes.
  constexpr auto kRun = 6s;
  std::atomic<int> answered_by_cc{0}, refused_by_hub{0}, other{0};
  std::vector<std::thread> callers;
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < 3 * kHubs; ++c) {
    callers.emplace_back([&, c] {
      auto client = http::makeCurlHttpClient();
      while (std::chrono::steady_clock::now() - start < kRun) {
        const Answer call = send(*client, "GET", urls[c % kHubs] + "/proxy/v3/account/summary",
                                 {{"Authorization", "Bearer " + key}, {"Liaison-Connection-Id", connection}});
        if (call.status == 200 && call.headers.get("Liaison-Upstream").value_or("") == "cc") {
          ++answered_by_cc;
        } else if (call.status == 429 && call.body["error"]["code"] == "rate_limited" &&
                   call.headers.get("Retry-After")) {
          ++refused_by_hub;
          std::this_thread::sleep_for(100ms);
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& caller : callers) caller.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const CcCounts after = ccCountsOf(*http, urls);
  const int64_t cc_429 = after.too_many - before.too_many;
  const int64_t cc_2xx = after.ok - before.ok;
  EXPECT_EQ(cc_429, 0) << "CC answered 429: the hubs together went over its rate";
  EXPECT_EQ(other.load(), 0) << "answers that were neither CC's nor the hub's own 429";
  EXPECT_GT(answered_by_cc.load(), 0);
  // Every CC call of the hubs while the load ran (health checks and refreshes included): at most 4
  // a second, plus the one second the count can straddle.
  const double rate = static_cast<double>(cc_2xx) / seconds;
  EXPECT_LE(cc_2xx, static_cast<int64_t>(4 * (seconds + 1)));
  std::printf("[ figure   ] budget.processes = %d\n", kHubs);
  std::printf("[ figure   ] budget.offered_callers = %d\n", 3 * kHubs);
  std::printf("[ figure   ] budget.proxied_answered_by_cc = %d\n", answered_by_cc.load());
  std::printf("[ figure   ] budget.refused_by_hub_429 = %d\n", refused_by_hub.load());
  std::printf("[ figure   ] budget.cc_429 = %lld\n", static_cast<long long>(cc_429));
  std::printf("[ figure   ] budget.seconds = %.2f\n", seconds);
  std::printf("[ figure   ] budget.cc_calls_per_second = %.2f\n", rate);
}

}  // namespace
}  // namespace liaison::testing
