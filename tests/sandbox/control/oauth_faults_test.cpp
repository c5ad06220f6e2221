// Fault rules on the authorization server's endpoints (oauth.token, oauth.device_authorize,
// oauth.revoke, oauth.keys): status, latency, reset and drop-after-commit, in RFC 6749's error
// format.
#include "sandbox/sandbox_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

bool oauthDropped(const http::Response& response) {
  return response.abort_connection || response.status == 599;
}

class OAuthFaultsTest : public SandboxTest {
 protected:
  void fault(const std::string& operation, const json& action, const json& extra = json::object()) {
    json rule = {{"operation", operation}, {"count", 1}, {"action", action}};
    rule.update(extra);
    auto added = client_.postJson("/__sandbox/faults", rule);
    ASSERT_EQ(added.status, 201) << added.body;
  }
  // One call of each operation, with what it answers when nothing interferes.
  http::Response call(const std::string& operation) {
    if (operation == "oauth.token") {
      return client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"},
                                                    {"client_id", "sandbox-public"},
                                                    {"refresh_token", "not-a-token"}}));
    }
    if (operation == "oauth.device_authorize") {
      return client_.postForm("/oauth2/default/v1/device/authorize",
                              formBody({{"client_id", "sandbox-public"}, {"scope", "account_read"}}));
    }
    if (operation == "oauth.revoke") {
      return client_.postForm("/oauth2/default/v1/revoke",
                              formBody({{"client_id", "sandbox-public"}, {"token", "x"}}));
    }
    return client_.get("/oauth2/default/v1/keys");
  }
  static int normalStatus(const std::string& operation) { return operation == "oauth.token" ? 400 : 200; }
  // The stored documents of one kind (hashes only), via a snapshot export.
  json documents(const std::string& kind) {
    EXPECT_EQ(client_.postJson("/__sandbox/snapshots", {{"name", "probe"}}).status, 201);
    json out = json::array();
    const json exported = jsonOf(client_.get("/__sandbox/snapshots/probe"));
    for (const auto& doc : exported["documents"]) {
      if (doc["kind"] == kind) out.push_back(doc);
    }
    return out;
  }
  const std::vector<std::string> operations_ = {"oauth.token", "oauth.device_authorize", "oauth.revoke",
                                                "oauth.keys"};
};

TEST_F(OAuthFaultsTest, StatusRulesAnswerInOAuthFormatOnce) {
  for (const auto& operation : operations_) {
    fault(operation, {{"type", "status"}, {"status", 503}});
    auto failed = call(operation);
    EXPECT_EQ(failed.status, 503) << operation;
    EXPECT_EQ(jsonOf(failed)["error"], "temporarily_unavailable") << operation;
    EXPECT_TRUE(jsonOf(failed).contains("error_description"));
    EXPECT_EQ(call(operation).status, normalStatus(operation)) << operation;
  }
  fault("oauth.token", {{"type", "status"}, {"status", 400}, {"error_key", "invalid_grant"}});
  auto named = call("oauth.token");
  EXPECT_EQ(named.status, 400);
  EXPECT_EQ(jsonOf(named)["error"], "invalid_grant");
}

TEST_F(OAuthFaultsTest, LatencyRulesDelayButAnswerNormally) {
  // Whether the delay happened is not timed (no timing decides a test): the rule is used up by
  // exactly the one call it matched, and that call answers as it would without the rule.
  for (const auto& operation : operations_) {
    fault(operation, {{"type", "latency"}, {"ms", 1}});
    EXPECT_EQ(call(operation).status, normalStatus(operation)) << operation;
    const json rules = jsonOf(client_.get("/__sandbox/faults"));
    ASSERT_FALSE(rules.empty());
    EXPECT_EQ(rules.back()["remaining"], 0) << operation << " " << rules.dump();
  }
}

