// The connection rows' concurrency rules: one lease holder at a time, a fence that grows with
// every grant, compare-and-swap writes that a stale holder loses, and the refresh jitter.
#include <gtest/gtest.h>

#include "hub/store/connection_repository.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace liaison::hub::testing {
namespace {

using namespace std::chrono_literals;

class ConnectionRepositoryTest : public ::testing::Test {
 protected:
  Connection make(const std::string& id, TimePoint expires) {
    Connection c;
    c.id = id;
    c.app_id = "app";
    c.end_user_id = "user-" + id;
    c.account_id = "acct-" + id;
    c.organization_name = "Org";
    c.scopes = {"contact_data", "offline_access"};
    c.created_at = c.updated_at = c.refresh_token_used_at = now_;
    c.access_expires_at = expires;
    c.sealed_access_token = "v1.access";
    c.sealed_refresh_token = "v1.refresh";
    return c;
  }

  liaison::testing::TempDir dir_{"liaison-repo"};
  HubDatabase db_{liaison::testing::testStoreLocation(dir_.path() / "hub.db"),
                  std::span<const storage::Migration>(&kConnectionRefreshSpread, 1)};
  ConnectionRepository repo_{db_};
  TimePoint now_ = fromUnixSeconds(1'800'000'000);
};

TEST_F(ConnectionRepositoryTest, OneLeaseHolderAtATimeAndAStaleHolderCannotWrite) {
  ASSERT_TRUE(repo_.insert(make("c1", now_ + 1h)));
  auto first = repo_.acquireLease("c1", "a", now_, 60s);
  ASSERT_TRUE(first && *first);
  auto second = repo_.acquireLease("c1", "b", now_ + 10s, 60s);
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second) << "a live lease is not granted twice";
  // `a` pauses past its lease; `b` takes over with a higher fence and writes.
  auto taken = repo_.acquireLease("c1", "b", now_ + 61s, 60s);
  ASSERT_TRUE(taken && *taken);
  EXPECT_GT((*taken)->fence, (*first)->fence);
  RefreshedTokens fresh{"v1.access-b", "v1.refresh-b", now_ + 25h, {"contact_data"}};
  EXPECT_TRUE(*repo_.storeRefreshed(**taken, fresh, now_ + 62s));
  // `a` wakes up with its old answer: refused, and b's tokens stay.
  RefreshedTokens stale{"v1.access-a", "v1.refresh-a", now_ + 24h, {"contact_data"}};
  EXPECT_FALSE(*repo_.storeRefreshed(**first, stale, now_ + 63s));
  EXPECT_FALSE(
      *repo_.storeOutcome(**first, {"invalid_grant", ConnectionStatus::ReauthRequired, 0, {}}, now_ + 63s));
  auto row = *repo_.find("c1");
  EXPECT_EQ(row->sealed_refresh_token, "v1.refresh-b");
  EXPECT_EQ(row->status, ConnectionStatus::Active);
  // Never a pair without both tokens.
  EXPECT_FALSE(repo_.storeRefreshed(**taken, {"v1.access-c", "", now_ + 26h, {}}, now_ + 64s).ok());
}

TEST_F(ConnectionRepositoryTest, AnInterruptedRefreshIsRemembered) {
  ASSERT_TRUE(repo_.insert(make("c1", now_ + 1h)));
  auto lease = repo_.acquireLease("c1", "a", now_, 60s);
  ASSERT_TRUE(*repo_.markRefreshInFlight(**lease, now_ + 180s));
  EXPECT_EQ(*repo_.refreshMark("c1"), (*lease)->fence);
  EXPECT_EQ(repo_.find("c1")->value().refresh_not_before, now_ + 180s);
  ASSERT_TRUE(*repo_.storeRefreshed(**lease, {"v1.x", "v1.y", now_ + 2h, {}}, now_));
  EXPECT_EQ(*repo_.refreshMark("c1"), RefreshMark::kNone);
}

TEST_F(ConnectionRepositoryTest, AnAnswerLostOutcomeKeepsTheMark) {
  ASSERT_TRUE(repo_.insert(make("c1", now_ + 1h)));
  auto lease = repo_.acquireLease("c1", "a", now_, 60s);
  ASSERT_TRUE(*repo_.markRefreshInFlight(**lease, now_ + 180s));
  ASSERT_TRUE(
      *repo_.storeOutcome(**lease, {"unavailable", ConnectionStatus::Active, 1, now_ + 30s, true}, now_));
  EXPECT_EQ(*repo_.refreshMark("c1"), RefreshMark::kAnswerLost);
  ASSERT_TRUE(repo_.releaseLease(**lease).ok());
  auto next = repo_.acquireLease("c1", "b", now_ + 31s, 60s);
  ASSERT_TRUE(*repo_.markRefreshInFlight(**next, now_ + 211s));
  ASSERT_TRUE(*repo_.storeOutcome(**next, {"unavailable", ConnectionStatus::Active, 2, now_ + 90s}, now_));
  EXPECT_EQ(*repo_.refreshMark("c1"), RefreshMark::kNone);
}

TEST_F(ConnectionRepositoryTest, ALateAnswerIsKeptOnlyWhileNobodySpentTheTokenSince) {
  ASSERT_TRUE(repo_.insert(make("c1", now_ + 1h)));
  ASSERT_TRUE(repo_.insert(make("c2", now_ + 1h)));
  // c1: the holder's lease ran out and a second holder took one, but did not send: the late
  // answer is CC's live pair and is stored.
  auto paused = repo_.acquireLease("c1", "a", now_, 60s);
  ASSERT_TRUE(*repo_.markRefreshInFlight(**paused, now_ + 180s));
  auto waiting = repo_.acquireLease("c1", "b", now_ + 61s, 60s);
  ASSERT_TRUE(waiting->has_value());
  EXPECT_TRUE(*repo_.storeRefreshed(**paused, {"v1.late-a", "v1.late-r", now_ + 26h, {}}, now_ + 120s));
  EXPECT_EQ(repo_.find("c1")->value().sealed_refresh_token, "v1.late-r");
  // c2: the second holder sent the token itself: the late answer is refused.
  auto paused2 = repo_.acquireLease("c2", "a", now_, 60s);
  ASSERT_TRUE(*repo_.markRefreshInFlight(**paused2, now_ + 180s));
  auto spender = repo_.acquireLease("c2", "b", now_ + 200s, 60s);
  ASSERT_TRUE(*repo_.markRefreshInFlight(**spender, now_ + 380s));
  EXPECT_FALSE(*repo_.storeRefreshed(**paused2, {"v1.late-a", "v1.late-r", now_ + 26h, {}}, now_ + 201s));
  EXPECT_NE(repo_.find("c2")->value().sealed_refresh_token, "v1.late-r");
}

TEST_F(ConnectionRepositoryTest, ConnectionsExpiringTogetherBecomeDueSpreadOverTheJitter) {
  const TimePoint expires = now_ + 24h;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(repo_.insert(make("c" + std::to_string(i), expires)));
  const auto ahead = 600s;
  const auto jitter = std::chrono::milliseconds(300s);
  auto dueAt = [&](TimePoint t) { return repo_.dueForRefresh(t, t + ahead, 5000, jitter)->size(); };
  EXPECT_EQ(dueAt(expires - ahead - jitter - 1s), 0u);
  const size_t half = dueAt(expires - ahead - jitter / 2);
  EXPECT_GT(half, 300u);
  EXPECT_LT(half, 700u);
  EXPECT_EQ(dueAt(expires - ahead + 1s), 1000u);
}

}  // namespace
}  // namespace liaison::hub::testing
