// A hub process killed (SIGKILL) while it holds work: refresh leases on every connection, the
// due webhook deliveries and the due health checks, all taken the way the hub takes them. Another
// process on the same store (a SQLite file, or one PostgreSQL database) must leave the work alone
// while it is held, and once the leases and claims run out (virtual time, shared with the forked
// child) finish all of it: every connection refreshed exactly once with nothing lost, every
// delivery sent, every connection checked.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "hub/health/health_store.h"
#include "hub/reliability/hub_node.h"
#include "hub/vault/key_encryption_key.h"
#include "hub/webhooks/repository.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace liaison::hub::reliability {
namespace {

using namespace std::chrono_literals;

constexpr int kConnections = 20;
constexpr int kDeliveries = 8;

// Takes every kind of work as the hub would, reports how much through `report`, then waits to be
// killed. Runs in the forked child; never returns.
[[noreturn]] void holdWorkUntilKilled(const std::string& store, const Secret& kek, VirtualClock& clock,
                                      FakeCc& cc, int report) {
  int taken = 0;
  try {
    LockedRandom random(99);
    NodeOptions options;
    options.holder = "doomed";
    HubNode node(store, kek, clock, cc, random, options);
    const TimePoint now = clock.now();
    for (int i = 0; i < kConnections; ++i) {
      auto lease = node.connections.acquireLease(connectionId(i), "doomed", now, options.settings.lease);
      if (lease && *lease) ++taken;
    }
    storage::Database webhook_db(store, {});
    webhooks::WebhookRepository deliveries(webhook_db, random);
    if (auto claimed = deliveries.claimDue(now, 100)) taken += static_cast<int>(claimed->size());
    HealthStore health(node.db);
    if (auto claimed = health.claimDueForCheck(now, now, now + 2min, 100))
      taken += static_cast<int>(claimed->size());
  } catch (...) {
    taken = -1;
  }
  (void)!::write(report, &taken, sizeof taken);
  for (;;) ::pause();
}

TEST(ProcessKilledMidJob, ItsLeasesAndClaimsRunOutAndAnotherProcessFinishesTheWork) {
  liaison::testing::TempDir dir("liaison-killed");
  const std::string store = liaison::testing::testStoreLocation(dir.file("hub.db"));
  SharedBlock<VirtualClock> clock(sizeof(VirtualClock), fromUnixSeconds(1'800'000'000));
  LockedRandom random(7);
  FakeCc cc(kConnections, *clock.get());
  const Secret kek = generateKeyEncryptionKey(random);
  {
    // Seeded and closed before forking: a database connection never crosses a fork.
    HubNode seeder(store, kek, *clock.get(), cc, random);
    for (int i = 0; i < kConnections; ++i) seeder.insertFrom(cc, i, clock->now() + 5min);  // refresh due
    storage::Database webhook_db(store, {});
    webhooks::WebhookRepository deliveries(webhook_db, random);
    webhooks::Webhook hook;
    hook.id = "wh_1";
    hook.url = "https://app.example/hooks";
    hook.sealed_secret = "sealed";
    hook.created_at = clock->now();
    hook.active = true;
    ASSERT_TRUE(deliveries.create(hook));
    for (int d = 0; d < kDeliveries; ++d) {
      webhooks::WebhookEvent event{"evt_" + std::to_string(d), "connection.refreshed", connectionId(d),
                                   clock->now(), "{}"};
      ASSERT_TRUE(deliveries.enqueue(event));
    }
  }

  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) holdWorkUntilKilled(store, kek, *clock.get(), cc, pipe_fds[1]);
  ::close(pipe_fds[1]);
  int taken = 0;
  pollfd ready{pipe_fds[0], POLLIN, 0};
  const bool reported =
      ::poll(&ready, 1, 60'000) == 1 && ::read(pipe_fds[0], &taken, sizeof taken) == sizeof taken;
  ::close(pipe_fds[0]);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(reported) << "the child never said it held the work";
  // Every connection's lease, every delivery (one per connection, each first in its order) and
  // every health check.
  EXPECT_EQ(taken, kConnections + kDeliveries + kConnections);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  NodeOptions options;
  options.holder = "survivor";
  options.lease_waiter = pauseInRealTime();
  HubNode survivor(store, kek, *clock.get(), cc, random, options);
  storage::Database webhook_db(store, {});
  webhooks::WebhookRepository deliveries(webhook_db, random);
  HealthStore health(survivor.db);
  const TimePoint killed_at = clock->now();
  // Held by the dead process: nothing is taken twice while its leases and claims last.
  EXPECT_EQ(survivor.refresher->runDue(100), 0);  // none is due while its lease is held
  for (int i = 0; i < kConnections; ++i) EXPECT_EQ(cc.calls(i), 0) << connectionId(i);
  EXPECT_TRUE(deliveries.claimDue(killed_at, 100)->empty());
  EXPECT_TRUE(health.claimDueForCheck(killed_at, killed_at, killed_at + 2min, 100)->empty());

  // The refresh leases (60 s) and health claims (2 min) run out first, the delivery claims after
  // their 15 minutes; the survivor works a round a second, as the hub's background loop does.
  std::set<std::string> checked;
  std::set<std::string> delivered;
  while (clock->now() < killed_at + webhooks::kClaimLease + 1min) {
    clock->advance(1s);
    const TimePoint now = clock->now();
    survivor.refresher->runDue(100);
    if (auto claimed = health.claimDueForCheck(now, now, now + 2min, 100))
      checked.insert(claimed->begin(), claimed->end());
    if (auto due = deliveries.claimDue(now, 100)) {
      for (const auto& item : *due) {
        ASSERT_TRUE(deliveries.markDelivered(item.delivery.id, now, 200));
        delivered.insert(item.delivery.event_id);
      }
    }
  }
  int not_once = 0, lost = 0;
  for (int i = 0; i < kConnections; ++i) {
    if (cc.calls(i) != 1) ++not_once;
    if (survivor.row(i).status != ConnectionStatus::Active ||
        survivor.storedRefreshToken(i) != cc.liveRefreshToken(i))
      ++lost;
  }
  EXPECT_EQ(not_once, 0) << "connections not refreshed exactly once after the kill";
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(cc.totals().replays, 0);
  EXPECT_EQ(checked.size(), static_cast<size_t>(kConnections))
      << "connections whose health check was taken over";
  EXPECT_EQ(delivered.size(), static_cast<size_t>(kDeliveries)) << "deliveries sent after the kill";
  figure("killed.work_held", taken);
  figure("killed.connections_refreshed_once", kConnections - not_once);
  figure("killed.connections_lost", lost);
  figure("killed.deliveries_finished", static_cast<int64_t>(delivered.size()));
  figure("killed.health_checks_taken_over", static_cast<int64_t>(checked.size()));
}

}  // namespace
}  // namespace liaison::hub::reliability
