// T13: proxied calls for many connections from many threads while their access tokens expire
// and are refreshed underneath. Every call names the connection it acts for; the fake CC checks
// that the token it carries is that connection's own. Must hold: no call carries another
// connection's token, every call succeeds, and every SSRF form is refused without reaching CC.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hub/proxy/proxy_service.h"
#include "hub/reliability/hub_node.h"
#include "hub/vault/key_encryption_key.h"
#include "support/temp_dir.h"

namespace liaison::hub::reliability {
namespace {

using namespace std::chrono_literals;

http::Request proxied(const std::string& method, const std::string& target, const std::string& connection) {
  http::Request request;
  request.method = method;
  request.target = target;
  request.headers.set("Liaison-Connection-Id", connection);
  return request;
}

class T13Proxy : public ::testing::Test {
 protected:
  // `spread_ms`: the first expiries are spread over this much virtual time.
  void build(int connections, int64_t spread_ms = 600'000, bool shared_budget = false) {
    NodeOptions options;
    // The budget is out of the way here: isolation, not pacing, is under test (one process, so
    // nothing to share through the store either, unless a test asks for it).
    options.api_calls_per_second = 1'000'000;
    options.token_calls_per_second = 1'000'000;
    options.shared_budget = shared_budget;
    // Other callers move the virtual clock 18 ms a call; a refreshing thread the machine leaves
    // unscheduled for a moment would see its lease's time run out (and rightly not send the
    // refresh token: upstream.too_late). Pauses have their own tests (T16); here the lease
    // outlasts any such stretch.
    options.settings.lease = std::chrono::hours(1);
    node = std::make_unique<HubNode>(dir.file("hub.db"), generateKeyEncryptionKey(random), clock, cc, random,
                                     options);
    // Access tokens expire spread over the first ten minutes of the run and last ten minutes
    // after each refresh; the run spans half an hour of virtual time: every connection is
    // refreshed about three times, under the callers' feet.
    for (int i = 0; i < connections; ++i)
      node->insertFrom(cc, i, clock.now() + std::chrono::milliseconds(i * spread_ms / connections));
    idempotency = std::make_unique<proxy::IdempotencyStore>(node->db, *node->vault, clock);
    service = std::make_unique<proxy::ProxyService>(proxy::ProxyDeps{node->connections, *node->refresher,
                                                                     node->cc, node->governor, *idempotency,
                                                                     clock, random, clock.waiter(), "app-1"});
  }

