// T18: the token endpoint's budget and proactive refresh over three simulated days. Ten
// thousand connections hold 24-hour access tokens issued at random times; the hub's background
// worker refreshes them ahead of expiry while the host app makes v3 calls through the hub.
// Must hold: the token endpoint never sees more than one call in any one-second window (CC's
// limit per client), every connection stays active, and no v3 call ever carries an expired
// access token (the fake checks each one against the expiry it issued).
#include <gtest/gtest.h>

#include <vector>

#include "hub/reliability/hub_node.h"
#include "hub/vault/key_encryption_key.h"
#include "support/temp_dir.h"

namespace liaison::hub::reliability {
namespace {

using namespace std::chrono_literals;
using std::chrono::duration_cast;

// The worker runs again at once after doing work, else a second later (production). Here a
// second later only while refreshes are queued for the token budget; once a run finds nothing
// due, the next tick comes after kIdleTick. Refreshes are due ten minutes ahead of expiry, so
// the coarser idle tick delays a refresh by at most that much inside its ten minutes, and keeps
// three simulated days quick (each idle run walks every active connection).
constexpr auto kIdleTick = 20s;

TEST(T18TokenBudget, ThreeDaysOfProactiveRefreshStayWithinOneCallASecond) {
  const int kConnections = scaled(10'000, 2'000);
  const auto kSimulated = 72h;
  liaison::testing::TempDir dir("liaison-t18");
  const TimePoint start = fromUnixSeconds(1'800'000'000);
  VirtualClock clock(start);
  LockedRandom random(18);
  FakeCc cc(kConnections, clock, 24h);
  HubNode node(dir.file("hub.db"), generateKeyEncryptionKey(random), clock, cc, random);
  for (int i = 0; i < kConnections; ++i) {
    node.insertFrom(cc, i, start + std::chrono::seconds(random.uniform(24 * 3600)));  // random issue times
  }

  const Stopwatch elapsed;
  int64_t worker_runs = 0, api_calls = 0, api_ok = 0, api_unauthorized = 0, api_other = 0, token_refused = 0;
  bool worked_last_run = false;
  std::vector<int64_t> rotations_by_day;
  int64_t day_started_rotations = 0;
  TimePoint day_end = start + 24h;
  while (clock.now() < start + kSimulated) {
    const int done = node.refresher->runDue(50);
    ++worker_runs;
    // The host app's traffic: now and then a v3 call for a random connection.
    if (random.uniform(3) == 0) {
      const int i = static_cast<int>(random.uniform(kConnections));
      auto token = node.refresher->accessToken(connectionId(i), CallClass::Interactive);
      if (!token) {
        ++token_refused;
      } else {
        ++api_calls;
        auto answer = node.cc.getV3("/account/summary", *token, CallClass::Interactive, connectionId(i));
        if (answer) {
          ++api_ok;
        } else if (answer.error().code == ErrorCode::Unauthorized) {
          ++api_unauthorized;
        } else {
          ++api_other;  // the day's API budget, never the token
        }
      }
    }
    if (done == 0) clock.advance(worked_last_run ? 1s : kIdleTick);
    worked_last_run = done > 0;
    if (clock.now() >= day_end) {
      const int64_t rotations = cc.totals().rotations;
      rotations_by_day.push_back(rotations - day_started_rotations);
      day_started_rotations = rotations;
      day_end += 24h;
    }
  }

  const AuthorityTotals totals = cc.totals();
  int not_active = 0;
  for (int i = 0; i < kConnections; ++i) {
    if (node.row(i).status != ConnectionStatus::Active) ++not_active;
  }
  EXPECT_LE(totals.max_calls_in_one_second, 1) << "the token endpoint saw more than one call in a second";
  EXPECT_GE(totals.min_gap_ms, 1000);
  EXPECT_EQ(totals.v3_expired, 0) << "v3 calls made with an expired access token";
  EXPECT_EQ(api_unauthorized, 0);
  EXPECT_EQ(token_refused, 0) << "the hub had no usable token for a connection";
  EXPECT_EQ(totals.replays, 0);
  EXPECT_EQ(not_active, 0);
  // Every token lives a day and is renewed ten minutes early: at least one refresh per
  // connection per day, and not many more.
  for (size_t day = 1; day < rotations_by_day.size(); ++day) {
    EXPECT_GE(rotations_by_day[day], kConnections) << "day " << day;
    EXPECT_LE(rotations_by_day[day], kConnections * 11 / 10) << "day " << day;
  }

  figure("t18.connections", kConnections);
  figure("t18.simulated_hours", static_cast<int64_t>(duration_cast<std::chrono::hours>(kSimulated).count()));
  figure("t18.token_calls", totals.refresh_calls);
  figure("t18.max_token_calls_in_one_second", totals.max_calls_in_one_second);
  figure("t18.min_gap_between_token_calls_ms", totals.min_gap_ms);
  for (size_t day = 0; day < rotations_by_day.size(); ++day) {
    figure("t18.refreshes_day_" + std::to_string(day + 1), rotations_by_day[day]);
  }
  figure("t18.refreshes_per_day_avg",
         static_cast<double>(totals.rotations) * 24.0 /
             static_cast<double>(duration_cast<std::chrono::hours>(kSimulated).count()));
  figure("t18.v3_calls", api_calls);
  figure("t18.v3_calls_with_expired_token", totals.v3_expired);
  figure("t18.v3_401", api_unauthorized);
  figure("t18.v3_refused_by_daily_budget", api_other);
  figure("t18.worker_runs", worker_runs);
  figure("t18.real_elapsed_ms", elapsed.elapsed().count() / 1000);
}

// The once-an-hour search for idle refresh tokens: a connection whose access token outlives its
// refresh token's idle limit is renewed before CC would drop the refresh token (180 days).
TEST(T18TokenBudget, IdleRefreshTokensAreRenewedBeforeCcDropsThem) {
  liaison::testing::TempDir dir("liaison-t18-idle");
  VirtualClock clock(fromUnixSeconds(1'800'000'000));
  LockedRandom random(181);
  FakeCc cc(3, clock, 24h);
  HubNode node(dir.file("hub.db"), generateKeyEncryptionKey(random), clock, cc, random);
  for (int i = 0; i < 3; ++i) node.insertFrom(cc, i, clock.now() + std::chrono::hours(24 * 400));
  EXPECT_EQ(node.refresher->runDue(50), 0);
  clock.advance(std::chrono::hours(24 * 151));  // past the hub's 150-day mark, inside CC's 180
  int refreshed = 0;
  for (int tick = 0; tick < 10; ++tick, clock.advance(1s)) refreshed += node.refresher->runDue(50);
  EXPECT_EQ(refreshed, 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cc.calls(i), 1);
    EXPECT_EQ(node.storedRefreshToken(i), cc.liveRefreshToken(i));
  }
}

}  // namespace
}  // namespace liaison::hub::reliability
