#pragma once
// What HubRuntime owns, in construction order. Private to app/: each part is built from the
// ones above it.
#include <memory>
#include <string>

#include "app/hub_config.h"
#include "app/hub_runtime.h"
#include "app/sync_sides.h"
#include "app/sync_worker.h"
#include "core/metrics.h"
#include "hub/api/hub_api.h"
#include "hub/budget/local_governor.h"
#include "hub/budget/store_ledger.h"
#include "hub/connections/connect_service.h"
#include "hub/health/health_checker.h"
#include "hub/proxy/idempotency_store.h"
#include "hub/proxy/proxy_guard.h"
#include "hub/proxy/proxy_service.h"
#include "hub/refresh/refresher.h"
#include "hub/store/api_key_repository.h"
#include "hub/store/event_log.h"
#include "hub/upstream/token_verifier.h"
#include "hub/vault/store_data_keys.h"
#include "hub/vault/vault.h"
#include "hub/webhooks/dispatcher.h"
#include "hub/webhooks/repository.h"
#include "sync/runner/sync_runner.h"

namespace liaison::app {

struct HubRuntime::Parts {
  Parts(const HubConfig& config, http::HttpClient& http, const Clock& clock, RandomSource& random,
        HubRuntimeOptions options);
  ~Parts();

  void buildHealth(const HubConfig& config);
  void buildWebhooks(hub::api::HubApi& api);
  void buildProxy(hub::api::HubApi& api);
  void buildSync(hub::api::HubApi& api, const std::string& holder, CcSideSettings cc_sides);
  int scheduleSyncs(int limit);
  std::chrono::seconds syncBudgetGap();
  void describeMetrics(const std::string& app_id);
  void describeBudgetMetrics(const std::string& app_id);
  Result<std::string> healthJson(const std::string& connection_id, bool fresh);
  int runHealth(int limit);
  int runWebhooks(int limit);

  const Clock& clock;
  RandomSource& random;
  http::HttpClient& http;
  hub::Waiter waiter;  // real sleep in production; tests move their clock instead
  std::string client_id;
  std::chrono::minutes social_poll{15};
  TimePoint poll_interval_at{};  // when runHealth last worked out the poll interval
  Metrics metrics;
  hub::HubDatabase db;
  // The vault's keys and the webhook queue keep their own connections to hub.db: each
  // connection serves one repository's transactions at a time.
  storage::Database vault_db;
  storage::Database webhook_db;
  // The CC budget every hub process on the store shares (its own connection: a call's take
  // never waits behind another repository's transaction in this process).
  storage::Database budget_db;
  std::mutex budget_mutex;
  hub::StoreRateLedger ledger;
  hub::ConnectionRepository connections;
  hub::SessionRepository sessions;
  hub::ApiKeyRepository keys;
  hub::EventLog events;
  hub::LocalGovernor governor;
  std::unique_ptr<hub::StoreDataKeyRepository> data_keys;
  std::unique_ptr<hub::Vault> vault;
  std::unique_ptr<hub::CcClient> cc;
  std::unique_ptr<hub::TokenVerifier> verifier;
  std::unique_ptr<hub::ConnectService> connect;
  std::unique_ptr<hub::Refresher> refresher;
  std::unique_ptr<hub::HealthChecker> health;
  std::unique_ptr<hub::webhooks::WebhookRepository> webhook_repository;
  std::unique_ptr<hub::webhooks::WebhookDispatcher> dispatcher;
  std::unique_ptr<hub::api::HubApi> api;
  std::unique_ptr<hub::proxy::IdempotencyStore> idempotency;
  std::unique_ptr<hub::proxy::ProxyService> proxy;
  TimePoint idempotency_purged_at{};  // when tick last removed expired idempotent answers
  std::unique_ptr<sync::SyncStore> sync_store;
  std::unique_ptr<HubSyncSides> sync_sides;
  std::unique_ptr<sync::SyncRunner> sync_runner;
  TimePoint sync_gap_at{};  // when syncBudgetGap last worked the gap out
  std::chrono::seconds sync_gap{0};
  // Last: destroyed first, so a run going on finishes while everything it uses still exists.
  std::unique_ptr<SyncWorker> sync_worker;
};

}  // namespace liaison::app
