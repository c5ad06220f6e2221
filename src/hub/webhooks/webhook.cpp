#include "hub/webhooks/webhook.h"

#include <algorithm>

namespace liaison::hub::webhooks {

bool subscribesTo(const Webhook& webhook, std::string_view type) {
  return webhook.event_types.empty() ||
         std::find(webhook.event_types.begin(), webhook.event_types.end(), type) != webhook.event_types.end();
}

std::string_view toString(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::Pending:
      return "pending";
    case DeliveryStatus::Delivered:
      return "delivered";
    case DeliveryStatus::Failed:
      return "failed";
  }
  return "pending";
}

}  // namespace liaison::hub::webhooks
