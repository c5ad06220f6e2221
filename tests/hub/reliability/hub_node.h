#pragma once
// One hub "process" for the reliability tests: its own connections to the store (store and vault
// keys), its own governor and CC client, and a Refresher under its holder name, exactly as
// HubRuntime wires them. Several nodes on one file behave like several hub processes sharing
// the store. Only CC is fake (FakeCc).
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "app/hub_runtime.h"
#include "cc/provider.h"
#include "core/metrics.h"
#include "core/random.h"
#include "core/secret.h"
#include "hub/budget/local_governor.h"
#include "hub/budget/store_ledger.h"
#include "hub/connections/connect_service.h"
#include "hub/refresh/refresher.h"
#include "hub/reliability/fake_cc.h"
#include "hub/store/connection_repository.h"
#include "hub/store/event_log.h"
#include "hub/store/hub_database.h"
#include "hub/upstream/cc_client.h"
#include "hub/vault/store_data_keys.h"
#include "hub/vault/vault.h"

namespace liaison::hub::reliability {

// Smaller counts under AddressSanitizer keep every test well under a minute there.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
inline constexpr int scaled(int release, int sanitized) { return kSanitized ? sanitized : release; }

inline std::string connectionId(int i) { return "conn_" + std::to_string(i); }

// A seeded source that many threads may draw from (production uses the thread-safe CSPRNG).
class LockedRandom final : public RandomSource {
 public:
  explicit LockedRandom(uint64_t seed) : inner_(seed) {}
  void fill(uint8_t* out, size_t size) override {
    std::lock_guard lock(mutex_);
    inner_.fill(out, size);
  }

 private:
  std::mutex mutex_;
  SeededRandom inner_;
};

// CC's limits, with the token endpoint's per-second limit replaced when a test needs a holder
// that is never paced (one that only exists to crash).
inline cc::Limits ccLimits(int token_calls_per_second = 0, int api_calls_per_second = 0) {
  cc::Limits limits = cc::constantContact().limits;
  if (token_calls_per_second > 0) limits.token_requests_per_second_per_client = token_calls_per_second;
  if (api_calls_per_second > 0) {
    limits.requests_per_second_per_key = api_calls_per_second;
    limits.requests_per_day_per_key = 1'000'000'000;
  }
  return limits;
}

struct NodeOptions {
  std::string holder = "node-1";
  RefreshSettings settings{};
  Waiter budget_waiter;            // waits for the governor; default: the virtual clock's sleeper
  Waiter lease_waiter;             // waits for another holder's lease; default: the virtual clock's sleeper
  int token_calls_per_second = 0;  // 0: CC's limit (1/s)
  int api_calls_per_second = 0;    // 0: CC's limits (4/s, 10,000 a day); else that rate, no daily cap
  // The budget shared with every node on the store (the ledger in the store), as HubRuntime has
  // it; false: this node paces itself alone.
  bool shared_budget = true;
};

// For lease polls in storms: let the other threads run without moving the virtual clock.
// Threads that poll a lease would otherwise push virtual time far ahead of a holder that is
// busy in real time (waiting for SQLite's write lock), which would read as that holder pausing.
// A millisecond of real time, not a bare yield: sixteen threads re-polling a PostgreSQL lease row
// at full speed starve the holder they wait for on a loaded machine (the storm then took minutes).
inline Waiter pauseInRealTime() {
  return [](std::chrono::milliseconds) { std::this_thread::sleep_for(std::chrono::milliseconds(1)); };
}

class HubNode {
 public:
  HubNode(const std::string& store, const Secret& kek, VirtualClock& clock, http::HttpClient& http,
          RandomSource& random, NodeOptions options = {})
      : clock_(clock),
        db(store, app::hubExtraMigrations()),
        vault_db(store, {}),
        keys(vault_db, clock),
        ledger(db),
        governor(clock, ccLimits(options.token_calls_per_second, options.api_calls_per_second),
                 options.budget_waiter ? options.budget_waiter : clock.waiter(), GovernorSettings{},
                 options.shared_budget ? &ledger : nullptr),
        cc(http, governor, clock, metrics, AppCredentials{"app-1", "app-1", Secret("app-secret")},
           cc::endpointsAt(kCcOrigin)),
        connections(db),
        events(db, clock, random) {
    auto opened = Vault::open(keys, kek, random);
    if (!opened) throw std::runtime_error(opened.error().message);
    vault = std::move(*opened);
    refresher = std::make_unique<Refresher>(connections, events, *vault, cc, clock, random,
                                            options.lease_waiter ? options.lease_waiter : clock.waiter(),
                                            options.holder, options.settings);
  }

  // Stores connection i with the given tokens (sealed, as the hub stores them).
  void insert(int i, const std::string& access_token, const std::string& refresh_token, TimePoint expires) {
    Connection c;
    c.id = connectionId(i);
    c.app_id = "app-1";
    c.end_user_id = "user-" + std::to_string(i);
    c.account_id = "acct-" + std::to_string(i);
    c.organization_name = "Org " + std::to_string(i);
    c.user_login = "owner" + std::to_string(i) + "@example.test";
    c.scopes = {"account_read", "contact_data", "offline_access"};
    c.created_at = c.updated_at = clock_.now();
    c.sealed_access_token = *vault->seal(Secret(access_token), accessTokenContext(c.id));
    c.sealed_refresh_token = *vault->seal(Secret(refresh_token), refreshTokenContext(c.id));
    c.access_expires_at = expires;
    c.refresh_token_used_at = clock_.now();
    auto status = connections.insert(c);
    if (!status) throw std::runtime_error(status.error().message);
  }

  // Connection i with CC's live pair and an access token expiring at `expires`.
  void insertFrom(FakeCc& cc_fake, int i, TimePoint expires) {
    insert(i, cc_fake.accessToken(i, expires), cc_fake.liveRefreshToken(i), expires);
  }

  Connection row(int i) {
    auto found = connections.find(connectionId(i));
    if (!found || !*found) throw std::runtime_error("connection missing: " + connectionId(i));
    return **found;
  }
  std::string storedRefreshToken(int i) {
    auto c = row(i);
    auto opened = vault->open(c.sealed_refresh_token, refreshTokenContext(c.id));
    return opened ? opened->reveal() : std::string("<unreadable>");
  }
  std::vector<Event> eventsOf(int i, const std::string& type) {
    std::vector<Event> out;
    auto all = events.list(connectionId(i), 0, 1000);
    if (all) {
      for (auto& e : *all) {
        if (e.type == type) out.push_back(e);
      }
    }
    return out;
  }

 private:
  VirtualClock& clock_;

 public:
  HubDatabase db;
  storage::Database vault_db;
  StoreDataKeyRepository keys;
  std::unique_ptr<Vault> vault;
  StoreRateLedger ledger;
  LocalGovernor governor;
  Metrics metrics;
  CcClient cc;
  ConnectionRepository connections;
  EventLog events;
  std::unique_ptr<Refresher> refresher;
};

// A figure for the report: printed, and recorded in the test's XML properties.
inline void figure(const std::string& name, const std::string& value) {
  std::printf("[ figure   ] %s = %s\n", name.c_str(), value.c_str());
  std::fflush(stdout);
  ::testing::Test::RecordProperty(name, value);
}
inline void figure(const std::string& name, double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", value);
  figure(name, std::string(text));
}
template <typename Integer>
requires std::is_integral_v<Integer>
inline void figure(const std::string& name, Integer value) { figure(name, std::to_string(value)); }

}  // namespace liaison::hub::reliability
