// HubRuntime's parts that connect domains to each other: health, webhooks fed by the event
// log, and the metrics gauges.
#include <spdlog/spdlog.h>

#include "app/hub_runtime_parts.h"
#include "hub/api/webhook_routes.h"
#include "hub/health/health_json.h"

namespace liaison::app {

using Parts = HubRuntime::Parts;

void Parts::buildHealth(const HubConfig& config) {
  hub::HealthSettings settings;
  settings.required_scopes = config.default_scopes;
  settings.social_poll = std::chrono::minutes(config.social_poll_minutes);
  client_id = config.client_id;
  social_poll = std::chrono::minutes(config.social_poll_minutes);
  health = std::make_unique<hub::HealthChecker>(db, connections, events, *refresher, *cc, governor, clock,
                                                settings);
}

Result<std::string> Parts::healthJson(const std::string& connection_id, bool fresh) {
  auto report = health->check(connection_id, fresh);
  if (!report) return report.error();
  return hub::renderHealthJson(*report);
}

int Parts::runHealth(int limit) {
  // Health polls get 30 % of the app's daily API budget; with more connections they come less
  // often. Counting connections walks the table, so the interval is worked out once a minute.
  if (clock.now() - poll_interval_at >= std::chrono::minutes(1)) {
    poll_interval_at = clock.now();
    auto counts = connections.countByStatus();
    const int64_t active = counts ? (*counts)["active"] : 0;
    const int64_t budget = governor.usage(client_id).api_calls_per_day * 3 / 10;
    health->setPollInterval(hub::HealthChecker::pollInterval(social_poll, active, budget));
  }
  return health->runDue(limit);
}

void Parts::buildProxy(hub::api::HubApi& hub_api) {
  idempotency = std::make_unique<hub::proxy::IdempotencyStore>(db, *vault, clock);
  proxy = std::make_unique<hub::proxy::ProxyService>(hub::proxy::ProxyDeps{
      connections, *refresher, *cc, governor, *idempotency, clock, random, waiter, client_id});
  hub_api.setPrefixHandler(
      std::string(hub::proxy::kProxyPrefix),
      [this](http::Request& request) { return proxy->handle(request); },
      [this](http::Request& request, http::AsyncHttpClient& upstream, http::Reply reply) {
        proxy->handleAsync(request, upstream, std::move(reply));
      });
}

void Parts::buildWebhooks(hub::api::HubApi& hub_api) {
  webhook_repository = std::make_unique<hub::webhooks::WebhookRepository>(webhook_db, random);
  dispatcher = std::make_unique<hub::webhooks::WebhookDispatcher>(
      *webhook_repository, http, clock, random, [this](const hub::webhooks::Webhook& hook) {
        return vault->open(hook.sealed_secret, hub::api::webhookSecretContext(hook.id));
      });
  hub::api::addWebhookRoutes(hub_api, *webhook_repository, *vault, random, clock);
  // Every event the log records is queued for the webhooks that want it, in log order.
  events.setOnAppend([this](const hub::Event& event) {
    hub::webhooks::WebhookEvent out{event.id, event.type, event.connection_id, event.created_at,
                                    event.data_json};
    if (auto queued = webhook_repository->enqueue(out); !queued) {
      spdlog::error("webhooks: event {} not queued: {}", event.id, queued.error().message);
    }
  });
}

int Parts::runWebhooks(int limit) {
  const int attempts = dispatcher->runDue(limit);
  if (attempts > 0) metrics.increment("liaison_webhook_delivery_attempts_total", {}, attempts);
  return attempts;
}

void Parts::describeMetrics(const std::string& app_id) {
  metrics.describe("liaison_cc_calls_total",
                   "Calls the hub made to Constant Contact, by operation and status.");
  metrics.describe("liaison_webhook_delivery_attempts_total", "Webhook delivery attempts.");
  metrics.describe("liaison_refreshes_total",
                   "Token refreshes by outcome (ok, unavailable, throttled, invalid_grant, interrupted).");
  metrics.gauge("liaison_connections", "Connections by status.", [this] {
    std::vector<std::pair<MetricLabels, int64_t>> out;
    if (auto counts = connections.countByStatus()) {
      for (const auto& [status, n] : *counts) out.push_back({{{"status", status}}, n});
    }
    return out;
  });
  metrics.gauge("liaison_connections_by_last_refresh", "Connections by the outcome of their last refresh.",
                [this] {
                  std::vector<std::pair<MetricLabels, int64_t>> out;
                  if (auto counts = connections.countByRefreshOutcome()) {
                    for (const auto& [outcome, n] : *counts) out.push_back({{{"outcome", outcome}}, n});
                  }
                  return out;
                });
  describeBudgetMetrics(app_id);
}

// What GET /api/v1/budget shows, as gauges. The top connections stay out: a series per connection
// id would pile up in Prometheus as the top ten change from day to day.
void Parts::describeBudgetMetrics(const std::string& app_id) {
  using Series = std::vector<std::pair<MetricLabels, int64_t>>;
  metrics.gauge("liaison_cc_budget_used", "CC API calls used today and the daily limit, per CC app.",
                [this, app_id] {
                  const auto b = governor.snapshot(app_id);
                  return Series{{{{"app", app_id}, {"kind", "api_calls_today"}}, b.used_today},
                                {{{"app", app_id}, {"kind", "api_calls_per_day"}}, b.api_per_day},
                                {{{"app", app_id}, {"kind", "remaining_today"}}, b.remaining_today},
                                {{{"app", app_id}, {"kind", "token_calls_today"}}, b.token_calls_today},
                                {{{"app", app_id}, {"kind", "refused_today"}}, b.refused_today}};
                });
  metrics.gauge("liaison_cc_budget_limit", "CC's rate limits per CC app (requests per second and per day).",
                [this, app_id] {
                  const auto b = governor.snapshot(app_id);
                  return Series{{{{"app", app_id}, {"kind", "api_per_second"}}, b.api_per_second},
                                {{{"app", app_id}, {"kind", "api_per_day"}}, b.api_per_day},
                                {{{"app", app_id}, {"kind", "token_per_second"}}, b.token_per_second},
                                {{{"app", app_id}, {"kind", "reserve_percent"}}, b.reserve_percent}};
                });
  metrics.gauge("liaison_cc_budget_rate", "CC API calls in the last second and the last minute, per CC app.",
                [this, app_id] {
                  const auto b = governor.snapshot(app_id);
                  return Series{{{{"app", app_id}, {"window", "1s"}}, b.calls_last_second},
                                {{{"app", app_id}, {"window", "1m"}}, b.calls_last_minute}};
                });
  metrics.gauge(
      "liaison_cc_budget_queue", "Calls waiting for their turn at the CC budget, by class.", [this, app_id] {
        const auto b = governor.snapshot(app_id);
        Series out;
        for (size_t c = 0; c < hub::kCallClasses; ++c) {
          out.push_back(
              {{{"app", app_id}, {"class", hub::toString(static_cast<hub::CallClass>(c))}}, b.queued[c]});
        }
        return out;
      });
}

}  // namespace liaison::app

