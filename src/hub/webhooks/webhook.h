#pragma once
// What the hub knows about webhooks: the endpoints the host app registered, the events it
// publishes, and one delivery per (endpoint, event). Plain values: storage and the wire format
// live elsewhere (repository.h, event_body.h).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace liaison::hub::webhooks {

struct Webhook {
  std::string id;
  std::string url;
  std::vector<std::string> event_types;  // empty = every type
  std::string sealed_secret;             // the signing secret as sealed by the hub's vault
  TimePoint created_at;
  bool active = true;  // an inactive webhook gets no new deliveries and its pending ones wait
};

struct WebhookEvent {
  std::string id;             // evt_...: the receiver's de-duplication key (Liaison-Event-Id)
  std::string type;           // connection.created, ...
  std::string connection_id;  // deliveries for one connection go out in the order enqueued
  TimePoint created_at;
  std::string payload_json;  // the event's data object as JSON text
};

enum class DeliveryStatus { Pending, Delivered, Failed };

struct Delivery {
  std::string id;
  std::string webhook_id;
  std::string event_id;
  std::string connection_id;
  int attempts = 0;  // attempts begun, counting the one in flight
  DeliveryStatus status = DeliveryStatus::Pending;
  TimePoint next_attempt_at;
  // When the first attempt began; until then, the time the delivery became due.
  TimePoint first_attempt_at;
  std::optional<int> last_status_code;
  std::string last_error;  // "" after success; never holds a secret
  std::optional<TimePoint> delivered_at;
};

// A claimed delivery with what sending it needs.
struct DueDelivery {
  Delivery delivery;
  Webhook webhook;
  WebhookEvent event;
};

// True when `webhook` wants events of `type`.
bool subscribesTo(const Webhook& webhook, std::string_view type);

std::string_view toString(DeliveryStatus status);  // "pending", "delivered", "failed"

}  // namespace liaison::hub::webhooks
