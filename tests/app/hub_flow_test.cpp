// The hub end to end against the sandbox in one process: keys, device-flow connect, listing,
// refresh ahead of expiry, a revoked grant, disconnect, events, webhooks, and that no token
// reaches the database in plaintext.
#include <fstream>
#include <iterator>
#include <set>

#include "core/encoding.h"

#include "app/hub_fixture.h"
#include "hub/webhooks/signature.h"

namespace liaison::testing {
namespace {

std::string fileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> eventTypes(const nlohmann::json& body) {
  std::vector<std::string> out;
  for (const auto& e : body["events"]) out.push_back(e["type"].get<std::string>());
  return out;
}

using HubFlowTest = HubFixture;

TEST_F(HubFlowTest, EveryApiRouteNeedsAValidKeyAndAnswersInTheHubsErrorFormat) {
  for (const std::string key : {"", "lsk_wrong", "not-a-bearer"}) {
    auto answer = hubCall("GET", "/api/v1/connections", nullptr, key);
    EXPECT_EQ(answer.status, 401);
    EXPECT_EQ(answer.body["error"]["code"], "unauthorized");
    EXPECT_TRUE(answer.body["error"].contains("message"));
    EXPECT_TRUE(answer.body["error"].contains("remedy"));
  }
  EXPECT_EQ(hubCall("GET", "/api/v1/connections").status, 200);
  ASSERT_TRUE(*hub_->parts().keys.revoke("tests", clock_.now()));
  EXPECT_EQ(hubCall("GET", "/api/v1/connections").status, 401);
  EXPECT_EQ(hubCall("GET", "/healthz", nullptr, "").status, 200);
  EXPECT_EQ(hubCall("GET", "/api/v1/nowhere").body["error"]["code"], "not_found");
}

TEST_F(HubFlowTest, DeviceFlowConnectsTheDemoAccountAndListsItWithoutSecrets) {
  const std::string id = connectByDevice("user-1");
  ASSERT_FALSE(id.empty());
  auto list = hubCall("GET", "/api/v1/connections?end_user_id=user-1");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["connections"].size(), 1u);
  const auto& c = list.body["connections"][0];
  EXPECT_EQ(c["id"], id);
  EXPECT_EQ(c["status"], "active");
  EXPECT_EQ(c["account"]["organization_name"], "Sandbox Bakery");
  EXPECT_EQ(c["account"]["encoded_account_id"], "a07e1sandbox01");
  EXPECT_TRUE(c["access_token_expires_at"].is_string());
  EXPECT_EQ(list.raw.body.find("eyJ"), std::string::npos) << "a JWT in a listing";
  EXPECT_EQ(hubCall("GET", "/api/v1/connections?end_user_id=someone-else").body["connections"].size(), 0u);
  auto events = hubCall("GET", "/api/v1/events?connection_id=" + id);
  EXPECT_EQ(eventTypes(events.body), std::vector<std::string>{"connection.created"});
  // The same account for the same end user again updates the connection instead of adding one.
  EXPECT_EQ(connectByDevice("user-1"), id);
  EXPECT_EQ(hubCall("GET", "/api/v1/connections").body["connections"].size(), 1u);
}

TEST_F(HubFlowTest, NoTokenReachesTheDatabaseOrItsWalInPlaintext) {
  connectByDevice("user-1");
  hub_.reset();  // close the database so the WAL is checkpointed or left as it is
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    const std::string text = fileText(entry.path());
    EXPECT_EQ(text.find("eyJ"), std::string::npos) << entry.path() << " holds a JWT";
    EXPECT_EQ(text.find(client_secret_), std::string::npos) << entry.path() << " holds the client secret";
  }
}

