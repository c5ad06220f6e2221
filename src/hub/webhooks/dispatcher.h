#pragma once
// Sends due webhook deliveries: a signed POST of the event per delivery, then the outcome back to
// the repository (delivered, retry later, or failed after a day of retries).
#include <chrono>
#include <functional>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "core/secret.h"
#include "http/client/http_client.h"
#include "hub/webhooks/repository.h"

namespace liaison::hub::webhooks {

inline constexpr std::string_view kEventIdHeaderName = "Liaison-Event-Id";
inline constexpr std::string_view kDeliveryAttemptHeaderName = "Liaison-Delivery-Attempt";
inline constexpr std::chrono::milliseconds kDeliveryTimeout = std::chrono::seconds(10);
// Sent one after another, a claim's deliveries all finish within its lease (kClaimLease).
inline constexpr int kMaxDeliveriesPerRun = static_cast<int>(kClaimLease / kDeliveryTimeout);

class WebhookDispatcher {
 public:
  // The signing secret of a webhook, opened from its sealed_secret (the hub's vault does this).
  using OpenSecret = std::function<Result<Secret>(const Webhook&)>;

  WebhookDispatcher(WebhookRepository& repository, http::HttpClient& client, const Clock& clock,
                    RandomSource& random, OpenSecret open_secret);

  // Claims up to `limit` due deliveries (at most kMaxDeliveriesPerRun) and makes one attempt at
  // each: POST of the event body with Content-Type, Liaison-Signature, Liaison-Event-Id and
  // Liaison-Delivery-Attempt. A 2xx response delivers it; any other status, a transport error or
  // an unopenable secret schedules a retry, or fails it once retries would pass 24 hours from its
  // first attempt. Returns the number of attempts made. One thread at a time per dispatcher (it
  // draws from `random`); several dispatchers may share a repository.
  int runDue(int limit);

 private:
  void attempt(const DueDelivery& due);
  void recordFailure(const Delivery& delivery, std::optional<int> status_code, const std::string& error);

  WebhookRepository& repository_;
  http::HttpClient& client_;
  const Clock& clock_;
  RandomSource& random_;
  OpenSecret open_secret_;
};

}  // namespace liaison::hub::webhooks
