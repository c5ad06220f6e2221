// T19: how the refresher treats a failing token endpoint. invalid_grant is a verdict on the
// grant: one attempt, reauth_required with one event, and no retry in the hours after. An outage
// (503, timeouts, 429, temporarily_unavailable) or the hub's own client credentials being
// refused is not: the connection stays active, the refresher backs off (far fewer calls than
// ticks) and recovers, with connection.recovered, once the endpoint works again.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "hub/reliability/hub_node.h"
#include "hub/vault/key_encryption_key.h"
#include "support/temp_dir.h"

namespace liaison::hub::reliability {
namespace {

using namespace std::chrono_literals;

class T19RefreshFailure : public ::testing::Test {
 protected:
  explicit T19RefreshFailure(std::chrono::seconds access_lifetime = 24h)
      : cc(kConnections, clock, access_lifetime) {}

  // The background worker for `span` of virtual time: again at once after work, else a second later.
  void runWorker(std::chrono::seconds span) {
    const TimePoint until = clock.now() + span;
    while (clock.now() < until) {
      ++ticks;
      if (node.refresher->runDue(50) == 0) clock.advance(1s);
    }
  }
  std::vector<int64_t> callsNow() {
    std::vector<int64_t> out;
    for (int i = 0; i < kConnections; ++i) out.push_back(cc.calls(i));
    return out;
  }

