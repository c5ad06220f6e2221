#include "hub/webhooks/dispatcher.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "hub/webhooks/recording_http_client.h"
#include "hub/webhooks/retry_policy.h"
#include "hub/webhooks/signature.h"
#include "hub/webhooks/webhook_store.h"

namespace liaison::hub::webhooks {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::kStart;
using testing::makeEvent;
using testing::makeWebhook;

std::string secretOf(const Webhook& webhook) { return "whsec_" + webhook.id; }

std::string header(const http::ClientRequest& request, std::string_view name) {
  return request.headers.get(name).value_or("<missing>");
}

std::vector<std::string> sentEvents(const std::vector<http::ClientRequest>& requests) {
  std::vector<std::string> out;
  for (const auto& request : requests) out.push_back(header(request, kEventIdHeaderName));
  return out;
}

class WebhookDispatcherTest : public ::testing::Test {
 protected:
  WebhookRepository& repo() { return store_.repository(); }

  Delivery onlyDelivery(const std::string& webhook_id) {
    auto listed = repo().listDeliveries(webhook_id, 10);
    EXPECT_TRUE(listed);
    EXPECT_EQ(listed->size(), 1u);
    return listed->empty() ? Delivery{} : listed->front();
  }

  testing::WebhookStore store_;
  ManualClock clock_{kStart};
  SeededRandom random_{7};
  testing::RecordingHttpClient http_;
  bool secrets_open_ = true;
  WebhookDispatcher dispatcher_{repo(), http_, clock_, random_,
                                [this](const Webhook& webhook) -> Result<Secret> {
                                  if (!secrets_open_)
                                    return internalError("vault", "sealed", "vault is locked");
                                  return Secret(secretOf(webhook));
                                }};
};

TEST_F(WebhookDispatcherTest, PostsTheSignedEvent) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a")));
  clock_.advance(seconds(2));

  EXPECT_EQ(dispatcher_.runDue(10), 1);
  ASSERT_EQ(http_.requests.size(), 1u);
  const auto& request = http_.requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://host.example/hooks/wh_1");
  EXPECT_EQ(request.timeout, seconds(10));
  EXPECT_EQ(header(request, "Content-Type"), "application/json");
  EXPECT_EQ(header(request, "Liaison-Event-Id"), "evt_1");
  EXPECT_EQ(header(request, "Liaison-Delivery-Attempt"), "1");

  const std::string signature = header(request, "Liaison-Signature");
  const int64_t now = toUnixSeconds(clock_.now());
  EXPECT_TRUE(verifySignature(signature, "whsec_wh_1", request.body, now));
  EXPECT_FALSE(verifySignature(signature, "whsec_wh_2", request.body, now));
  EXPECT_FALSE(verifySignature(signature, "whsec_wh_1", request.body + " ", now));

