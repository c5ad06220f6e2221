#include "hub/webhooks/event_body.h"

#include <nlohmann/json.hpp>

namespace liaison::hub::webhooks {

Result<std::string> eventBody(const WebhookEvent& event) {
  // ordered_json keeps the envelope's fields, and the payload's own, in the order written.
  auto data = nlohmann::ordered_json::parse(event.payload_json, nullptr, /*allow_exceptions=*/false);
  if (!data.is_object()) {
    return internalError("webhook_event", "The event could not be prepared.",
                         "event " + event.id + " has a payload that is not a JSON object");
  }
  nlohmann::ordered_json body;
  body["id"] = event.id;
  body["type"] = event.type;
  body["created_at"] = formatIso8601(event.created_at);
  body["connection_id"] = event.connection_id;
  body["data"] = std::move(data);
  // Replace, not throw, on invalid UTF-8 in an identifier: the receiver still gets valid JSON.
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace liaison::hub::webhooks
