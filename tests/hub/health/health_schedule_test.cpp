// Cached reports and the scheduled renewal.
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "health_fixture.h"
#include "hub/health/health_json.h"

namespace liaison::hub::testing {
namespace {

TEST_F(HealthTest, WithoutACachedReportACheckIsMadeAndKept) {
  insert("conn_1");
  auto first = checker->check("conn_1", false);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(http.calls(kPrivilegesPath), 1);
  clock.advance(std::chrono::minutes(5));
  auto cached = checker->check("conn_1", false);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(http.calls(kPrivilegesPath), 1);  // served from the store
  EXPECT_EQ(cached->checked_at, first->checked_at);
  EXPECT_EQ(renderHealthJson(*cached), renderHealthJson(*first));
  ASSERT_EQ(cached->social.size(), 1u);
  ASSERT_EQ(cached->social[0].profiles.size(), 1u);  // the profiles come back from the store too
  EXPECT_EQ(cached->social[0].profiles[0].profile_id, "fb-page-1");
}

TEST_F(HealthTest, AFreshCheckAsksCcAgainAndReplacesTheCachedReport) {
  insert("conn_1");
  checkFresh("conn_1");
  clock.advance(std::chrono::minutes(5));
  http.script(kPrivilegesPath, {Reply{403, "{}"}});
  const HealthReport fresh = checkFresh("conn_1");
  EXPECT_EQ(http.calls(kPrivilegesPath), 2);
  EXPECT_EQ(fresh.status, HealthStatus::Broken);
  auto cached = checker->check("conn_1", false);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->status, HealthStatus::Broken);
  EXPECT_EQ(cached->checked_at, clock.now());
}

TEST_F(HealthTest, ACachedReportDoesNotOutliveADisconnect) {
  insert("conn_1");
  checkFresh("conn_1");
  clock.advance(std::chrono::minutes(1));
  ASSERT_TRUE(connections.eraseTokens("conn_1", clock.now()).ok());
  auto report = checker->check("conn_1", false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->status, HealthStatus::Broken);
  EXPECT_FALSE(report->cc.has_token);
  EXPECT_EQ(http.calls(kPrivilegesPath), 1);
}

TEST_F(HealthTest, ABrokenCachedReportIsRenewedAfterAReconnect) {
  Connection c = insert("conn_1");
  http.script(kPrivilegesPath, {Reply{401, "{}"}, Reply{401, "{}"}, Reply{200, "{}"}});
  EXPECT_EQ(checkFresh("conn_1").status, HealthStatus::Broken);
  clock.advance(std::chrono::minutes(1));
  c.updated_at = clock.now();
  c.access_expires_at = clock.now() + std::chrono::hours(1);
  ASSERT_TRUE(connections.replaceGrant(c).ok());
  auto report = checker->check("conn_1", false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->status, HealthStatus::Healthy);
  EXPECT_EQ(report->checked_at, clock.now());
}

TEST_F(HealthTest, RunDueRenewsReportsOnlyOnceTheyAreOlderThanThePollInterval) {
  insert("conn_1");
  clock.advance(std::chrono::milliseconds(10));
  insert("conn_2");
  insert("conn_3", kAllScopes, ConnectionStatus::ReauthRequired);  // not polled: nothing to ask CC
  // Three calls a check and four a second for the CC app: one check a second.
  EXPECT_EQ(checker->runDue(1), 1);
  nextSecond();
  EXPECT_EQ(checker->runDue(1), 1);
  EXPECT_EQ(http.calls(kPrivilegesPath), 2);
  nextSecond();
  EXPECT_EQ(checker->runDue(10), 0);
  clock.advance(std::chrono::minutes(14));
  EXPECT_EQ(checker->runDue(10), 0);
  clock.advance(std::chrono::minutes(1));
  EXPECT_EQ(checker->runDue(1), 1);
  nextSecond();
  EXPECT_EQ(checker->runDue(1), 1);
  EXPECT_EQ(http.calls(kPrivilegesPath), 4);
  EXPECT_EQ(checker->runDue(10), 0);
  auto reauth = checker->check("conn_3", false);  // no report yet: made now
  ASSERT_TRUE(reauth.ok());
  EXPECT_EQ(reauth->status, HealthStatus::Broken);
}

TEST_F(HealthTest, RunDueTakesTheOldestReportFirstAndHonoursTheLimit) {
  insert("conn_1");
  insert("conn_2");
  ASSERT_TRUE(checker->check("conn_2", true).ok());
  nextSecond();
  ASSERT_TRUE(checker->check("conn_1", true).ok());
  clock.advance(std::chrono::minutes(20));
  const TimePoint before = clock.now();
  EXPECT_EQ(checker->runDue(1), 1);
  EXPECT_EQ(checker->check("conn_2", false)->checked_at, before);  // the older report was renewed
  EXPECT_LT(checker->check("conn_1", false)->checked_at, before);
}

TEST_F(HealthTest, RunDueStopsWhenTheRateBudgetRefuses) {
  // Three calls per check and four a second for the CC app: the second check is refused after
  // its first call, and is not stored.
  insert("conn_1");
  insert("conn_2");
  insert("conn_3");
  EXPECT_EQ(checker->runDue(10), 1);
  auto unchecked = HealthStore(db).loadReport("conn_2");
  ASSERT_TRUE(unchecked.ok());
  EXPECT_FALSE(unchecked->has_value()) << "a report cut short is not stored";
  nextSecond();
  EXPECT_EQ(checker->runDue(10), 1);  // the one left over, now with room
  EXPECT_TRUE(HealthStore(db).loadReport("conn_2")->has_value());
  EXPECT_FALSE(HealthStore(db).loadReport("conn_3")->has_value());
  nextSecond();
  EXPECT_EQ(checker->runDue(10), 1);
  EXPECT_TRUE(HealthStore(db).loadReport("conn_3")->has_value());
}

TEST_F(HealthTest, HubProcessesSharingTheStoreClaimDifferentConnectionsAndAbandonedClaimsRunOut) {
  for (int i = 1; i <= 4; ++i) {
    insert("conn_" + std::to_string(i));
    clock.advance(std::chrono::milliseconds(10));
  }
  HubDatabase other_db{store_location, migrations};  // another hub process
  HealthStore mine(db);
  HealthStore theirs(other_db);
  const TimePoint now = clock.now();
  const TimePoint until = now + std::chrono::minutes(2);
  EXPECT_EQ(mine.claimDueForCheck(now, now, until, 2).value(),
            (std::vector<std::string>{"conn_1", "conn_2"}));
  EXPECT_EQ(theirs.claimDueForCheck(now, now, until, 10).value(),
            (std::vector<std::string>{"conn_3", "conn_4"}));
  EXPECT_TRUE(mine.claimDueForCheck(now, now, until, 10).value().empty());
  // A claim handed back is due again at once.
  ASSERT_TRUE(theirs.releaseCheckClaims({"conn_4"}).ok());
  EXPECT_EQ(mine.claimDueForCheck(now, now, until, 10).value(), (std::vector<std::string>{"conn_4"}));
  // Both processes die without checking: their claims run out and the work is anyone's again.
  clock.advance(std::chrono::minutes(2));
  const TimePoint later = clock.now();
  EXPECT_EQ(theirs.claimDueForCheck(later, later, later + std::chrono::minutes(2), 10).value(),
            (std::vector<std::string>{"conn_1", "conn_2", "conn_3", "conn_4"}));
}

TEST_F(HealthTest, ConcurrentClaimersTakeEveryDueConnectionExactlyOnce) {
  constexpr int kConnections = 60;
  constexpr int kClaimers = 4;
  for (int i = 0; i < kConnections; ++i) insert("conn_" + std::to_string(i));
  const TimePoint now = clock.now();
  std::vector<std::unique_ptr<HubDatabase>> stores;
  for (int p = 0; p < kClaimers; ++p)
    stores.push_back(std::make_unique<HubDatabase>(store_location, migrations));
  std::vector<std::vector<std::string>> taken(kClaimers);
  std::vector<std::thread> threads;
  for (int p = 0; p < kClaimers; ++p) {
    threads.emplace_back([&, p] {
      HealthStore store(*stores[p]);
      while (true) {
        auto claimed = store.claimDueForCheck(now, now, now + std::chrono::minutes(2), 3);
        if (!claimed || claimed->empty()) return;
        taken[p].insert(taken[p].end(), claimed->begin(), claimed->end());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::map<std::string, int> times;
  for (const auto& list : taken) {
    for (const auto& id : list) ++times[id];
  }
  EXPECT_EQ(times.size(), static_cast<size_t>(kConnections));
  for (const auto& [id, count] : times) EXPECT_EQ(count, 1) << id;
}

}  // namespace
}  // namespace liaison::hub::testing