  const auto body = nlohmann::json::parse(request.body);
  EXPECT_EQ(body["id"], "evt_1");
  EXPECT_EQ(body["type"], "connection.created");
  EXPECT_EQ(body["created_at"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(body["connection_id"], "conn_a");
  EXPECT_EQ(body["data"], nlohmann::json::parse(makeEvent("evt_1", "conn_a").payload_json));

  const Delivery delivery = onlyDelivery("wh_1");
  EXPECT_EQ(delivery.status, DeliveryStatus::Delivered);
  EXPECT_EQ(delivery.last_status_code, 200);
  EXPECT_EQ(delivery.delivered_at, clock_.now());
  EXPECT_EQ(dispatcher_.runDue(10), 0);  // nothing more to send
}

TEST_F(WebhookDispatcherTest, RetriesUntilItSucceedsAfterThreeFailures) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a")));
  http_.answer(500);
  http_.failTransport();
  http_.answer(302);  // redirects are not followed: not delivered

  TimePoint previous_next = kStart;
  for (int failure = 1; failure <= 3; ++failure) {
    ASSERT_EQ(dispatcher_.runDue(10), 1) << "failure " << failure;
    const Delivery retrying = onlyDelivery("wh_1");
    EXPECT_EQ(retrying.status, DeliveryStatus::Pending);
    EXPECT_EQ(retrying.attempts, failure);
    EXPECT_GT(retrying.next_attempt_at, previous_next);
    EXPECT_LE(retrying.next_attempt_at - clock_.now(), backoffCeiling(failure));
    EXPECT_EQ(dispatcher_.runDue(10), 0) << "retried before its time";
    previous_next = retrying.next_attempt_at;
    clock_.set(retrying.next_attempt_at);
  }
  EXPECT_EQ(onlyDelivery("wh_1").last_status_code, 302);
  EXPECT_EQ(dispatcher_.runDue(10), 1);

  ASSERT_EQ(http_.requests.size(), 4u);
  const Delivery delivered = onlyDelivery("wh_1");
  EXPECT_EQ(delivered.status, DeliveryStatus::Delivered);
  EXPECT_EQ(delivered.attempts, 4);
  EXPECT_EQ(delivered.first_attempt_at, kStart);
  EXPECT_EQ(delivered.last_status_code, 200);
  EXPECT_EQ(delivered.last_error, "");
}

TEST_F(WebhookDispatcherTest, TheEventIdAndBodyStayTheSameAcrossRetries) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a")));
  http_.failTransport();
  http_.answer(503);
  for (int run = 0; run < 3; ++run) {
    ASSERT_EQ(dispatcher_.runDue(10), 1);
    clock_.set(onlyDelivery("wh_1").next_attempt_at);
  }
  ASSERT_EQ(http_.requests.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    // The receiver de-duplicates on the event id; the attempt number tells it this is a retry.
    EXPECT_EQ(header(http_.requests[i], "Liaison-Event-Id"), "evt_1");
    EXPECT_EQ(header(http_.requests[i], "Liaison-Delivery-Attempt"), std::to_string(i + 1));
    EXPECT_EQ(http_.requests[i].body, http_.requests[0].body);
  }
  EXPECT_EQ(onlyDelivery("wh_1").last_error, "");
}

TEST_F(WebhookDispatcherTest, GivesUpAfterADayOfFailures) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a")));
  http_.otherwise = 500;
  Delivery delivery;
  for (int run = 0; run < 1000; ++run) {
    ASSERT_EQ(dispatcher_.runDue(10), 1);
    delivery = onlyDelivery("wh_1");
    if (delivery.status != DeliveryStatus::Pending) break;
    clock_.set(delivery.next_attempt_at);
  }
  EXPECT_EQ(delivery.status, DeliveryStatus::Failed);
  EXPECT_EQ(delivery.last_status_code, 500);
  EXPECT_EQ(delivery.last_error, "HTTP 500");
  EXPECT_EQ(static_cast<size_t>(delivery.attempts), http_.requests.size());
  EXPECT_GE(delivery.attempts, 24);  // a day with at most an hour between attempts
  EXPECT_LE(clock_.now(), kStart + hours(24));
  EXPECT_GT(clock_.now(), kStart + hours(23));
  clock_.advance(hours(48));
  EXPECT_EQ(dispatcher_.runDue(10), 0);
}

TEST_F(WebhookDispatcherTest, HoldsOrderPerConnectionWhileAnEarlierDeliveryRetries) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a")));
  http_.answer(500);
  ASSERT_EQ(dispatcher_.runDue(10), 1);
  const TimePoint retry_at = onlyDelivery("wh_1").next_attempt_at;
  ASSERT_GT(retry_at, clock_.now() + seconds(1));

  clock_.advance(seconds(1));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_2", "conn_a", "connection.updated", clock_.now())));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_3", "conn_b", "connection.created", clock_.now())));
  // evt_2 is due but waits behind evt_1; conn_b's evt_3 goes.
  EXPECT_EQ(dispatcher_.runDue(10), 1);
  EXPECT_EQ(sentEvents(http_.requests), (std::vector<std::string>{"evt_1", "evt_3"}));

  clock_.set(retry_at);
  EXPECT_EQ(dispatcher_.runDue(10), 1);  // evt_1 succeeds; evt_2 was still behind it when claimed
  EXPECT_EQ(dispatcher_.runDue(10), 1);
  EXPECT_EQ(sentEvents(http_.requests), (std::vector<std::string>{"evt_1", "evt_3", "evt_1", "evt_2"}));
}