  liaison::testing::TempDir dir{"liaison-t13"};
  VirtualClock clock{fromUnixSeconds(1'800'000'000)};
  LockedRandom random{13};
  FakeCc cc{1000, clock, std::chrono::seconds(600)};
  std::unique_ptr<HubNode> node;
  std::unique_ptr<proxy::IdempotencyStore> idempotency;
  std::unique_ptr<proxy::ProxyService> service;
};

TEST_F(T13Proxy, EveryCallCarriesItsOwnConnectionsTokenWhileTokensRotate) {
  const int kConnections = scaled(1000, 200);
  const int64_t kCalls = scaled(100'000, 10'000);
  const int kThreads = 8;
  // 18 ms of virtual time per call: half an hour in Release, three minutes under ASan (fewer
  // calls there); tokens first expire over the first third of it.
  const int64_t kStepPerTenCallsUs = 180'000;
  build(kConnections, kCalls * 18 / 3);
  std::atomic<int64_t> next{0}, ok{0}, failed{0};
  std::atomic<int> first_failure_status{0};
  std::mutex failure_mutex;
  std::string first_failure_body;
  auto caller = [&](uint32_t seed) {
    uint32_t state = seed;
    for (int64_t k; (k = next.fetch_add(1)) < kCalls;) {
      state = state * 1664525u + 1013904223u;  // each thread its own sequence of connections
      const int i = static_cast<int>(state % static_cast<uint32_t>(kConnections));
      auto response =
          service->handle(proxied("GET", "/proxy/v3/contacts?owner=" + std::to_string(i), connectionId(i)));
      if (response.status == 200) {
        ++ok;
      } else {
        ++failed;
        int none = 0;
        if (first_failure_status.compare_exchange_strong(none, response.status)) {
          std::lock_guard lock(failure_mutex);
          first_failure_body = response.body;
        }
      }
      // Small steps, so no stretch of virtual time outruns a refresh lease or a token's last minute.
      if (k % 10 == 0) clock.advance(std::chrono::microseconds(kStepPerTenCallsUs));
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(caller, 7919u * static_cast<uint32_t>(t + 1));
  for (auto& thread : threads) thread.join();

  const AuthorityTotals totals = cc.totals();
  EXPECT_EQ(totals.v3_wrong_owner, 0) << "a call carried another connection's token";
  EXPECT_EQ(failed.load(), 0) << "first failure: HTTP " << first_failure_status.load() << " "
                              << first_failure_body;
  EXPECT_EQ(ok.load(), kCalls);
  EXPECT_GE(totals.rotations, kConnections) << "every connection was refreshed during the run";
  EXPECT_EQ(totals.replays, 0);
  figure("t13.proxied_calls", static_cast<double>(kCalls));
  figure("t13.connections", kConnections);
  figure("t13.refreshes_during_run", static_cast<double>(totals.rotations));
  figure("t13.cross_tenant_token_uses", static_cast<double>(totals.v3_wrong_owner));
  figure("t13.calls_sent_with_an_expired_token", static_cast<double>(totals.v3_expired));
}

TEST_F(T13Proxy, EverySsrfFormIsRefusedWithoutReachingCc) {
  build(1);
  const char* forms[] = {
      "/proxy/http://169.254.169.254/latest/meta-data",
      "/proxy//evil.example/v3/contacts",
      "/proxy/v3/../../admin",
      "/proxy/v3/%2e%2e/%2e%2e/admin",
      "/proxy/v3/contacts%2F..%2F..%2Fadmin",
      "/proxy/v3/contacts%5c..%5cadmin",
      "/proxy/v3\\..\\admin",
      "/proxy/v3/contacts\r\nHost: evil.example",
      "/proxy/v3/contacts%0d%0aHost:%20evil.example",
      "/proxy/v3/contacts@evil.example",
      "/proxy/v3/contacts#@evil.example",
      "/proxy/v4/contacts",
      "/proxy/admin",
      "/proxy/",
      "/proxy",
  };
  const int64_t before = cc.totals().v3_calls;
  int refused = 0;
  for (const char* target : forms) {
    auto response = service->handle(proxied("GET", target, connectionId(0)));
    EXPECT_EQ(response.status, 400) << target;
    if (response.status == 400) ++refused;
  }
  for (const char* header : {"X-Forwarded-Host", "Forwarded", "X-Original-URL", "X-Rewrite-URL"}) {
    auto request = proxied("GET", "/proxy/v3/contacts", connectionId(0));
    request.headers.set(header, "evil.example");
    EXPECT_EQ(service->handle(request).status, 400) << header;
    ++refused;
  }
  EXPECT_EQ(cc.totals().v3_calls, before) << "a refused form reached CC";
  figure("t13.ssrf_forms_refused", refused);
  figure("t13.ssrf_forms_passed", static_cast<double>(cc.totals().v3_calls - before));
}

// The budget kept in the store cannot be asked (its table is gone): the call is not sent, and
// the app hears the hub is unavailable for a moment, not that CC's rate is spent.
TEST_F(T13Proxy, ABudgetTheStoreCannotKeepAnswers503AndSendsNothing) {
  build(1, 0, true);
  clock.advance(std::chrono::minutes(20));  // past the first expiry: a fresh token, far from due
  ASSERT_EQ(service->handle(proxied("GET", "/proxy/v3/contacts", connectionId(0))).status, 200);
  {
    std::lock_guard lock(node->db.mutex());
    node->db.raw().exec("DROP TABLE budget_takes");
  }
  clock.advance(std::chrono::seconds(2));  // past any lease of the call before
  const int64_t before = cc.totals().v3_calls;
  auto refused = service->handle(proxied("GET", "/proxy/v3/contacts", connectionId(0)));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("budget_unavailable"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.headers.get("Retry-After"), std::optional<std::string>("1"));
  EXPECT_EQ(cc.totals().v3_calls, before);
}

}  // namespace
}  // namespace liaison::hub::reliability