TEST_F(OAuthFaultsTest, ResetClosesTheConnectionWithoutDoingAnything) {
  for (const auto& operation : operations_) {
    fault(operation, {{"type", "reset"}});
    EXPECT_TRUE(oauthDropped(call(operation))) << operation;
    EXPECT_EQ(call(operation).status, normalStatus(operation)) << operation;
  }
  const size_t devices = documents("device").size();
  fault("oauth.device_authorize", {{"type", "reset"}});
  EXPECT_TRUE(oauthDropped(call("oauth.device_authorize")));
  EXPECT_EQ(documents("device").size(), devices);
}

TEST_F(OAuthFaultsTest, DropAfterCommitRotatesTheRefreshTokenButLosesTheAnswer) {
  const json tokens = jsonOf(redeemPublic(publicCode()));
  ASSERT_TRUE(tokens.contains("refresh_token"));
  ASSERT_EQ(documents("refresh").size(), 1u);
  fault("oauth.token", {{"type", "drop_after_commit"}});
  EXPECT_TRUE(oauthDropped(refreshPublic(tokens["refresh_token"])));
  // CC rotated: the presented token is spent and its successor exists, though nobody received it.
  const json refresh = documents("refresh");
  ASSERT_EQ(refresh.size(), 2u);
  std::map<int, int> state_by_generation;
  for (const auto& doc : refresh) {
    const json& record = doc["value"];
    state_by_generation[record["generation"]] = record["state"];
  }
  EXPECT_EQ(state_by_generation[1], 1);  // Rotated
  EXPECT_EQ(state_by_generation[2], 0);  // Active
  auto retry = refreshPublic(tokens["refresh_token"]);
  EXPECT_EQ(retry.status, 400);
  EXPECT_EQ(jsonOf(retry)["error"], "invalid_grant");
}

TEST_F(OAuthFaultsTest, DropAfterCommitOnTheOtherEndpointsKeepsTheirEffect) {
  const size_t devices = documents("device").size();
  fault("oauth.device_authorize", {{"type", "drop_after_commit"}});
  EXPECT_TRUE(oauthDropped(call("oauth.device_authorize")));
  EXPECT_EQ(documents("device").size(), devices + 1);

  const json tokens = jsonOf(redeemPublic(publicCode()));
  ASSERT_EQ(client_.get("/v3/account/summary", tokens["access_token"]).status, 200);
  fault("oauth.revoke", {{"type", "drop_after_commit"}});
  EXPECT_TRUE(oauthDropped(
      client_.postForm("/oauth2/default/v1/revoke",
                       formBody({{"client_id", "sandbox-public"}, {"token", tokens["access_token"]}}))));
  EXPECT_EQ(client_.get("/v3/account/summary", tokens["access_token"]).status, 401);

  fault("oauth.keys", {{"type", "drop_after_commit"}});
  EXPECT_TRUE(oauthDropped(call("oauth.keys")));
  EXPECT_FALSE(jsonOf(call("oauth.keys"))["keys"].empty());
}

TEST_F(OAuthFaultsTest, RulesMatchTheirClientAndOnlyNamedOAuthOperations) {
  fault("oauth.token", {{"type", "status"}, {"status", 500}}, {{"client_id", "sandbox-client"}});
  EXPECT_EQ(call("oauth.token").status, 400);  // sandbox-public: untouched
  auto confidential =
      client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"refresh_token", "x"}}),
                       {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}});
  EXPECT_EQ(confidential.status, 500);
  EXPECT_EQ(jsonOf(confidential)["error"], "server_error");
  client_.send("DELETE", "/__sandbox/faults");
  // A rule without an operation is for /v3 calls only.
  ASSERT_EQ(client_.postJson("/__sandbox/faults", {{"action", {{"type", "status"}, {"status", 503}}}}).status,
            201);
  for (const auto& operation : operations_)
    EXPECT_EQ(call(operation).status, normalStatus(operation)) << operation;
  EXPECT_EQ(
      client_
          .postJson("/__sandbox/faults", {{"operation", "oauth.authorize"}, {"action", {{"type", "reset"}}}})
          .status,
      400);
}

}  // namespace
}  // namespace liaison::testing