  static constexpr int kConnections = 40;
  liaison::testing::TempDir dir{"liaison-t19"};
  VirtualClock clock{fromUnixSeconds(1'800'000'000)};
  LockedRandom random{19};
  FakeCc cc;
  HubNode node{dir.file("hub.db"), generateKeyEncryptionKey(random), clock, cc, random};
  int64_t ticks = 0;
};

class T19InvalidGrant : public T19RefreshFailure {
 protected:
  T19InvalidGrant() : T19RefreshFailure(1h) {}  // hourly tokens: many refreshes in six hours
};

TEST_F(T19InvalidGrant, EndsTheConnectionAfterOneAttemptAndNeverRetries) {
  for (int i = 0; i < kConnections; ++i) node.insertFrom(cc, i, clock.now() + std::chrono::minutes(5 + i));
  auto revoked = [](int i) { return i % 4 == 0; };
  for (int i = 0; i < kConnections; ++i) {
    if (revoked(i)) cc.revokeGrant(i);
  }
  int refused_callers = 0;
  for (int hour = 0; hour < 6; ++hour) {
    runWorker(1h);
    for (int i = 0; i < kConnections; i += 4) {  // the host app keeps asking for the dead ones
      auto token = node.refresher->accessToken(connectionId(i), CallClass::Interactive);
      if (!token && token.error().key == "connection_not_active") ++refused_callers;
    }
  }
  int dead = 0;
  int64_t healthy_refreshes = 0;
  for (int i = 0; i < kConnections; ++i) {
    const Connection row = node.row(i);
    if (revoked(i)) {
      ++dead;
      EXPECT_EQ(cc.calls(i), 1) << connectionId(i) << ": a dead grant was tried again";
      EXPECT_EQ(row.status, ConnectionStatus::ReauthRequired);
      const auto events = node.eventsOf(i, "connection.reauth_required");
      ASSERT_EQ(events.size(), 1u) << connectionId(i);
      EXPECT_NE(events[0].data_json.find("invalid_grant"), std::string::npos) << events[0].data_json;
    } else {
      healthy_refreshes += cc.calls(i);
      EXPECT_EQ(row.status, ConnectionStatus::Active);
      EXPECT_GE(cc.calls(i), 6) << connectionId(i) << ": hourly tokens over six hours";
      EXPECT_EQ(node.storedRefreshToken(i), cc.liveRefreshToken(i));
    }
  }
  EXPECT_EQ(refused_callers, dead * 6);
  figure("t19.invalid_grant.connections", dead);
  figure("t19.invalid_grant.attempts_per_dead_connection",
         static_cast<double>(cc.totals().invalid_grants) / dead);
  figure("t19.invalid_grant.hours_watched", 6);
  figure("t19.invalid_grant.healthy_refreshes", healthy_refreshes);
}

TEST_F(T19RefreshFailure, AnHourLongOutageKeepsConnectionsActiveBacksOffAndRecovers) {
  for (int i = 0; i < kConnections; ++i) node.insertFrom(cc, i, clock.now() + 5min);
  const std::vector<Fault> outage = {Fault::ServiceUnavailable, Fault::Timeout, Fault::TooManyRequests,
                                     Fault::TemporarilyUnavailable};
  const auto before = callsNow();
  const int64_t ticks_before = ticks;
  for (Fault fault : outage) {  // a quarter of an hour each
    cc.setFault(fault);
    runWorker(15min);
  }
  const auto during = callsNow();
  const int64_t outage_ticks = ticks - ticks_before;
  int64_t most = 0, total = 0;
  for (int i = 0; i < kConnections; ++i) {
    const int64_t attempts = during[i] - before[i];
    most = std::max(most, attempts);
    total += attempts;
    EXPECT_GE(attempts, 2) << connectionId(i) << ": never retried during the outage";
    EXPECT_LE(attempts, 12) << connectionId(i) << ": no back-off";
    EXPECT_EQ(node.row(i).status, ConnectionStatus::Active)
        << connectionId(i) << ": declared dead by an outage";
    EXPECT_TRUE(node.eventsOf(i, "connection.reauth_required").empty());
  }

  cc.setFault(Fault::None);
  const TimePoint healed = clock.now();
  std::vector<TimePoint> recovered_at(kConnections);
  int recovered = 0;
  while (recovered < kConnections && clock.now() < healed + 2h) {
    runWorker(10s);
    for (int i = 0; i < kConnections; ++i) {
      if (recovered_at[i] == TimePoint{} && cc.calls(i) > during[i]) {
        recovered_at[i] = clock.now();
        ++recovered;
      }
    }
  }
  TimePoint last{};
  for (int i = 0; i < kConnections; ++i) {
    EXPECT_EQ(cc.calls(i) - during[i], 1) << connectionId(i);
    EXPECT_EQ(node.row(i).status, ConnectionStatus::Active);
    EXPECT_EQ(node.storedRefreshToken(i), cc.liveRefreshToken(i));
    EXPECT_EQ(node.eventsOf(i, "connection.recovered").size(), 1u) << connectionId(i);
    last = std::max(last, recovered_at[i]);
  }
  EXPECT_EQ(recovered, kConnections);
  figure("t19.outage.connections", kConnections);
  figure("t19.outage.worker_ticks_in_the_hour", outage_ticks);
  figure("t19.outage.attempts_per_connection_per_hour_avg", static_cast<double>(total) / kConnections);
  figure("t19.outage.attempts_per_connection_per_hour_max", most);
  figure("t19.outage.false_dead", 0);
  figure("t19.outage.minutes_to_recover_all",
         std::chrono::duration_cast<std::chrono::seconds>(last - healed).count() / 60.0);
}

// The hub's client secret was regenerated in CC's portal and not yet updated here: CC refuses
// the hub, not the grants. Killing every connection would make every user reconnect for a
// configuration fix.
TEST_F(T19RefreshFailure, RefusedClientCredentialsDoNotEndTheGrants) {
  for (int i = 0; i < kConnections; ++i) node.insertFrom(cc, i, clock.now() + 5min);
  cc.setFault(Fault::InvalidClient);
  runWorker(30min);
  int ended = 0;
  for (int i = 0; i < kConnections; ++i) {
    if (node.row(i).status != ConnectionStatus::Active) ++ended;
  }
  EXPECT_EQ(ended, 0) << "connections ended because the hub's own credentials were refused";
  cc.setFault(Fault::None);
  runWorker(1h);
  int active = 0;
  for (int i = 0; i < kConnections; ++i) {
    if (node.row(i).status == ConnectionStatus::Active &&
        node.storedRefreshToken(i) == cc.liveRefreshToken(i)) {
      ++active;
    }
  }
  EXPECT_EQ(active, kConnections);
  figure("t19.invalid_client.connections_ended", ended);
  figure("t19.invalid_client.connections_recovered", active);
}

}  // namespace
}  // namespace liaison::hub::reliability
