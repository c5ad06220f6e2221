// Access changed inside CC behind the app's back: a user removes the app, a user's role or
// active state changes, the app's secret is regenerated. Each shows on the app's next call.
#include <filesystem>

#include "sandbox/sandbox_fixture.h"
#include "storage/document_store.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

class AccessControlTest : public SandboxTest {
 protected:
  http::Response refreshConfidential(const std::string& refresh_token,
                                     const std::string& secret = "sandbox-secret") {
    return client_.postForm(kTokenPath,
                            formBody({{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}}),
                            {{"Authorization", basicAuth("sandbox-client", secret)}});
  }
  json tokensFor(const std::string& email,
                 const std::string& scope = "account_read contact_data offline_access") {
    client_.forgetCookies();
    auto tokens = redeemConfidential(confidentialCode(scope, email));
    EXPECT_EQ(tokens.status, 200) << tokens.body;
    return jsonOf(tokens);
  }
};

TEST_F(AccessControlTest, RevokingEndsEveryGrantOfThatUserForThatClient) {
  const json first = tokensFor("owner@sandbox.test");
  const json second = tokensFor("owner@sandbox.test");
  const json other_user = tokensFor("creator@sandbox.test");
  // The same user's grant to another app is not touched.
  const json other_app = jsonOf(redeemPublic(publicCode()));
  const std::string pending_code = confidentialCode();  // consent given, not yet redeemed

  auto revoked = client_.postJson("/__sandbox/grants/revoke",
                                  {{"client_id", "sandbox-client"}, {"email", "Owner@Sandbox.test"}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(jsonOf(revoked)["revoked_grants"], 2);

  for (const json& tokens : {first, second}) {
    auto refreshed = refreshConfidential(tokens["refresh_token"]);
    EXPECT_EQ(refreshed.status, 400);
    EXPECT_EQ(jsonOf(refreshed)["error"], "invalid_grant");
    auto call = client_.get("/v3/account/summary", tokens["access_token"]);
    EXPECT_EQ(call.status, 401);
    EXPECT_EQ(jsonOf(call)["error_key"], "unauthorized");
  }
  EXPECT_EQ(jsonOf(redeemConfidential(pending_code))["error"], "invalid_grant");
  EXPECT_EQ(client_.get("/v3/account/summary", other_user["access_token"]).status, 200);
  EXPECT_EQ(client_.get("/v3/account/summary", other_app["access_token"]).status, 200);
  EXPECT_EQ(refreshConfidential(other_user["refresh_token"]).status, 200);
  // Consenting again starts a new grant that works.
  const json fresh = tokensFor("owner@sandbox.test");
  EXPECT_EQ(client_.get("/v3/account/summary", fresh["access_token"]).status, 200);
}

TEST_F(AccessControlTest, RevokeNamesAnExistingAppAndUser) {
  EXPECT_EQ(
      client_.postJson("/__sandbox/grants/revoke", {{"client_id", "nope"}, {"email", "owner@sandbox.test"}})
          .status,
      404);
  EXPECT_EQ(
      client_.postJson("/__sandbox/grants/revoke", {{"client_id", "sandbox-client"}, {"email", "x@y.test"}})
          .status,
      404);
  auto missing = client_.postJson("/__sandbox/grants/revoke", {{"client_id", "sandbox-client"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(jsonOf(missing)[0]["error_key"], "sandbox.validation.error");
}

TEST_F(AccessControlTest, RoleChangeChangesPrivileges) {
  const json tokens = tokensFor("creator@sandbox.test");
  auto names = [&] {
    std::set<std::string> out;
    for (const auto& p : jsonOf(client_.get("/v3/account/user/privileges", tokens["access_token"]))) {
      out.insert(p["privilege_name"].get<std::string>());
    }
    return out;
  };
  const auto before = names();
  EXPECT_FALSE(before.count("contacts:write"));
  EXPECT_EQ(client_.get("/v3/contacts", tokens["access_token"]).status, 403);

  auto changed =
      client_.send("PUT", "/__sandbox/users/creator%40sandbox.test", json{{"role", "Account Manager"}}.dump(),
                   {{"Content-Type", "application/json"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(jsonOf(changed)["role"], "Account Manager");
  const auto after = names();
  EXPECT_TRUE(after.count("contacts:write"));
  EXPECT_GT(after.size(), before.size());
  EXPECT_EQ(client_.get("/v3/contacts", tokens["access_token"]).status,
            200);  // the same token, new privileges

  auto bad = client_.send("PUT", "/__sandbox/users/creator@sandbox.test", json{{"role", "King"}}.dump(),
                          {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(client_
                .send("PUT", "/__sandbox/users/nobody@sandbox.test", json{{"active", false}}.dump(),
                      {{"Content-Type", "application/json"}})
                .status,
            404);
}

TEST_F(AccessControlTest, DeactivatedUserIsLockedOutUntilReactivated) {
  const json tokens = tokensFor("owner@sandbox.test", "account_read campaign_data offline_access");
  const std::string code = confidentialCode();
  auto connections = [&] {
    return jsonOf(client_.get("/v3/social/connections", tokens["access_token"]))["connections"];
  };
  auto put = [&](bool active) {
    return client_.send("PUT", "/__sandbox/users/owner@sandbox.test", json{{"active", active}}.dump(),
                        {{"Content-Type", "application/json"}});
  };
  ASSERT_EQ(connections()[0]["connection_status"]["is_active_user"], true);

  auto off = put(false);
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(jsonOf(off)["active"], false);
  EXPECT_EQ(client_.get("/v3/account/summary", tokens["access_token"]).status, 401);
  EXPECT_EQ(jsonOf(refreshConfidential(tokens["refresh_token"]))["error"], "invalid_grant");
  EXPECT_EQ(jsonOf(redeemConfidential(code))["error"], "invalid_grant");
  // Logging in is refused with the reason, not as a wrong password.
  client_.forgetCookies();
  auto start = client_.get("/oauth2/default/v1/authorize?" + formBody({{"client_id", "sandbox-client"},
                                                                       {"redirect_uri", kRedirect},
                                                                       {"response_type", "code"},
                                                                       {"scope", "account_read"}}));
  auto login = client_.loginAndDecide(start, "owner@sandbox.test", "sandbox", "allow");
  EXPECT_EQ(login.status, 403);
  EXPECT_NE(login.body.find("deactivated"), std::string::npos);

  // The social links the owner connected show it (read with another user's token).
  const json creator = tokensFor("creator@sandbox.test", "campaign_data");
  auto links = jsonOf(client_.get("/v3/social/connections", creator["access_token"]))["connections"];
  ASSERT_EQ(links.size(), 2u);
  for (const auto& link : links) {
    EXPECT_EQ(link["connection_status"]["is_active_user"], false);
    EXPECT_FALSE(link.contains("connected_by"));
  }

  ASSERT_EQ(put(true).status, 200);
  EXPECT_EQ(client_.get("/v3/account/summary", tokens["access_token"]).status, 200);
  EXPECT_EQ(refreshConfidential(tokens["refresh_token"]).status, 200);
  EXPECT_EQ(connections()[0]["connection_status"]["is_active_user"], true);
}

TEST_F(AccessControlTest, RegeneratedSecretIsShownOnceAndReplacesTheOld) {
  const json tokens = tokensFor("owner@sandbox.test");
  auto regenerated = client_.postJson("/__sandbox/apps/sandbox-client/secret", json::object());
  ASSERT_EQ(regenerated.status, 200) << regenerated.body;
  EXPECT_EQ(regenerated.headers.get("Cache-Control").value_or(""), "no-store");
  const std::string secret = jsonOf(regenerated)["client_secret"];
  EXPECT_GE(secret.size(), 43u);

  auto old = refreshConfidential(tokens["refresh_token"], "sandbox-secret");
  EXPECT_EQ(old.status, 401);
  EXPECT_EQ(jsonOf(old)["error"], "invalid_client");
  auto renewed = refreshConfidential(tokens["refresh_token"], secret);
  ASSERT_EQ(renewed.status, 200) << renewed.body;
  // Tokens issued under the old secret keep working, as at CC.
  EXPECT_EQ(client_.get("/v3/account/summary", tokens["access_token"]).status, 200);
  // Nothing answers the secret again.
  EXPECT_EQ(client_.get("/__sandbox/apps").body.find(secret), std::string::npos);
  EXPECT_EQ(client_.get("/__sandbox/snapshots").body.find(secret), std::string::npos);
  EXPECT_EQ(client_.postJson("/__sandbox/snapshots", {{"name", "s"}}).status, 201);
  EXPECT_EQ(client_.get("/__sandbox/snapshots/s").body.find(secret), std::string::npos);
  // A public app has no secret; an unknown app is a 404.
  EXPECT_EQ(client_.postJson("/__sandbox/apps/sandbox-public/secret", json::object()).status, 400);
  EXPECT_EQ(client_.postJson("/__sandbox/apps/nope/secret", json::object()).status, 404);
}

TEST(AccessControlPersistence, ChangesSurviveARestart) {
  const auto dir = std::filesystem::temp_directory_path() / ("liaison-access-" + CryptoRandom().token(8));
  std::filesystem::create_directories(dir);
  ManualClock clock(fromUnixSeconds(1'800'000'000));
  CryptoRandom random;
  auto open = [&](std::unique_ptr<storage::DocumentStore>& store) {
    store = storage::openSqliteDocumentStore((dir / "sandbox.sqlite3").string());
    sandbox::SandboxOptions options;
    options.profile = sandbox::Profile::Fast;
    options.seed = sandbox::SeedKind::Bare;
    options.auth.password_hash_iterations = 1000;
    return std::make_unique<sandbox::Sandbox>(options, clock, random, store.get());
  };
  std::unique_ptr<storage::DocumentStore> store;
  auto first = open(store);
  SandboxClient client([&](http::Request& r) { return first->handle(r); });
  auto location = client.authorize(formBody({{"client_id", "sandbox-client"},
                                             {"redirect_uri", kRedirect},
                                             {"response_type", "code"},
                                             {"scope", "account_read offline_access"}}));
  auto tokens = jsonOf(client.postForm(kTokenPath,
                                       formBody({{"grant_type", "authorization_code"},
                                                 {"code", redirectParams(location).getOr("code")},
                                                 {"redirect_uri", kRedirect}}),
                                       {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}}));
  ASSERT_EQ(client
                .postJson("/__sandbox/grants/revoke",
                          {{"client_id", "sandbox-client"}, {"email", "owner@sandbox.test"}})
                .status,
            200);
  const std::string secret =
      jsonOf(client.postJson("/__sandbox/apps/sandbox-client/secret", json::object()))["client_secret"];
  ASSERT_EQ(client
                .send("PUT", "/__sandbox/users/creator@sandbox.test",
                      json{{"active", false}, {"role", "Account Manager"}}.dump(),
                      {{"Content-Type", "application/json"}})
                .status,
            200);
  first.reset();
  store.reset();

  auto second = open(store);
  SandboxClient again([&](http::Request& r) { return second->handle(r); });
  EXPECT_EQ(again.get("/v3/account/summary", tokens["access_token"]).status, 401);
  auto refresh = [&](const std::string& with) {
    return again.postForm(
        kTokenPath, formBody({{"grant_type", "refresh_token"}, {"refresh_token", tokens["refresh_token"]}}),
        {{"Authorization", basicAuth("sandbox-client", with)}});
  };
  EXPECT_EQ(jsonOf(refresh("sandbox-secret"))["error"], "invalid_client");
  EXPECT_EQ(jsonOf(refresh(secret))["error"], "invalid_grant");
  auto start = again.get("/oauth2/default/v1/authorize?" + formBody({{"client_id", "sandbox-client"},
                                                                     {"redirect_uri", kRedirect},
                                                                     {"response_type", "code"},
                                                                     {"scope", "account_read"}}));
  EXPECT_EQ(again.loginAndDecide(start, "creator@sandbox.test", "sandbox", "allow").status, 403);
  second.reset();
  store.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace liaison::testing