TEST_F(HubFlowTest, DeniedAndExpiredDeviceSessionsEndWithAnEventAndNoConnection) {
  auto denied = hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "u"}, {"flow", "device"}});
  ASSERT_EQ(sandboxCall("POST", "/__sandbox/device/deny", {{"user_code", denied.body["user_code"]}}).status,
            200);
  auto expired = hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "v"}, {"flow", "device"}});
  clock_.advance(std::chrono::seconds(5));
  hub_->tick();
  EXPECT_EQ(hubCall("GET", "/api/v1/connect-sessions/" + denied.body["id"].get<std::string>()).body["status"],
            "denied");
  clock_.advance(std::chrono::hours(1));
  hub_->tick();
  EXPECT_EQ(
      hubCall("GET", "/api/v1/connect-sessions/" + expired.body["id"].get<std::string>()).body["status"],
      "expired");
  EXPECT_EQ(hubCall("GET", "/api/v1/connections").body["connections"].size(), 0u);
  auto types = eventTypes(hubCall("GET", "/api/v1/events").body);
  EXPECT_EQ(std::count(types.begin(), types.end(), "connect_session.failed"), 2);
}

TEST_F(HubFlowTest, TokensAreRefreshedAheadOfExpiryAndARevokedGrantNeedsReauth) {
  const std::string id = connectByDevice("user-1");
  const auto before = *hub_->parts().connections.find(id);
  clock_.set(before->access_expires_at - std::chrono::seconds(300));
  hub_->tick();
  const auto after = *hub_->parts().connections.find(id);
  EXPECT_GT(after->token_generation, before->token_generation);
  EXPECT_EQ(after->last_refresh_outcome, "ok");
  EXPECT_GT(after->access_expires_at, before->access_expires_at);

  ASSERT_EQ(sandboxCall("POST", "/__sandbox/grants/revoke",
                        {{"client_id", "hub-app"}, {"email", "owner@sandbox.test"}})
                .status,
            200);
  clock_.set(after->access_expires_at - std::chrono::seconds(300));
  hub_->tick();
  auto c = hubCall("GET", "/api/v1/connections/" + id);
  EXPECT_EQ(c.body["status"], "reauth_required");
  auto types = eventTypes(hubCall("GET", "/api/v1/events?connection_id=" + id).body);
  EXPECT_EQ(std::count(types.begin(), types.end(), "connection.reauth_required"), 1);
  // One attempt, no retry loop: later rounds call CC's token endpoint no more for it.
  const auto calls = hub_->parts().governor.usage("hub-app").token_calls_today;
  clock_.advance(std::chrono::hours(2));
  hub_->tick();
  EXPECT_EQ(hub_->parts().governor.usage("hub-app").token_calls_today, calls);
}

