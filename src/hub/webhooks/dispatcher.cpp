#include "hub/webhooks/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <utility>

#include "hub/webhooks/event_body.h"
#include "hub/webhooks/retry_policy.h"
#include "hub/webhooks/signature.h"

namespace liaison::hub::webhooks {

// Log lines name deliveries and webhooks by id only: never the secret or the signature, nor the
// URL, whose query may carry the receiver's own credentials.

WebhookDispatcher::WebhookDispatcher(WebhookRepository& repository, http::HttpClient& client,
                                     const Clock& clock, RandomSource& random, OpenSecret open_secret)
    : repository_(repository),
      client_(client),
      clock_(clock),
      random_(random),
      open_secret_(std::move(open_secret)) {}

int WebhookDispatcher::runDue(int limit) {
  auto due = repository_.claimDue(clock_.now(), std::clamp(limit, 0, kMaxDeliveriesPerRun));
  if (!due) return 0;  // the repository has logged why
  for (const auto& item : *due) attempt(item);
  return static_cast<int>(due->size());
}

void WebhookDispatcher::attempt(const DueDelivery& due) {
  const Delivery& delivery = due.delivery;
  auto body = eventBody(due.event);
  if (!body) {
    spdlog::error("webhook delivery {}: {}", delivery.id, body.error().detail);
    recordFailure(delivery, std::nullopt, "the event could not be prepared");
    return;
  }
  auto secret = open_secret_(due.webhook);
  if (!secret) {
    spdlog::error("webhook delivery {}: the signing secret of webhook {} could not be opened: {}",
                  delivery.id, due.webhook.id, secret.error().key);
    recordFailure(delivery, std::nullopt, "the signing secret could not be opened");
    return;
  }

  http::ClientRequest request;
  request.method = "POST";
  request.url = due.webhook.url;
  request.timeout = kDeliveryTimeout;
  request.headers.set("Content-Type", "application/json");
  request.headers.set(std::string(kSignatureHeaderName),
                      signatureHeader(secret->reveal(), toUnixSeconds(clock_.now()), *body));
  request.headers.set(std::string(kEventIdHeaderName), due.event.id);
  request.headers.set(std::string(kDeliveryAttemptHeaderName), std::to_string(delivery.attempts));
  request.body = std::move(*body);

  auto response = client_.send(request);
  if (!response) {
    spdlog::info("webhook delivery {} attempt {}: {}", delivery.id, delivery.attempts, response.error().key);
    recordFailure(delivery, std::nullopt, response.error().key + ": " + response.error().message);
    return;
  }
  const int status = response->status;
  if (status >= 200 && status < 300) {
    spdlog::debug("webhook delivery {} delivered on attempt {} ({})", delivery.id, delivery.attempts, status);
    auto marked = repository_.markDelivered(delivery.id, clock_.now(), status);
    if (!marked && marked.error().code != ErrorCode::NotFound) {
      spdlog::warn("webhook delivery {} sent but not recorded: {}", delivery.id, marked.error().key);
    }
    return;
  }
  spdlog::info("webhook delivery {} attempt {}: HTTP {}", delivery.id, delivery.attempts, status);
  recordFailure(delivery, status, "HTTP " + std::to_string(status));
}

void WebhookDispatcher::recordFailure(const Delivery& delivery, std::optional<int> status_code,
                                      const std::string& error) {
  const TimePoint now = clock_.now();
  const auto next = nextAttempt(delivery.first_attempt_at, now, delivery.attempts, random_);
  Status marked = next ? repository_.markRetry(delivery.id, *next, status_code, error)
                       : repository_.markFailed(delivery.id, status_code, error);
  if (!next) spdlog::warn("webhook delivery {} failed after {} attempts", delivery.id, delivery.attempts);
  // NotFound: the webhook was removed while the attempt ran, and its deliveries with it.
  if (!marked && marked.error().code != ErrorCode::NotFound) {
    spdlog::warn("webhook delivery {}: outcome not recorded: {}", delivery.id, marked.error().key);
  }
}

}  // namespace liaison::hub::webhooks
