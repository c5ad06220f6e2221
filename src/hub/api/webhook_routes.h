#pragma once
// /api/v1/webhooks: the host app registers URLs that receive the hub's events, signed with a
// per-webhook secret shown once at creation.
#include "core/random.h"
#include "hub/api/hub_api.h"
#include "hub/vault/vault.h"
#include "hub/webhooks/repository.h"

namespace liaison::hub::api {

void addWebhookRoutes(HubApi& api, webhooks::WebhookRepository& repository, Vault& vault,
                      RandomSource& random, const Clock& clock);
// The vault context of a webhook's signing secret.
std::string webhookSecretContext(const std::string& webhook_id);

}  // namespace liaison::hub::api