TEST_F(HubFlowTest, AnOutageAtTheTokenEndpointKeepsTheConnectionActiveAndRecovers) {
  const std::string id = connectByDevice("user-1");
  ASSERT_EQ(
      sandboxCall(
          "POST", "/__sandbox/faults",
          {{"operation", "oauth.token"}, {"count", 2}, {"action", {{"type", "status"}, {"status", 503}}}})
          .status,
      201);
  const auto before = *hub_->parts().connections.find(id);
  clock_.set(before->access_expires_at - std::chrono::seconds(300));
  hub_->tick();
  auto c = *hub_->parts().connections.find(id);
  EXPECT_EQ(c->status, hub::ConnectionStatus::Active);
  EXPECT_EQ(c->last_refresh_outcome, "unavailable");
  for (int round = 0; round < 6 && c->last_refresh_outcome != "ok"; ++round) {
    clock_.advance(std::chrono::minutes(10));
    hub_->tick();
    c = *hub_->parts().connections.find(id);
  }
  EXPECT_EQ(c->last_refresh_outcome, "ok");
  auto types = eventTypes(hubCall("GET", "/api/v1/events?connection_id=" + id).body);
  EXPECT_EQ(std::count(types.begin(), types.end(), "connection.recovered"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "connection.reauth_required"), 0);
  const std::string metrics = hubCall("GET", "/metrics", nullptr, "").raw.body;
  EXPECT_NE(metrics.find("liaison_refreshes_total{outcome=\"unavailable\"}"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("liaison_refreshes_total{outcome=\"ok\"} 1"), std::string::npos) << metrics;
}

TEST_F(HubFlowTest, DisconnectRevokesAtCcErasesTokensAndRecordsAnEvent) {
  const std::string id = connectByDevice("user-1");
  EXPECT_EQ(hubCall("DELETE", "/api/v1/connections/" + id).status, 204);
  auto c = hubCall("GET", "/api/v1/connections/" + id);
  EXPECT_EQ(c.body["status"], "disconnected");
  EXPECT_TRUE(c.body["access_token_expires_at"].is_null());
  EXPECT_TRUE((*hub_->parts().connections.find(id))->sealed_refresh_token.empty());
  EXPECT_EQ(hubCall("DELETE", "/api/v1/connections/conn_unknown").status, 404);
  auto types = eventTypes(hubCall("GET", "/api/v1/events?connection_id=" + id).body);
  EXPECT_EQ(types.back(), "connection.deleted");
}

TEST_F(HubFlowTest, WebhooksReceiveSignedEventsInOrder) {
  auto created = hubCall("POST", "/api/v1/webhooks", {{"url", "https://app.example/hooks"}});
  ASSERT_EQ(created.status, 201) << created.body.dump();
  const std::string secret = created.body["secret"];
  EXPECT_TRUE(hubCall("GET", "/api/v1/webhooks").raw.body.find(secret) == std::string::npos);
  const std::string id = connectByDevice("user-1");
  EXPECT_EQ(hubCall("DELETE", "/api/v1/connections/" + id).status, 204);
  hub_->tick();
  ASSERT_EQ(http_->outside.size(), 2u);
  std::vector<std::string> types;
  for (const auto& sent : http_->outside) {
    const auto header = sent.headers.get("Liaison-Signature");
    ASSERT_TRUE(header);
    EXPECT_TRUE(hub::webhooks::verifySignature(*header, secret, sent.body, toUnixSeconds(clock_.now())));
    EXPECT_FALSE(
        hub::webhooks::verifySignature(*header, "whsec_other", sent.body, toUnixSeconds(clock_.now())));
    types.push_back(nlohmann::json::parse(sent.body)["type"]);
  }
  EXPECT_EQ(types, (std::vector<std::string>{"connection.created", "connection.deleted"}));
  auto deliveries =
      hubCall("GET", "/api/v1/webhooks/" + created.body["id"].get<std::string>() + "/deliveries");
  ASSERT_EQ(deliveries.status, 200);
  EXPECT_EQ(deliveries.body["deliveries"].size(), 2u);
  EXPECT_EQ(hubCall("POST", "/api/v1/webhooks", {{"url", "ftp://x"}}).status, 400);
  EXPECT_EQ(hubCall("POST", "/api/v1/webhooks", {{"url", 5}}).status, 400);
}

TEST_F(HubFlowTest, BadConnectSessionRequestsAreRefusedClearly) {
  EXPECT_EQ(hubCall("POST", "/api/v1/connect-sessions", {{"flow", "device"}}).body["error"]["code"],
            "invalid_request");
  EXPECT_EQ(
      hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "u"}, {"flow", "carrier-pigeon"}}).status,
      400);
  EXPECT_EQ(hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "u"}, {"scopes", {"everything"}}})
                .body["error"]["code"],
            "invalid_scope");
  EXPECT_EQ(
      hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "u"}, {"return_url", "javascript:x"}})
          .status,
      400);
  EXPECT_EQ(hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", 7}}).status, 400);
  EXPECT_EQ(hubCall("GET", "/api/v1/connect-sessions/cs_nope").status, 404);
}

