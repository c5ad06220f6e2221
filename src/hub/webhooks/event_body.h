#pragma once
// The JSON a webhook receives for an event:
//   {"id":"evt_...","type":"connection.created","created_at":"2026-01-23T13:48:44.108Z",
//    "connection_id":"...","data":{...}}
// The same event always gives the same bytes, so a retry carries exactly what the first attempt did.
#include <string>

#include "core/result.h"
#include "hub/webhooks/webhook.h"

namespace liaison::hub::webhooks {

// Internal error when payload_json is not a JSON object (the repository refuses such events).
Result<std::string> eventBody(const WebhookEvent& event);

}  // namespace liaison::hub::webhooks
