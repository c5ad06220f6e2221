#pragma once
// The hub assembled from its settings: store, vault, governor, CC client, connect service,
// refresher, health, webhooks and the REST API, plus the background work they need (device
// polls, session expiry, refreshes, health polls, webhook deliveries). `liaison serve`, `liaison
// up` and the integration tests build it the same way; only the HttpClient, Clock and
// RandomSource differ.
#include <memory>
#include <span>
#include <string>

#include "app/hub_config.h"
#include "core/clock.h"
#include "core/random.h"
#include "http/client/http_client.h"
#include "http/router.h"
#include "hub/upstream/cc_client.h"
#include "storage/sqlite_database.h"

namespace liaison::app {

// Threads of the hub's server for handlers that block. A proxied call holds one while it waits its
// turn at CC's budget (up to budget.max_queue_wait_ms) and then for CC's answer: with the default
// of 2, two waiting calls would hold up every other request that touches the store. They mostly
// sleep, so many are cheap.
inline constexpr int kHubBlockingThreads = 64;

struct HubRuntimeOptions {
  hub::Waiter waiter;  // how throttled interactive calls wait; default: real sleep
  std::string holder;  // lease holder name; default: host:pid
};

class HubRuntime {
 public:
  // Throws at start-up (bad key, unreadable store); the message names what is wrong.
  HubRuntime(const HubConfig& config, http::HttpClient& http, const Clock& clock, RandomSource& random,
             HubRuntimeOptions options = {});
  ~HubRuntime();

  http::Dispatch dispatch(http::Request& request) const;
  http::Response handle(http::Request& request) const;
  // One round of background work; returns how many items it handled.
  int tick();
  // A new hub API key: the key itself (shown once) and its id.
  std::pair<std::string, std::string> createApiKey(const std::string& name);

  // Key rotation: optionally a new data key first, then every stored secret not sealed with the
  // current key is sealed again, and data keys nothing uses any more are retired. Safe to run
  // while the hub serves and again after an interruption. Returns a one-line summary.
  Result<std::string> resealAll(bool rotate);

  struct Parts;
  Parts& parts() { return *parts_; }

 private:
  std::unique_ptr<Parts> parts_;
};

// Runs HubRuntime::tick on its own thread: again at once while there is work, else after a
// second. Stops and joins when destroyed.
class BackgroundLoop {
 public:
  explicit BackgroundLoop(HubRuntime& hub);
  ~BackgroundLoop();
  BackgroundLoop(const BackgroundLoop&) = delete;
  BackgroundLoop& operator=(const BackgroundLoop&) = delete;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The schema changes of hub parts above the store (webhooks, paging indexes, privileges, the
// proxy), numbered after the store's own v1; every hub.db gets all of them.
std::span<const storage::Migration> hubExtraMigrations();

// Opens the vault key the settings name (env LIAISON_VAULT_KEY or the key file); throws with
// one line when it is missing or malformed.
std::string vaultKeyFile(const HubConfig& config);

}  // namespace liaison::app