TEST_F(HubFlowTest, HealthShowsTheCcLinkAndFollowsABrokenSocialLink) {
  const std::string id = connectByDevice("user-1");
  clock_.advance(std::chrono::seconds(2));  // health checks give way to the second's connect calls
  auto health = hubCall("GET", "/api/v1/connections/" + id + "/health?fresh=true");
  ASSERT_EQ(health.status, 200) << health.raw.body;
  // The demo account's LinkedIn link is broken from the start: the CC link itself is sound.
  EXPECT_EQ(health.body["cc"]["is_active_user"], true);
  EXPECT_EQ(health.body["cc"]["token_is_valid"], true);
  EXPECT_EQ(health.body["cc"]["rate_limited"], false);
  ASSERT_FALSE(health.body["social"].empty());
  ASSERT_EQ(health.body["social"][0]["healthy"], true) << health.raw.body;
  const std::string network_account = health.body["social"][0]["network_account_id"];
  ASSERT_EQ(sandboxCall("POST", "/__sandbox/social/connections/" + network_account + "/events",
                        {{"event", "expire_token"}})
                    .status /
                100,
            2);
  clock_.advance(std::chrono::seconds(2));
  health = hubCall("GET", "/api/v1/connections/" + id + "/health?fresh=true");
  EXPECT_EQ(health.body["status"], "degraded") << health.raw.body;
  bool found = false;
  for (const auto& link : health.body["social"]) {
    if (link["network_account_id"] != network_account) continue;
    found = true;
    EXPECT_EQ(link["healthy"], false);
    EXPECT_FALSE(link["remedy"].get<std::string>().empty());
    EXPECT_FALSE(link["blocked"].empty());
  }
  EXPECT_TRUE(found);
  auto types = eventTypes(hubCall("GET", "/api/v1/events?connection_id=" + id).body);
  EXPECT_EQ(std::count(types.begin(), types.end(), "social.status_changed"), 1);
  auto permissions = hubCall("GET", "/api/v1/connections/" + id + "/permissions");
  ASSERT_EQ(permissions.status, 200);
  EXPECT_EQ(permissions.body["features"].size(), 7u);
}

const nlohmann::json* socialLink(const nlohmann::json& health, const std::string& network_account_id) {
  for (const auto& link : health["social"]) {
    if (link["network_account_id"] == network_account_id) return &link;
  }
  return nullptr;
}