namespace liaison::app {

namespace {

// Each webhook's signing secret not sealed with the current key, sealed again for the same
// webhook (the context binds it to its row). Returns how many were written.
Result<size_t> resealWebhookSecrets(HubRuntime::Parts& p) {
  auto hooks = p.webhook_repository->list();
  if (!hooks) return hooks.error();
  size_t resealed = 0;
  for (const auto& w : *hooks) {
    if (p.vault->isCurrent(w.sealed_secret)) continue;
    const std::string context = hub::api::webhookSecretContext(w.id);
    auto secret = p.vault->open(w.sealed_secret, context);
    if (!secret) {
      spdlog::error("vault rotate: webhook {} holds a secret that does not open", w.id);
      continue;
    }
    auto sealed = p.vault->seal(*secret, context);
    if (!sealed) return sealed.error();
    auto written = p.webhook_repository->resealSecret(w.id, w.sealed_secret, *sealed);
    if (!written) return written.error();
    if (*written) ++resealed;  // else the webhook was removed meanwhile
  }
  return resealed;
}

}  // namespace

Result<std::string> HubRuntime::resealAll(bool rotate) {
  Parts& p = *parts_;
  if (rotate) {
    auto version = p.vault->rotate();
    if (!version) return version.error();
    // A serving hub reads the new key within a round of its background work (a second): after
    // this pause it seals nothing more with the old key, so the count below sees every use.
    p.waiter(std::chrono::seconds(3));
  }
  auto list = p.connections.list("");
  if (!list) return list.error();
  size_t resealed = 0;
  for (const auto& listed : *list) {
    // Listings leave the tokens out: read each connection whole.
    auto found = p.connections.find(listed.id);
    if (!found) return found.error();
    if (!*found || (*found)->sealed_access_token.empty()) continue;
    const hub::Connection& c = **found;
    if (p.vault->isCurrent(c.sealed_access_token) && p.vault->isCurrent(c.sealed_refresh_token)) continue;
    auto access = p.vault->open(c.sealed_access_token, hub::accessTokenContext(c.id));
    auto refresh = p.vault->open(c.sealed_refresh_token, hub::refreshTokenContext(c.id));
    if (!access || !refresh) {
      spdlog::error("vault rotate: connection {} holds a secret that does not open", c.id);
      continue;
    }
    auto sealed_access = p.vault->seal(*access, hub::accessTokenContext(c.id));
    auto sealed_refresh = p.vault->seal(*refresh, hub::refreshTokenContext(c.id));
    if (!sealed_access || !sealed_refresh)
      return sealed_access ? sealed_refresh.error() : sealed_access.error();
    auto written = p.connections.resealTokens(c.id, c.token_generation, *sealed_access, *sealed_refresh);
    if (!written) return written.error();
    if (*written) ++resealed;  // else a refresh wrote new tokens, sealed with the current key
  }
  auto hooks_resealed = resealWebhookSecrets(p);
  if (!hooks_resealed) return hooks_resealed.error();
  // Count what still uses each key after the pass (a seal that raced the rotation included). A
  // read that fails stops here: an uncounted ciphertext would have its key retired under it.
  std::map<int, size_t> in_use;
  auto again = p.connections.list("");
  if (!again) return again.error();
  for (const auto& listed : *again) {
    auto c = p.connections.find(listed.id);
    if (!c) return c.error();
    if (!*c) continue;  // deleted meanwhile
    for (const auto* sealed : {&(*c)->sealed_access_token, &(*c)->sealed_refresh_token}) {
      if (auto v = hub::Vault::versionOf(*sealed)) ++in_use[*v];
    }
  }
  auto hooks = p.webhook_repository->list();
  if (!hooks) return hooks.error();
  for (const auto& w : *hooks) {
    if (auto v = hub::Vault::versionOf(w.sealed_secret)) ++in_use[*v];
  }
  // Pending connect sessions are not sealed again (they live ten minutes): their keys wait for
  // the next run.
  auto session_values = p.sessions.sealedValues();
  if (!session_values) return session_values.error();
  for (const auto& sealed : *session_values) {
    if (auto v = hub::Vault::versionOf(sealed)) ++in_use[*v];
  }
  auto answers = p.idempotency->sealedValues();  // kept 24 hours: their keys wait for a later run
  if (!answers) return answers.error();
  for (const auto& sealed : *answers) {
    if (auto v = hub::Vault::versionOf(sealed)) ++in_use[*v];
  }
  int retired = 0;
  for (int version = 1; version < p.vault->currentVersion(); ++version) {
    if (p.vault->retire(version, in_use[version])) ++retired;
  }
  return "Current data key v" + std::to_string(p.vault->currentVersion()) + "; " + std::to_string(resealed) +
         " connections and " + std::to_string(*hooks_resealed) + " webhook secrets sealed again; " +
         std::to_string(retired) + " older keys retired or already retired.";
}

}  // namespace liaison::app
