#include "hub/webhooks/repository.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "hub/webhooks/webhook_store.h"

namespace liaison::hub::webhooks {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::kStart;
using testing::makeEvent;
using testing::makeWebhook;

std::vector<std::string> eventIds(const std::vector<DueDelivery>& due) {
  std::vector<std::string> out;
  for (const auto& item : due) out.push_back(item.delivery.webhook_id + "/" + item.event.id);
  return out;
}

class WebhookRepositoryTest : public ::testing::Test {
 protected:
  WebhookRepository& repo() { return store_.repository(); }
  testing::WebhookStore store_;
};

TEST_F(WebhookRepositoryTest, StoresAndReadsBackWebhooks) {
  Webhook one = makeWebhook("wh_1", {"connection.created", "connection.revoked"});
  Webhook two = makeWebhook("wh_2", {}, false);
  two.created_at = kStart + seconds(5);
  ASSERT_TRUE(repo().create(one));
  ASSERT_TRUE(repo().create(two));

  auto got = repo().get("wh_1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->url, one.url);
  EXPECT_EQ(got->event_types, one.event_types);
  EXPECT_EQ(got->sealed_secret, "sealed:wh_1");
  EXPECT_EQ(got->created_at, kStart);
  EXPECT_TRUE(got->active);

  auto all = repo().list();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "wh_1");
  EXPECT_EQ((*all)[1].id, "wh_2");
  EXPECT_TRUE((*all)[1].event_types.empty());
  EXPECT_FALSE((*all)[1].active);
}

TEST_F(WebhookRepositoryTest, RefusesDuplicatesAndIncompleteWebhooks) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  auto again = repo().create(makeWebhook("wh_1"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::Conflict);
  Webhook no_url = makeWebhook("wh_2");
  no_url.url.clear();
  EXPECT_EQ(repo().create(no_url).error().code, ErrorCode::InvalidRequest);
  EXPECT_EQ(repo().get("wh_missing").error().code, ErrorCode::NotFound);
  EXPECT_EQ(repo().remove("wh_missing").error().code, ErrorCode::NotFound);
}

// Key rotation writes a re-sealed secret only over the value it read: never over a newer one, and
// never into a webhook that was removed meanwhile.
TEST_F(WebhookRepositoryTest, ResealSecretIsACompareAndSwap) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  auto stale = repo().resealSecret("wh_1", "sealed:something-else", "v2.new");
  ASSERT_TRUE(stale);
  EXPECT_FALSE(*stale);
  EXPECT_EQ(repo().get("wh_1")->sealed_secret, "sealed:wh_1");

  auto written = repo().resealSecret("wh_1", "sealed:wh_1", "v2.new");
  ASSERT_TRUE(written);
  EXPECT_TRUE(*written);
  EXPECT_EQ(repo().get("wh_1")->sealed_secret, "v2.new");
  EXPECT_FALSE(*repo().resealSecret("wh_1", "sealed:wh_1", "v2.other")) << "the old value is gone";
  EXPECT_EQ(repo().get("wh_1")->sealed_secret, "v2.new");

  ASSERT_TRUE(repo().remove("wh_1"));
  auto removed = repo().resealSecret("wh_1", "v2.new", "v3.newer");
  ASSERT_TRUE(removed);
  EXPECT_FALSE(*removed);
  EXPECT_EQ(repo().get("wh_1").error().code, ErrorCode::NotFound);
}

TEST_F(WebhookRepositoryTest, EnqueueMakesOneDeliveryPerSubscribedActiveWebhook) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_all")));
  ASSERT_TRUE(repo().create(makeWebhook("wh_created", {"connection.created"})));
  ASSERT_TRUE(repo().create(makeWebhook("wh_revoked", {"connection.revoked"})));
  ASSERT_TRUE(repo().create(makeWebhook("wh_off", {}, false)));

  auto created = repo().enqueue(makeEvent("evt_1", "conn_a", "connection.created"));
  ASSERT_TRUE(created);
  EXPECT_EQ(created->size(), 2u);
  auto revoked = repo().enqueue(makeEvent("evt_2", "conn_a", "connection.revoked"));
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->size(), 2u);

  EXPECT_EQ(repo().listDeliveries("wh_all", 10)->size(), 2u);
  EXPECT_EQ(repo().listDeliveries("wh_created", 10)->size(), 1u);
  EXPECT_EQ(repo().listDeliveries("wh_revoked", 10)->size(), 1u);
  EXPECT_TRUE(repo().listDeliveries("wh_off", 10)->empty());

  auto delivery = repo().listDeliveries("wh_created", 10)->front();
  EXPECT_EQ(delivery.event_id, "evt_1");
  EXPECT_EQ(delivery.connection_id, "conn_a");
  EXPECT_EQ(delivery.status, DeliveryStatus::Pending);
  EXPECT_EQ(delivery.attempts, 0);
  EXPECT_EQ(delivery.next_attempt_at, kStart);
  EXPECT_FALSE(delivery.last_status_code);
  EXPECT_FALSE(delivery.delivered_at);
  EXPECT_EQ(delivery.id.rfind("dlv_", 0), 0u);
}