TEST_F(WebhookDispatcherTest, SendsOnlyTheEventTypesAWebhookAskedFor) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_created", {"connection.created"})));
  ASSERT_TRUE(repo().create(makeWebhook("wh_revoked", {"connection.revoked"})));
  ASSERT_TRUE(repo().create(makeWebhook("wh_all")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a", "connection.created")));
  EXPECT_EQ(dispatcher_.runDue(10), 2);
  ASSERT_EQ(http_.requests.size(), 2u);
  std::vector<std::string> urls{http_.requests[0].url, http_.requests[1].url};
  std::sort(urls.begin(), urls.end());
  EXPECT_EQ(urls, (std::vector<std::string>{"https://host.example/hooks/wh_all",
                                            "https://host.example/hooks/wh_created"}));
}

TEST_F(WebhookDispatcherTest, ARemovedWebhookGetsNothingMore) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a")));
  http_.answer(500);
  ASSERT_EQ(dispatcher_.runDue(10), 1);
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_2", "conn_b")));
  ASSERT_TRUE(repo().remove("wh_1"));
  clock_.advance(hours(2));
  EXPECT_EQ(dispatcher_.runDue(10), 0);
  EXPECT_EQ(http_.requests.size(), 1u);
}

TEST_F(WebhookDispatcherTest, RetriesWhenTheSecretCannotBeOpened) {
  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a")));
  secrets_open_ = false;
  EXPECT_EQ(dispatcher_.runDue(10), 1);
  EXPECT_TRUE(http_.requests.empty());  // never sent unsigned
  const Delivery waiting = onlyDelivery("wh_1");
  EXPECT_EQ(waiting.status, DeliveryStatus::Pending);
  EXPECT_FALSE(waiting.last_status_code);
  EXPECT_EQ(waiting.last_error, "the signing secret could not be opened");

  secrets_open_ = true;
  clock_.set(waiting.next_attempt_at);
  EXPECT_EQ(dispatcher_.runDue(10), 1);
  EXPECT_EQ(header(http_.requests.at(0), "Liaison-Delivery-Attempt"), "2");
  EXPECT_EQ(onlyDelivery("wh_1").status, DeliveryStatus::Delivered);
}

TEST_F(WebhookDispatcherTest, NeverLogsTheSecretOrTheSignature) {
  std::ostringstream log;
  auto logger =
      std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_st>(log));
  logger->set_level(spdlog::level::trace);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);

  ASSERT_TRUE(repo().create(makeWebhook("wh_1")));
  ASSERT_TRUE(repo().enqueue(makeEvent("evt_1", "conn_a")));
  http_.answer(500);
  http_.failTransport();
  for (int run = 0; run < 3; ++run) {
    ASSERT_EQ(dispatcher_.runDue(10), 1);
    clock_.set(onlyDelivery("wh_1").next_attempt_at);
  }
  spdlog::set_default_logger(previous);

  ASSERT_EQ(http_.requests.size(), 3u);
  const std::string text = log.str();
  EXPECT_NE(text.find("dlv_"), std::string::npos) << "expected the attempts to be logged:\n" << text;
  EXPECT_EQ(text.find("whsec_"), std::string::npos) << text;
  EXPECT_EQ(text.find("v1="), std::string::npos) << text;
  EXPECT_EQ(text.find("https://"), std::string::npos) << text;
}

}  // namespace
}  // namespace liaison::hub::webhooks
