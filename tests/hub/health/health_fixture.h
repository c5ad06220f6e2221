#pragma once
// A hub wired for health checks against a scripted Constant Contact: a real vault, store,
// governor, CC client and refresher; only HTTP is faked, answering by URL path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cc/provider.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/random.h"
#include "http/client/http_client.h"
#include "hub/budget/local_governor.h"
#include "hub/connections/connect_service.h"
#include "hub/health/health_checker.h"
#include "hub/refresh/refresher.h"
#include "hub/store/connection_repository.h"
#include "hub/store/event_log.h"
#include "hub/store/hub_database.h"
#include "hub/upstream/cc_client.h"
#include "hub/vault/data_key_repository.h"
#include "hub/vault/key_encryption_key.h"
#include "hub/vault/vault.h"
#include "support/in_process_http_client.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace liaison::hub::testing {

inline constexpr const char* kTokenPath = "/oauth2/default/v1/token";
inline constexpr const char* kPrivilegesPath = "/v3/account/user/privileges";
inline constexpr const char* kSocialPath = "/v3/social/connections";
inline constexpr const char* kProfilesPath = "/v3/social/profiles";

struct Reply {
  int status = 200;
  std::string body = "{}";
  bool transport_error = false;  // the connection fails before any answer
};

inline Reply transportError() { return Reply{0, "", true}; }

// Answers by URL path with the scripted replies in order; the last one repeats. A path without
// a script answers 404, so an unexpected call shows in the report.
class ScriptedCc final : public http::HttpClient {
 public:
  void script(const std::string& path, std::vector<Reply> replies) {
    scripts_[path] = std::deque<Reply>(replies.begin(), replies.end());
  }
  int calls(const std::string& path) const {
    auto it = calls_.find(path);
    return it == calls_.end() ? 0 : it->second;
  }
  // The whole target (query included) of the last call to `path`.
  std::string lastTarget(const std::string& path) const {
    auto it = targets_.find(path);
    return it == targets_.end() ? std::string() : it->second;
  }
  Result<http::ClientResponse> send(const http::ClientRequest& request) override {
    const std::string target = liaison::testing::InProcessHttpClient::targetOf(request.url);
    const std::string path = target.substr(0, target.find('?'));
    ++calls_[path];
    targets_[path] = target;
    auto& queue = scripts_[path];
    if (queue.empty()) return http::ClientResponse{404, {}, "{}"};
    Reply reply = queue.front();
    if (queue.size() > 1) queue.pop_front();
    if (reply.transport_error)
      return makeError(ErrorCode::Unavailable, "connection_refused", "connection refused");
    return http::ClientResponse{reply.status, {}, reply.body};
  }

 private:
  std::map<std::string, std::deque<Reply>> scripts_;
  std::map<std::string, int> calls_;
  std::map<std::string, std::string> targets_;
};

// CC's connection_status for a link that works.
inline nlohmann::json healthyStatus() {
  return {{"error", nullptr},  {"has_token", true},        {"is_active_user", true}, {"rate_limited", false},
          {"status", nullptr}, {"token_has_scopes", true}, {"token_is_valid", true}};
}

inline nlohmann::json expiredStatus() {
  nlohmann::json status = healthyStatus();
  status["token_is_valid"] = false;
  status["error"] = "The access token has expired.";
  status["status"] = 401;
  return status;
}

struct LinkSpec {
  std::string network;
  std::string network_account_id;
  nlohmann::json status;
};

inline Reply socialReply(const std::vector<LinkSpec>& links) {
  nlohmann::json connections = nlohmann::json::array();
  for (const auto& link : links) {
    connections.push_back({{"account_info",
                            {{"display_name", "Sandbox Bakery"},
                             {"network", link.network},
                             {"network_account_id", link.network_account_id},
                             {"username", "sandboxbakery"}}},
                           {"connection_status", link.status}});
  }
  return Reply{200, nlohmann::json{{"connections", connections}}.dump()};
}

struct ProfileSpec {
  std::string profile_id;
  std::string network;
  std::string network_account_id;  // the link that owns it
  bool connected = true;
  bool accessible = true;
};

// CC's GET /v3/social/profiles?include=accessible: an array, each profile with its link's
// account_info.
inline Reply profilesReply(const std::vector<ProfileSpec>& profiles) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : profiles) {
    out.push_back({{"profile_id", p.profile_id},
                   {"network", p.network},
                   {"connected", p.connected},
                   {"name", "Sandbox Bakery"},
                   {"handle", "sandboxbakery"},
                   {"image_url", "https://images.example/" + p.profile_id + ".png"},
                   {"url", "https://" + p.network + ".example/" + p.profile_id},
                   {"network_profile_id", "np-" + p.profile_id},
                   {"network_user_id", "nu-" + p.profile_id},
                   {"account_info", {{"network", p.network}, {"network_account_id", p.network_account_id}}},
                   {"accessible", p.accessible}});
  }
  return Reply{200, out.dump()};
}

