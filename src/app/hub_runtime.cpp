#include "app/hub_runtime.h"
#include "app/hub_runtime_parts.h"
#include "app/process_holder.h"
#include "hub/webhooks/schema.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "cc/provider.h"
#include "crypto/hash.h"
#include "hub/api/hub_api.h"
#include "hub/budget/local_governor.h"
#include "hub/budget/store_ledger.h"
#include "hub/connections/connect_service.h"
#include "hub/refresh/refresher.h"
#include "hub/store/api_key_repository.h"
#include "hub/upstream/token_verifier.h"
#include "hub/vault/key_encryption_key.h"
#include "hub/vault/store_data_keys.h"
#include "hub/vault/vault.h"

namespace liaison::app {

std::string vaultKeyFile(const HubConfig& config) {
  return config.vault_key_file.empty() ? (std::filesystem::path(config.data_dir) / "vault.key").string()
                                       : config.vault_key_file;
}

// After the hub's own v1, in rising order: a file records only the highest number applied, so a
// later schema change of any hub part takes the next free number here (never one below 2).
std::span<const storage::Migration> hubExtraMigrations() {
  static const storage::Migration extra[] = {{2, hub::webhooks::kWebhookSchemaSql},
                                             {3, hub::kConnectionPageIndexSql},
                                             {4, hub::kConnectionPrivilegesSchemaSql},
                                             {5, hub::proxy::kIdempotencySchemaSql},
                                             hub::kConnectionRefreshSpread,
                                             hub::kHealthClaimMigration,
                                             {8, hub::kBudgetLedgerSchemaSql},
                                             {9, hub::kBudgetLeaseSchemaSql},
                                             {10, sync::kSyncSchemaSql},
                                             {11, sync::kSyncReadSkipSql},
                                             {12, sync::kSyncLinksUnindexedSql}};
  return extra;
}

namespace {

// store.url, or else the SQLite file in the data directory.
std::string storeLocation(const HubConfig& config) {
  if (!config.store_url.empty()) return config.store_url;
  return (std::filesystem::path(config.data_dir) / "hub.db").string();
}

// CC's limits, with the rates and the day's calls the settings name.
cc::Limits budgetLimits(const HubConfig& config) {
  cc::Limits limits = cc::constantContact().limits;
  limits.requests_per_second_per_key = config.budget_requests_per_second;
  limits.requests_per_day_per_key = config.budget_requests_per_day;
  limits.token_requests_per_second_per_client = config.budget_token_requests_per_second;
  return limits;
}

cc::Endpoints endpointsFor(const HubConfig& config) {
  return config.cc_base_url.empty() ? cc::constantContact().endpoints : cc::endpointsAt(config.cc_base_url);
}

}  // namespace

HubRuntime::HubRuntime(const HubConfig& config, http::HttpClient& http, const Clock& clock,
                       RandomSource& random, HubRuntimeOptions options)
    : parts_(std::make_unique<Parts>(config, http, clock, random, std::move(options))) {}

HubRuntime::~HubRuntime() = default;

using Parts = HubRuntime::Parts;

Parts::Parts(const HubConfig& config, http::HttpClient& http, const Clock& clock, RandomSource& random,
             HubRuntimeOptions options)
    : clock(clock),
      random(random),
      http(http),
      waiter(options.waiter ? options.waiter
                            : [](std::chrono::milliseconds ms) { std::this_thread::sleep_for(ms); }),
      db(storeLocation(config), hubExtraMigrations()),
      vault_db(storeLocation(config), {}),
      webhook_db(storeLocation(config), {}),
      budget_db(storeLocation(config), {}),
      ledger(budget_db, budget_mutex),
      connections(db),
      sessions(db),
      keys(db),
      events(db, clock, random),
      governor(clock, budgetLimits(config), waiter,
               hub::GovernorSettings{config.budget_reserve_percent,
                                     std::chrono::milliseconds(config.budget_window_margin_ms)},
               &ledger) {
  const char* env_key = std::getenv("LIAISON_VAULT_KEY");
  auto kek = hub::loadKeyEncryptionKey(env_key ? std::optional<std::string>(env_key) : std::nullopt,
                                       vaultKeyFile(config));
  if (!kek) throw std::runtime_error(kek.error().message);
  data_keys = std::make_unique<hub::StoreDataKeyRepository>(vault_db, clock);
  auto opened = hub::Vault::open(*data_keys, *kek, random);
  if (!opened) throw std::runtime_error(opened.error().message);
  vault = std::move(*opened);
  const cc::Endpoints endpoints = endpointsFor(config);
  cc = std::make_unique<hub::CcClient>(
      http, governor, clock, metrics,
      hub::AppCredentials{config.client_id, config.client_id, config.client_secret}, endpoints,
      std::chrono::milliseconds(config.budget_max_queue_wait_ms));
  verifier = std::make_unique<hub::TokenVerifier>(*cc, clock, endpoints.issuer, endpoints.audience);
  connect = std::make_unique<hub::ConnectService>(
      connections, sessions, events, *vault, *cc, *verifier, clock, random,
      hub::ConnectSettings{config.default_scopes, config.redirect_uri, std::chrono::seconds(600)});
  hub::RefreshSettings refresh_settings;
  refresh_settings.ahead = std::chrono::seconds(config.refresh_ahead_seconds);
  refresh_settings.metrics = &metrics;
  // A long-lived refresh token survives a second refresh: nothing to wait for.
  if (config.refresh_token_type == "long_lived") refresh_settings.answer_wait = std::chrono::seconds(0);
  const std::string holder = options.holder.empty() ? processHolder() : options.holder;
  refresher = std::make_unique<hub::Refresher>(connections, events, *vault, *cc, clock, random, waiter,
                                               holder, refresh_settings);
  buildHealth(config);
  api = std::make_unique<hub::api::HubApi>(hub::api::HubApiDeps{
      db, connections, sessions, keys, events, *connect, *refresher, *cc, governor, metrics, clock,
      config.public_url, config.app_name.empty() ? config.client_id : config.app_name,
      [this](const std::string& id, bool fresh) { return healthJson(id, fresh); }});
  buildWebhooks(*api);
  buildProxy(*api);
  buildSync(*api, holder,
            CcSideSettings{std::chrono::milliseconds(config.sync_activity_poll_ms),
                           static_cast<size_t>(config.sync_own_import_skip_rows)});
  describeMetrics(config.client_id);
}

Parts::~Parts() = default;

http::Dispatch HubRuntime::dispatch(http::Request& request) const { return parts_->api->dispatch(request); }
http::Response HubRuntime::handle(http::Request& request) const {
  http::Response response = parts_->api->handle(request);
  // In process there is no connection to stream over: a streamed body is read whole here, and
  // one that breaks off ends "the connection" as a server would.
  if (response.stream) {
    auto body = http::readAll(*response.stream);
    response.stream.reset();
    if (body) {
      response.body = std::move(*body);
    } else {
      response.abort_connection = true;
    }
  }
  return response;
}

int HubRuntime::tick() {
  Parts& p = *parts_;
  // Keys rotated by `liaison vault rotate` in another process take effect within a round.
  if (auto reloaded = p.vault->reload(); !reloaded)
    spdlog::error("vault reload failed: {}", reloaded.error().message);
  int done = p.connect->expireSessions();
  done += p.connect->pollDeviceSessions(50);
  done += p.refresher->runDue(50);
  done += p.runHealth(20);
  done += p.runWebhooks(50);
  done += p.scheduleSyncs(5);
  // Idempotent answers live 24 hours; sweeping them once an hour is plenty.
  if (p.clock.now() - p.idempotency_purged_at >= std::chrono::hours(1)) {
    p.idempotency_purged_at = p.clock.now();
    if (auto purged = p.idempotency->purgeExpired(); !purged)
      spdlog::error("purging idempotent answers failed: {}", purged.error().message);
  }
  return done;
}

std::pair<std::string, std::string> HubRuntime::createApiKey(const std::string& name) {
  Parts& p = *parts_;
  const std::string key = "lsk_" + p.random.token(32);
  hub::ApiKey record;
  record.id = "key_" + p.random.token(9);
  record.name = name;
  record.prefix = key.substr(0, 10);
  record.hash = crypto::sha256Hex(key);
  record.created_at = p.clock.now();
  if (auto stored = p.keys.insert(record); !stored) throw std::runtime_error(stored.error().message);
  return {key, record.id};
}

}  // namespace liaison::app
