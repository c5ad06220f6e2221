#include "hub/api/webhook_routes.h"

#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "hub/api/wire.h"

namespace liaison::hub::api {

using nlohmann::json;

namespace {

const std::vector<std::string_view> kEventTypes = {
    "connection.created", "connection.updated",     "connection.reauth_required", "connection.recovered",
    "connection.deleted", "connect_session.failed", "social.status_changed",      "sync.run_finished",
    "sync.run_held",      "sync.run_failed"};

json webhookJson(const webhooks::Webhook& w) {
  return {{"id", w.id},
          {"url", w.url},
          {"event_types", w.event_types},
          {"created_at", formatIso8601(w.created_at)}};
}

}  // namespace

std::string webhookSecretContext(const std::string& id) { return "webhooks/" + id + "/secret"; }

void addWebhookRoutes(HubApi& api, webhooks::WebhookRepository& repository, Vault& vault,
                      RandomSource& random, const Clock& clock) {
  api.addAuthenticated("POST", "/api/v1/webhooks", [&](http::Request& request) {
    auto body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return errorResponse(ErrorCode::InvalidRequest, "invalid_json",
                           "The request body must be a JSON object.");
    }
    JsonFields fields(body, "invalid_request");
    auto url = fields.requiredString("url", TextRule{2048, false, false});
    if (!url) return errorResponse(url.error());
    if (!url->starts_with("https://") && !url->starts_with("http://")) {
      return errorResponse(ErrorCode::InvalidRequest, "invalid_request",
                           "url must be an absolute http(s) URL.");
    }
    auto types = fields.optionalStrings("event_types", 20, TextRule{64, false, false});
    if (!types) return errorResponse(types.error());
    webhooks::Webhook hook;
    if (*types) {
      for (const auto& t : **types) {
        if (std::find(kEventTypes.begin(), kEventTypes.end(), t) == kEventTypes.end()) {
          return errorResponse(
              ErrorCode::InvalidRequest, "invalid_request", "'" + t + "' is not an event type.",
              "Event types: connection.created, connection.updated, connection.reauth_required, "
              "connection.recovered, connection.deleted, connect_session.failed, social.status_changed, "
              "sync.run_finished, sync.run_held, sync.run_failed.");
        }
      }
      hook.event_types = **types;
    }
    hook.id = "wh_" + random.token(12);
    hook.url = *url;
    hook.created_at = clock.now();
    const Secret secret("whsec_" + random.token(32));
    auto sealed = vault.seal(secret, webhookSecretContext(hook.id));
    if (!sealed) return errorResponse(sealed.error());
    hook.sealed_secret = *sealed;
    if (auto created = repository.create(hook); !created) return errorResponse(created.error());
    json out = webhookJson(hook);
    out["secret"] = secret.reveal();  // shown this once; only the sealed form is kept
    auto response = http::Response::json(201, out);
    response.headers.set("Cache-Control", "no-store");
    return response;
  });
  api.addAuthenticated("GET", "/api/v1/webhooks", [&](http::Request&) {
    auto list = repository.list();
    if (!list) return errorResponse(list.error());
    json out = json::array();
    for (const auto& w : *list) out.push_back(webhookJson(w));
    return http::Response::json(200, {{"webhooks", out}});
  });
  api.addAuthenticated("DELETE", "/api/v1/webhooks/{id}", [&](http::Request& request) {
    if (auto removed = repository.remove(request.param("id")); !removed)
      return errorResponse(removed.error());
    return http::Response::noContent();
  });
  api.addAuthenticated("GET", "/api/v1/webhooks/{id}/deliveries", [&](http::Request& request) {
    if (auto hook = repository.get(request.param("id")); !hook) return errorResponse(hook.error());
    auto list = repository.listDeliveries(request.param("id"), 100);
    if (!list) return errorResponse(list.error());
    json out = json::array();
    for (const auto& d : *list) {
      json item = {{"id", d.id},
                   {"event_id", d.event_id},
                   {"connection_id", d.connection_id},
                   {"status", std::string(webhooks::toString(d.status))},
                   {"attempts", d.attempts},
                   {"next_attempt_at", formatIso8601(d.next_attempt_at)},
                   {"last_status_code", d.last_status_code ? json(*d.last_status_code) : json(nullptr)},
                   {"last_error", d.last_error},
                   {"delivered_at", d.delivered_at ? json(formatIso8601(*d.delivered_at)) : json(nullptr)}};
      out.push_back(item);
    }
    return http::Response::json(200, {{"deliveries", out}});
  });
}

}  // namespace liaison::hub::api
