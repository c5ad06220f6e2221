// T15: a refresh storm in one process. Every access token expires at the same instant and many
// threads ask for tokens of random connections at once, several callers per connection. Must
// hold: exactly one token-endpoint call per connection (callers share it), every caller ends up
// with the connection's current token, no refresh token is ever presented twice, no connection
// is lost. The token endpoint admits one call a second (CC's limit); waiting moves the virtual
// clock, so the storm's length is virtual time.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "hub/reliability/hub_node.h"
#include "hub/vault/key_encryption_key.h"
#include "support/temp_dir.h"

namespace liaison::hub::reliability {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Each connection `copies` times, in a seeded random order.
std::vector<int> shuffledWork(int connections, int copies, RandomSource& random) {
  std::vector<int> work;
  for (int i = 0; i < connections; ++i) work.insert(work.end(), copies, i);
  for (size_t k = work.size(); k > 1; --k)
    std::swap(work[k - 1], work[random.uniform(static_cast<uint32_t>(k))]);
  return work;
}

int64_t percentile(std::vector<int64_t> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())))];
}

TEST(T15RefreshStorm, OneTokenCallPerConnectionWhenEveryTokenExpiresAtOnce) {
  const int kConnections = scaled(1000, 300);
  const int kThreads = 16;
  const int kCallersPerConnection = 4;
  liaison::testing::TempDir dir("liaison-t15");
  VirtualClock clock(fromUnixSeconds(1'800'000'000));
  LockedRandom random(15);
  FakeCc cc(kConnections, clock);
  HubNode node(dir.file("hub.db"), generateKeyEncryptionKey(random), clock, cc, random);
  const TimePoint storm = clock.now();
  for (int i = 0; i < kConnections; ++i) node.insertFrom(cc, i, storm);  // all expire now
  const std::vector<int> work = shuffledWork(kConnections, kCallersPerConnection, random);

  std::atomic<size_t> next{0};
  std::atomic<int64_t> served{0}, stale{0}, retries{0};
  std::vector<std::vector<int64_t>> waits(kThreads);
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  const Stopwatch elapsed;
  auto caller = [&](int thread) {
    for (size_t k; (k = next.fetch_add(1)) < work.size();) {
      const int i = work[k];
      const TimePoint asked = clock.now();
      for (int attempt = 0;; ++attempt) {
        auto token = node.refresher->accessToken(connectionId(i), CallClass::Interactive);
        if (token) {
          (cc.isCurrentAccessToken(i, token->reveal()) ? served : stale)++;
          break;
        }
        // What the host app does with the hub's 429/503: ask again. The token endpoint's one
        // call a second was taken for longer than an interactive caller waits.
        if (UpstreamError::isTransient(token.error()) && attempt < 10'000) {
          ++retries;
          continue;
        }
        std::lock_guard lock(failures_mutex);
        failures.push_back(connectionId(i) + ": " + token.error().key);
        break;
      }
      waits[thread].push_back(duration_cast<milliseconds>(clock.now() - asked).count());
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(caller, t);
  for (auto& t : threads) t.join();

  EXPECT_TRUE(failures.empty()) << failures.size() << " callers failed, first: " << failures.front();
  EXPECT_EQ(stale.load(), 0) << "callers handed a token that is not the connection's current one";
  EXPECT_EQ(served.load(), static_cast<int64_t>(work.size()));
  int not_once = 0, lost = 0;
  for (int i = 0; i < kConnections; ++i) {
    if (cc.calls(i) != 1) ++not_once;
    const Connection row = node.row(i);
    if (row.status != ConnectionStatus::Active || node.storedRefreshToken(i) != cc.liveRefreshToken(i))
      ++lost;
  }
  const AuthorityTotals totals = cc.totals();
  EXPECT_EQ(not_once, 0) << "connections whose token endpoint calls were not exactly one";
  EXPECT_EQ(totals.replays, 0) << "a spent refresh token was presented again";
  EXPECT_EQ(lost, 0);

  std::vector<int64_t> all_waits;
  for (const auto& w : waits) all_waits.insert(all_waits.end(), w.begin(), w.end());
  figure("t15.connections", kConnections);
  figure("t15.callers", static_cast<int64_t>(work.size()));
  figure("t15.threads", kThreads);
  figure("t15.token_calls", totals.refresh_calls);
  figure("t15.token_calls_per_connection", static_cast<double>(totals.refresh_calls) / kConnections);
  figure("t15.spent_tokens_presented_again", totals.replays);
  figure("t15.connections_lost", lost);
  figure("t15.caller_retries_after_429", retries.load());
  figure("t15.storm_virtual_seconds", duration_cast<milliseconds>(clock.now() - storm).count() / 1000.0);
  figure("t15.caller_wait_p50_virtual_s", percentile(all_waits, 0.50) / 1000.0);
  figure("t15.caller_wait_p99_virtual_s", percentile(all_waits, 0.99) / 1000.0);
  figure("t15.max_token_calls_in_one_second", totals.max_calls_in_one_second);
  figure("t15.real_elapsed_ms", elapsed.elapsed().count() / 1000);
}

}  // namespace
}  // namespace liaison::hub::reliability
