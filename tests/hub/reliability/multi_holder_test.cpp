// T16 in one test process: several hub "processes" (each its own connections to the same
// store, a SQLite file or a PostgreSQL database, governor, CC client and Refresher under its own holder name)
// refresh the same connections at once, and a holder pauses past its lease. Must hold: one token-endpoint
// call per connection, the paused holder's writes are refused by the fence, it never presents a refresh token
// after its lease ran out, no connection is lost, and the stored pair is never replaced by an older one.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "hub/reliability/hub_node.h"
#include "hub/vault/key_encryption_key.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace liaison::hub::reliability {
namespace {

using namespace std::chrono_literals;

class T16MultiHolder : public ::testing::Test {
 protected:
  std::unique_ptr<HubNode> node(const std::string& holder, NodeOptions options = {}) {
    options.holder = holder;
    return std::make_unique<HubNode>(store, kek, clock, cc, random, options);
  }
  void seed(HubNode& node, int connections, TimePoint expires) {
    for (int i = 0; i < connections; ++i) node.insertFrom(cc, i, expires);
  }

  static constexpr int kMaxConnections = 1000;
  liaison::testing::TempDir dir{"liaison-t16"};
  // hub.db, or one PostgreSQL database (support/test_store.h) that every node opens.
  const std::string store = liaison::testing::testStoreLocation(dir.file("hub.db"));
  VirtualClock clock{fromUnixSeconds(1'800'000'000)};
  LockedRandom random{16};
  Secret kek = generateKeyEncryptionKey(random);
  FakeCc cc{kMaxConnections, clock};
};

TEST_F(T16MultiHolder, FourHoldersOnOneStoreMakeOneTokenCallPerConnection) {
  const int kConnections = scaled(400, 150);
  const int kHolders = 4;
  const int kThreadsPerHolder = 4;
  // Pauses have their own tests below. Here the lease outlasts any stretch of virtual time a
  // holder can spend between sending and storing while it waits for SQLite in real time, and
  // lease polls do not move the clock.
  NodeOptions options;
  options.settings.lease = std::chrono::hours(1);
  options.lease_waiter = pauseInRealTime();
  std::vector<std::unique_ptr<HubNode>> nodes;
  for (int h = 0; h < kHolders; ++h) nodes.push_back(node("proc-" + std::to_string(h + 1), options));
  seed(*nodes[0], kConnections, clock.now());  // every access token expires now

  std::atomic<int> next{0};
  const int kCalls = kConnections * 8;
  std::atomic<int64_t> served{0}, stale{0}, retries{0}, failed{0};
  const Stopwatch elapsed;
  const TimePoint start = clock.now();
  auto caller = [&](HubNode* hub) {
    for (int k; (k = next.fetch_add(1)) < kCalls;) {
      const int i = static_cast<int>((static_cast<int64_t>(k) * 7919) % kConnections);
      for (int attempt = 0;; ++attempt) {
        auto token = hub->refresher->accessToken(connectionId(i), CallClass::Interactive);
        if (token) {
          (cc.isCurrentAccessToken(i, token->reveal()) ? served : stale)++;
          break;
        }
        // refresh_busy (another holder has the lease) and a full token budget: ask again.
        if (UpstreamError::isTransient(token.error()) && attempt < 1'000'000) {
          ++retries;
          continue;
        }
        ++failed;
        break;
      }
    }
  };
  std::vector<std::thread> threads;
  for (auto& n : nodes) {
    for (int t = 0; t < kThreadsPerHolder; ++t) threads.emplace_back(caller, n.get());
  }
  for (auto& t : threads) t.join();

  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(stale.load(), 0);
  int not_once = 0, lost = 0;
  for (int i = 0; i < kConnections; ++i) {
    if (cc.calls(i) != 1) ++not_once;
    if (nodes[0]->row(i).status != ConnectionStatus::Active ||
        nodes[0]->storedRefreshToken(i) != cc.liveRefreshToken(i)) {
      ++lost;
    }
  }
  const AuthorityTotals totals = cc.totals();
  EXPECT_EQ(not_once, 0) << "connections refreshed other than exactly once across the holders";
  EXPECT_EQ(totals.replays, 0);
  EXPECT_EQ(lost, 0);
  figure("t16.holders", kHolders);
  figure("t16.connections", kConnections);
  figure("t16.callers", kCalls);
  figure("t16.token_calls_per_connection", static_cast<double>(totals.refresh_calls) / kConnections);
  figure("t16.spent_tokens_presented_again", totals.replays);
  figure("t16.connections_lost", lost);
  figure("t16.caller_retries", retries.load());
  // The holders share the token endpoint's 1 call a second through the store, so N refreshes
  // take at least N - 1 seconds. (The peak CC saw in one virtual second is only a figure: see
  // multi_process_test.cpp.)
  const auto storm_seconds = std::chrono::duration_cast<std::chrono::seconds>(clock.now() - start).count();
  EXPECT_GE(storm_seconds, kConnections - 1);
  figure("t16.max_token_calls_in_one_second", totals.max_calls_in_one_second);
  figure("t16.storm_virtual_seconds", storm_seconds);
  figure("t16.real_elapsed_ms", elapsed.elapsed().count() / 1000);
}

TEST_F(T16MultiHolder, WritesUnderALeaseThatRanOutAreRefused) {
  const int kConnections = 50;
  auto paused = node("proc-paused");
  auto other = node("proc-other");
  auto third = node("proc-third");
  seed(*paused, kConnections, clock.now() + 24h);
  const RefreshSettings settings;
  int stale_writes_refused = 0;
  int stale_writes_accepted = 0;
  for (int i = 0; i < kConnections; ++i) {
    const std::string id = connectionId(i);
    const std::string sealed_before = paused->row(i).sealed_refresh_token;
    const std::string access_before = paused->row(i).sealed_access_token;
    auto lease = paused->connections.acquireLease(id, "proc-paused", clock.now(), settings.lease);
    ASSERT_TRUE(lease.ok() && *lease);
    clock.advance(2 * settings.lease);  // the holder is stopped for twice its lease
    ASSERT_TRUE(other->refresher->refresh(id, CallClass::Interactive, true).ok());
    // A third holder takes a lease of its own; the paused one must not be able to free it.
    auto third_lease = third->connections.acquireLease(id, "proc-third", clock.now(), settings.lease);
    ASSERT_TRUE(third_lease.ok() && *third_lease);

    // The paused holder wakes up and carries on with what it had: the pair it read before.
    RefreshedTokens older{access_before, sealed_before, clock.now() + 24h, {"account_read"}};
    auto marked = paused->connections.markRefreshInFlight(**lease, clock.now() + 3 * settings.lease);
    auto stored = paused->connections.storeRefreshed(**lease, older, clock.now());
    auto outcome = paused->connections.storeOutcome(
        **lease, {"invalid_grant", ConnectionStatus::ReauthRequired, 0, std::nullopt}, clock.now());
    ASSERT_TRUE(paused->connections.releaseLease(**lease).ok());
    for (const auto* write : {&marked, &stored, &outcome}) {
      ASSERT_TRUE(write->ok());
      (**write ? stale_writes_accepted : stale_writes_refused)++;
    }
    auto still_held = paused->connections.acquireLease(id, "proc-paused", clock.now(), settings.lease);
    ASSERT_TRUE(still_held.ok());
    EXPECT_FALSE(*still_held) << id << ": the stale holder released the third holder's lease";
    ASSERT_TRUE(third->connections.releaseLease(**third_lease).ok());

    const Connection row = paused->row(i);
    EXPECT_EQ(row.status, ConnectionStatus::Active) << id;
    EXPECT_EQ(paused->storedRefreshToken(i), cc.liveRefreshToken(i))
        << id << ": an older pair was written back";
    EXPECT_EQ(cc.calls(i), 1) << id;
  }
  EXPECT_EQ(stale_writes_accepted, 0);
  EXPECT_EQ(cc.totals().replays, 0);
  figure("t16.stale_writes_refused", stale_writes_refused);
  figure("t16.stale_writes_accepted", stale_writes_accepted);
}

// The pause falls where a holder is most likely to sit: waiting for the token endpoint's
// one-call-a-second budget, after it marked the refresh as in flight and before it sent the
// refresh token. Another holder refreshes meanwhile; the paused one must not send its token.
TEST_F(T16MultiHolder, HolderPausedWhileWaitingForTheTokenBudgetNeverSpendsTheTokenLate) {
  const int kConnections = scaled(40, 20);
  std::unique_ptr<HubNode> other;
  std::function<void()> pause;
  NodeOptions pausing;
  pausing.budget_waiter = [&](std::chrono::milliseconds wait) {
    if (pause) std::exchange(pause, nullptr)();
    clock.advanceTo(clock.now() + wait);
  };
  auto paused = node("proc-paused", pausing);
  other = node("proc-other");
  seed(*paused, kConnections + 1, clock.now());  // every access token has expired
  const RefreshSettings settings;
  int late_errors = 0;
  for (int i = 1; i <= kConnections; ++i) {
    // A token call of the paused holder's a moment ago fills its budget for this second.
    clock.advance(5s);
    ASSERT_TRUE(paused->refresher->refresh(connectionId(0), CallClass::Interactive, true).ok());
    pause = [&, i] {
      clock.advance(2 * settings.lease);
      EXPECT_TRUE(other->refresher->refresh(connectionId(i), CallClass::Interactive, true).ok());
    };
    auto status = paused->refresher->refresh(connectionId(i), CallClass::Interactive, false);
    EXPECT_FALSE(pause) << "the holder did not wait for its budget";
    if (!status) ++late_errors;
    EXPECT_EQ(cc.replays(i), 0) << connectionId(i)
                                << ": the paused holder sent a refresh token after its lease";
    EXPECT_EQ(other->row(i).status, ConnectionStatus::Active);
    EXPECT_EQ(other->storedRefreshToken(i), cc.liveRefreshToken(i));
    EXPECT_FALSE(cc.familyRevoked(i));
  }
  figure("t16.paused_in_budget_wait", kConnections);
  figure("t16.paused_refresh_tokens_sent_late", cc.totals().replays);
  figure("t16.paused_refreshes_abandoned", late_errors);
}

// The pause falls after CC rotated the token and before the answer is stored, and lasts twice
// the lease. Another holder wanting the token meanwhile must not spend the old refresh token
// (CC rotates strictly: that would kill the pair the paused holder carries); the paused holder's
// late answer is stored when it wakes, and no connection is lost.
TEST_F(T16MultiHolder, HolderPausedWithCcsAnswerInHandStoresItLate) {
  const int kConnections = scaled(40, 20);
  auto paused = node("proc-paused");
  auto other = node("proc-other");
  seed(*paused, kConnections, clock.now());  // every access token has expired
  const RefreshSettings settings;
  int waited = 0, lost = 0;
  for (int i = 0; i < kConnections; ++i) {
    bool paused_once = false;
    cc.setHook([&, i](int connection, Phase phase) {
      if (connection != i || phase != Phase::Rotated || std::exchange(paused_once, true)) return;
      clock.advance(2 * settings.lease);
      auto taken_over = other->refresher->refresh(connectionId(i), CallClass::Interactive, true);
      if (!taken_over && taken_over.error().key == "refresh_pending") ++waited;
    });
    clock.advance(2s);
    EXPECT_TRUE(paused->refresher->refresh(connectionId(i), CallClass::Interactive, false).ok())
        << connectionId(i) << ": the late answer was not stored";
    cc.setHook(nullptr);
    EXPECT_EQ(cc.calls(i), 1) << connectionId(i) << ": the waiting holder spent the token";
    if (other->row(i).status != ConnectionStatus::Active) ++lost;
    EXPECT_EQ(other->storedRefreshToken(i), cc.liveRefreshToken(i));
    auto token = other->refresher->accessToken(connectionId(i), CallClass::Interactive);
    EXPECT_TRUE(token.ok() && cc.isCurrentAccessToken(i, token->reveal())) << connectionId(i);
  }
  EXPECT_EQ(waited, kConnections);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(cc.totals().replays, 0);
  figure("t16.paused_with_answer", kConnections);
  figure("t16.paused_with_answer_waited_for", waited);
  figure("t16.paused_with_answer_lost", lost);
}

}  // namespace
}  // namespace liaison::hub::reliability