TEST_F(WebhookRepositoryTest, AnEventEnqueuedTwiceIsDeliveredOnce) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_EQ(repo().enqueue(makeEvent("evt_1", "conn_a"))->size(), 1u);
  ASSERT_TRUE(repo().create(makeWebhook("wh_2")));
  auto again = repo().enqueue(makeEvent("evt_1", "conn_a"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->size(), 1u);  // only the webhook that did not have it yet
  EXPECT_EQ(repo().listDeliveries("wh_1", 10)->size(), 1u);
}

TEST_F(WebhookRepositoryTest, RefusesEventsWithoutIdTypeOrObjectPayload) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  WebhookEvent event = makeEvent("evt_1", "conn_a");
  event.payload_json = "[1,2]";
  EXPECT_EQ(repo().enqueue(event).error().code, ErrorCode::InvalidRequest);
  event.payload_json = "{\"a\":";
  EXPECT_EQ(repo().enqueue(event).error().code, ErrorCode::InvalidRequest);
  event = makeEvent("", "conn_a");
  EXPECT_EQ(repo().enqueue(event).error().code, ErrorCode::InvalidRequest);
  EXPECT_TRUE(repo().listDeliveries("wh_1", 10)->empty());
}

TEST_F(WebhookRepositoryTest, ClaimBeginsAnAttemptAndHidesTheDeliveryForTheLease) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a")));
  EXPECT_TRUE(repo().claimDue(kStart - seconds(1), 10)->empty());  // not due yet

  const TimePoint now = kStart + seconds(3);
  auto due = repo().claimDue(now, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  const DueDelivery& item = due->front();
  EXPECT_EQ(item.delivery.attempts, 1);
  EXPECT_EQ(item.delivery.first_attempt_at, now);
  EXPECT_EQ(item.delivery.next_attempt_at, now + kClaimLease);
  EXPECT_EQ(item.webhook.url, "https://host.example/hooks/wh_1");
  EXPECT_EQ(item.webhook.sealed_secret, "sealed:wh_1");
  EXPECT_EQ(item.event.type, "connection.created");
  EXPECT_EQ(item.event.created_at, kStart);
  EXPECT_EQ(item.event.payload_json, makeEvent("evt_1", "conn_a").payload_json);
  EXPECT_EQ(repo().getDelivery(item.delivery.id)->attempts, 1);

  EXPECT_TRUE(repo().claimDue(now + kClaimLease - seconds(1), 10)->empty());
  // A dispatcher that died mid-attempt: the delivery comes back once the lease runs out.
  auto again = repo().claimDue(now + kClaimLease, 10);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().delivery.attempts, 2);
  EXPECT_EQ(again->front().delivery.first_attempt_at, now);
}

TEST_F(WebhookRepositoryTest, KeepsOrderPerConnectionWhileAnEarlierDeliveryRetries) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_TRUE(repo().create(makeWebhook("wh_2")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_2", "conn_a")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_3", "conn_b")));

  auto first = repo().claimDue(kStart, 10);
  ASSERT_TRUE(first);
  EXPECT_EQ(eventIds(*first),
            (std::vector<std::string>{"wh_1/evt_1", "wh_2/evt_1", "wh_1/evt_3", "wh_2/evt_3"}));

  // wh_1's evt_1 fails and waits; wh_2's and both evt_3 succeed.
  for (const auto& item : *first) {
    if (item.delivery.webhook_id == "wh_1" && item.event.id == "evt_1") {
      ASSERT_TRUE(repo().markRetry(item.delivery.id, kStart + minutes(1), 503, "HTTP 503"));
    } else {
      ASSERT_TRUE(repo().markDelivered(item.delivery.id, kStart, 200));
    }
  }
  // evt_2 is due for both webhooks, but for wh_1 it must wait behind evt_1.
  auto second = repo().claimDue(kStart + seconds(30), 10);
  EXPECT_EQ(eventIds(*second), (std::vector<std::string>{"wh_2/evt_2"}));
  ASSERT_TRUE(repo().markDelivered(second->front().delivery.id, kStart + seconds(30), 204));

  auto third = repo().claimDue(kStart + minutes(2), 10);
  EXPECT_EQ(eventIds(*third), (std::vector<std::string>{"wh_1/evt_1"}));
  const Delivery retried = third->front().delivery;
  EXPECT_EQ(retried.attempts, 2);
  EXPECT_EQ(retried.first_attempt_at, kStart);
  EXPECT_EQ(retried.last_status_code, 503);
  EXPECT_EQ(retried.last_error, "HTTP 503");
  // A failed (given up) delivery no longer holds the line.
  ASSERT_TRUE(repo().markFailed(retried.id, 503, "HTTP 503"));
  auto fourth = repo().claimDue(kStart + minutes(2), 10);
  EXPECT_EQ(eventIds(*fourth), (std::vector<std::string>{"wh_1/evt_2"}));

  auto failed = repo().getDelivery(retried.id);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, DeliveryStatus::Failed);
}