TEST_F(HubFlowTest, HealthFollowsTheProfilesBehindASocialLinkAndTheirHealing) {
  const std::string id = connectByDevice("user-1");
  clock_.advance(std::chrono::seconds(2));  // health checks give way to the second's connect calls
  auto health = hubCall("GET", "/api/v1/connections/" + id + "/health?fresh=true");
  ASSERT_EQ(health.status, 200) << health.raw.body;
  bool asked_accessible = false;
  for (const auto& exchange : http_->exchanges)
    asked_accessible |= exchange.url.ends_with("/v3/social/profiles?include=accessible");
  EXPECT_TRUE(asked_accessible);
  // The demo's Facebook link carries its page and the Instagram business account behind it.
  const nlohmann::json* facebook = socialLink(health.body, "fb-1001");
  ASSERT_NE(facebook, nullptr) << health.raw.body;
  EXPECT_EQ((*facebook)["healthy"], true);
  ASSERT_EQ((*facebook)["profiles"].size(), 2u) << health.raw.body;
  EXPECT_EQ((*facebook)["profiles"][1], (nlohmann::json{{"profile_id", "ig-biz-1"},
                                                        {"name", "Sandbox Bakery"},
                                                        {"network", "instagram"},
                                                        {"connected", true},
                                                        {"accessible", true}}));
  // LinkedIn's token expired in the seed: its page cannot be posted to either.
  const nlohmann::json* linkedin = socialLink(health.body, "li-2001");
  ASSERT_NE(linkedin, nullptr);
  EXPECT_EQ((*linkedin)["profiles"][0]["accessible"], false);
  EXPECT_NE(std::find((*linkedin)["blocked"].begin(), (*linkedin)["blocked"].end(),
                      "publishing posts to Sandbox Bakery on linkedin"),
            (*linkedin)["blocked"].end());

  // The Facebook link breaks in CC: its profiles can no longer be published to.
  ASSERT_EQ(
      sandboxCall("POST", "/__sandbox/social/connections/fb-1001/events", {{"event", "expire_token"}}).status,
      200);
  clock_.advance(std::chrono::seconds(2));
  health = hubCall("GET", "/api/v1/connections/" + id + "/health?fresh=true");
  facebook = socialLink(health.body, "fb-1001");
  ASSERT_NE(facebook, nullptr);
  EXPECT_EQ((*facebook)["healthy"], false);
  EXPECT_EQ((*facebook)["profiles"][1]["accessible"], false);
  EXPECT_NE(
      (*facebook)["remedy"].get<std::string>().find(
          "Constant Contact may no longer publish to Sandbox Bakery on instagram: the account's user must "
          "re-authorize that profile inside Constant Contact"),
      std::string::npos)
      << health.raw.body;
  EXPECT_NE(std::find((*facebook)["blocked"].begin(), (*facebook)["blocked"].end(),
                      "publishing posts to Sandbox Bakery on instagram"),
            (*facebook)["blocked"].end());
  // The cached report is the one served.
  auto cached = hubCall("GET", "/api/v1/connections/" + id + "/health");
  EXPECT_EQ(cached.body, health.body);
  clock_.advance(std::chrono::seconds(2));
  hubCall("GET", "/api/v1/connections/" + id + "/health?fresh=true");
  auto types = eventTypes(hubCall("GET", "/api/v1/events?connection_id=" + id).body);
  EXPECT_EQ(std::count(types.begin(), types.end(), "social.status_changed"), 1);

  // Reconnected in CC: the link and its profiles heal, and that is announced too.
  ASSERT_EQ(
      sandboxCall("POST", "/__sandbox/social/connections/fb-1001/events", {{"event", "reconnect"}}).status,
      200);
  clock_.advance(std::chrono::seconds(2));
  health = hubCall("GET", "/api/v1/connections/" + id + "/health?fresh=true");
  facebook = socialLink(health.body, "fb-1001");
  ASSERT_NE(facebook, nullptr);
  EXPECT_EQ((*facebook)["healthy"], true) << health.raw.body;
  EXPECT_TRUE((*facebook)["blocked"].empty());
  EXPECT_EQ((*facebook)["profiles"][1]["accessible"], true);
  auto events = hubCall("GET", "/api/v1/events?connection_id=" + id).body["events"];
  std::vector<nlohmann::json> changes;
  for (const auto& e : events) {
    if (e["type"] == "social.status_changed") changes.push_back(e["data"]);
  }
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0]["healthy"], false);
  EXPECT_EQ(changes[1]["healthy"], true);
  EXPECT_EQ(changes[1]["network_account_id"], "fb-1001");
}

TEST_F(HubFlowTest, TheOpenApiDocumentDescribesExactlyTheRoutesServed) {
  auto doc = hubCall("GET", "/api/v1/openapi.json", nullptr, "");
  ASSERT_EQ(doc.status, 200);
  std::set<std::string> documented;
  for (const auto& [path, methods] : doc.body["paths"].items()) {
    for (const auto& [method, op] : methods.items()) documented.insert(toLower(method) + " " + path);
  }
  std::set<std::string> served;
  for (const auto& route : hub_->parts().api->router().routes()) {
    if (route.pattern.starts_with("/connect")) continue;  // pages for people, not the API
    served.insert(toLower(route.method) + " " + route.pattern);
  }
  // The proxy serves every path under /proxy/v3 (one handler for a prefix, not a route).
  for (const char* method : {"get", "post", "put", "patch", "delete"}) {
    served.insert(std::string(method) + " /proxy/v3/{path}");
  }
  EXPECT_EQ(documented, served);
}

TEST_F(HubFlowTest, MetricsCountConnectionsAndCcCallsWithoutSecrets) {
  connectByDevice("user-1");
  auto metrics = hubCall("GET", "/metrics", nullptr, "");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.raw.body.find("liaison_connections{status=\"active\"} 1"), std::string::npos)
      << metrics.raw.body;
  EXPECT_NE(metrics.raw.body.find("liaison_cc_calls_total{operation=\"oauth.device_token\""),
            std::string::npos);
  EXPECT_EQ(metrics.raw.body.find(client_secret_), std::string::npos);
  EXPECT_EQ(metrics.raw.body.find(api_key_), std::string::npos);
}

}  // namespace
}  // namespace liaison::testing