inline Reply tokenReply() {
  return Reply{200, R"({"access_token":"at-renewed","token_type":"Bearer","expires_in":86400,)"
                    R"("refresh_token":"rt-renewed"})"};
}

inline const std::vector<std::string> kAllScopes = {"account_read", "contact_data", "campaign_data"};

class HealthTest : public ::testing::Test {
 protected:
  HealthTest() {
    auto opened = Vault::open(keys, generateKeyEncryptionKey(random), random);
    EXPECT_TRUE(opened.ok());
    vault = std::move(*opened);
    refresher = std::make_unique<Refresher>(connections, events, *vault, cc, clock, random, waiter,
                                            "test-holder", RefreshSettings{});
    checker = std::make_unique<HealthChecker>(db, connections, events, *refresher, cc, governor, clock,
                                              HealthSettings{kAllScopes, std::chrono::minutes(15)});
    http.script(kPrivilegesPath, {Reply{200, R"({"privileges":["account:read"]})"}});
    http.script(kSocialPath, {socialReply({{"facebook", "fb-1001", healthyStatus()}})});
    http.script(kProfilesPath, {profilesReply({{"fb-page-1", "facebook", "fb-1001"}})});
    http.script(kTokenPath, {tokenReply()});
  }

  // An active connection whose access token is good for another hour (no refresh needed).
  Connection insert(const std::string& id, std::vector<std::string> scopes = kAllScopes,
                    ConnectionStatus status = ConnectionStatus::Active,
                    std::chrono::seconds expires_in = std::chrono::hours(1)) {
    Connection c;
    c.id = id;
    c.app_id = "app-1";
    c.end_user_id = "user-1";
    c.account_id = "acct-" + id;
    c.organization_name = "Sandbox Bakery";
    c.user_login = "owner@sandbox.test";
    c.scopes = std::move(scopes);
    c.status = status;
    c.created_at = c.updated_at = clock.now();
    c.sealed_access_token = *vault->seal(Secret("at-" + id), accessTokenContext(id));
    c.sealed_refresh_token = *vault->seal(Secret("rt-" + id), refreshTokenContext(id));
    c.access_expires_at = clock.now() + expires_in;
    c.refresh_token_used_at = clock.now();
    EXPECT_TRUE(connections.insert(c).ok());
    return c;
  }

  HealthReport checkFresh(const std::string& id) {
    auto report = checker->check(id, true);
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.error().message);
    return report.ok() ? *report : HealthReport{};
  }

  std::vector<Event> eventsOfType(const std::string& connection_id, const std::string& type) {
    std::vector<Event> out;
    auto all = events.list(connection_id, 0, 1000);
    EXPECT_TRUE(all.ok());
    if (all.ok()) {
      for (const auto& event : *all) {
        if (event.type == type) out.push_back(event);
      }
    }
    return out;
  }

  // Past the governor's one-second window, so the next check has the whole per-second budget.
  void nextSecond() { clock.advance(std::chrono::seconds(1)); }

  liaison::testing::TempDir dir;
  ManualClock clock{fromUnixSeconds(1767268800)};  // 2026-01-01T12:00:00Z
  SeededRandom random{20260101};
  MemoryDataKeyRepository keys;
  std::unique_ptr<Vault> vault;
  const storage::Migration migrations[2] = {kConnectionRefreshSpread, kHealthClaimMigration};
  const std::string store_location = liaison::testing::testStoreLocation(dir.file("hub.db"));
  HubDatabase db{store_location, migrations};
  ScriptedCc http;
  Waiter waiter = [this](std::chrono::milliseconds wait) { clock.advance(wait); };
  LocalGovernor governor{clock, cc::constantContact().limits, waiter};
  Metrics metrics;
  CcClient cc{http,
              governor,
              clock,
              metrics,
              AppCredentials{"app-1", "app-1", Secret("app-secret")},
              cc::endpointsAt("https://cc.test")};
  ConnectionRepository connections{db};
  EventLog events{db, clock, random};
  std::unique_ptr<Refresher> refresher;
  std::unique_ptr<HealthChecker> checker;
};

}  // namespace liaison::hub::testing