TEST_F(WebhookRepositoryTest, ClaimHonoursTheLimit) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(repo().enqueue(makeEvent("evt_" + std::to_string(i), "conn_" + std::to_string(i))));
  EXPECT_EQ(repo().claimDue(kStart, 3)->size(), 3u);
  EXPECT_EQ(repo().claimDue(kStart, 3)->size(), 2u);
  EXPECT_TRUE(repo().claimDue(kStart, 3)->empty());
}

TEST_F(WebhookRepositoryTest, ConcurrentClaimsHandOutEachDeliveryOnce) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(repo().enqueue(makeEvent("evt_" + std::to_string(i), "conn_" + std::to_string(i))));
  }
  std::mutex mutex;
  std::map<std::string, int> claimed;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        auto due = repo().claimDue(kStart, 3);
        if (!due || due->empty()) return;
        std::lock_guard lock(mutex);
        for (const auto& item : *due) ++claimed[item.delivery.id];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(claimed.size(), 60u);
  for (const auto& [id, count] : claimed) EXPECT_EQ(count, 1) << id;
}

TEST_F(WebhookRepositoryTest, MarkingRecordsTheOutcome) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a")));
  auto due = repo().claimDue(kStart, 10);
  const std::string id = due->front().delivery.id;
  ASSERT_TRUE(repo().markRetry(id, kStart + seconds(7), std::nullopt, "timeout"));
  auto retrying = repo().getDelivery(id);
  EXPECT_EQ(retrying->status, DeliveryStatus::Pending);
  EXPECT_EQ(retrying->next_attempt_at, kStart + seconds(7));
  EXPECT_FALSE(retrying->last_status_code);
  EXPECT_EQ(retrying->last_error, "timeout");

  ASSERT_TRUE(repo().claimDue(kStart + seconds(7), 10));
  ASSERT_TRUE(repo().markDelivered(id, kStart + seconds(8), 202));
  auto delivered = repo().getDelivery(id);
  EXPECT_EQ(delivered->status, DeliveryStatus::Delivered);
  EXPECT_EQ(delivered->delivered_at, kStart + seconds(8));
  EXPECT_EQ(delivered->last_status_code, 202);
  EXPECT_EQ(delivered->last_error, "");
  EXPECT_EQ(delivered->attempts, 2);
  // A finished delivery cannot be marked again.
  EXPECT_EQ(repo().markRetry(id, kStart, 500, "x").error().code, ErrorCode::NotFound);
  EXPECT_EQ(repo().markFailed(id, 500, "x").error().code, ErrorCode::NotFound);
  EXPECT_TRUE(repo().claimDue(kStart + std::chrono::hours(1), 10)->empty());
}

TEST_F(WebhookRepositoryTest, RemovingAWebhookDropsItsDeliveries) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_TRUE(repo().create(makeWebhook("wh_2")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_2", "conn_a")));
  ASSERT_TRUE(repo().remove("wh_1"));
  EXPECT_EQ(repo().get("wh_1").error().code, ErrorCode::NotFound);
  EXPECT_TRUE(repo().listDeliveries("wh_1", 10)->empty());
  auto due = repo().claimDue(kStart, 10);
  EXPECT_EQ(eventIds(*due), (std::vector<std::string>{"wh_2/evt_1"}));
}

TEST_F(WebhookRepositoryTest, ListsDeliveriesNewestFirstUpToTheLimit) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(repo().enqueue(makeEvent("evt_" + std::to_string(i), "conn_a")));
  auto listed = repo().listDeliveries("wh_1", 3);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].event_id, "evt_3");
  EXPECT_EQ((*listed)[2].event_id, "evt_1");
}

TEST(WebhookRepositoryPersistence, DeliveriesSurviveReopeningTheDatabase) {
  liaison::testing::TempDir dir;
  SeededRandom random(1);
  const auto migrations = testing::WebhookStore::migrations();
  const std::string location = liaison::testing::testStoreLocation(dir.file("hub.db"));
  {
    storage::Database db(location, migrations);
    WebhookRepository repo(db, random);
    ASSERT_TRUE(repo.create(makeWebhook("wh_1", {"connection.created"})));
    ASSERT_TRUE(repo.enqueue(makeEvent("evt_1", "conn_a")));
  }
  storage::Database db(location, migrations);
  WebhookRepository repo(db, random);
  auto due = repo.claimDue(kStart, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().webhook.event_types, (std::vector<std::string>{"connection.created"}));
  EXPECT_EQ(due->front().event.id, "evt_1");
}

}  // namespace
}  // namespace liaison::hub::webhooks
