// Refresh tokens (rotation, reuse detection, long-lived, idle expiry, scope: T5, T6), revocation
// and client authentication (T7), and the strict profile's token-endpoint rate limit.
#include "sandbox/sandbox_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

TEST_F(SandboxTest, T5RotationIssuesANewTokenAndReplayRevokesTheFamily) {
  auto first = jsonOf(redeemPublic(publicCode()));
  std::string current = first["refresh_token"];
  std::vector<std::string> history = {current};
  std::string access;
  for (int i = 0; i < 5; ++i) {
    auto next = refreshPublic(current);
    ASSERT_EQ(next.status, 200) << next.body;
    current = jsonOf(next)["refresh_token"];
    access = jsonOf(next)["access_token"];
    EXPECT_EQ(std::find(history.begin(), history.end(), current), history.end());
    history.push_back(current);
  }
  EXPECT_EQ(client_.get("/v3/account/summary", access).status, 200);
  // Generation n-2 comes back: the whole family dies, including the newest tokens.
  auto replay = refreshPublic(history[history.size() - 3]);
  EXPECT_EQ(jsonOf(replay)["error"], "invalid_grant");
  EXPECT_EQ(jsonOf(refreshPublic(current))["error"], "invalid_grant");
  EXPECT_EQ(client_.get("/v3/account/summary", access).status, 401);
}

TEST_F(SandboxTest, T5ImmediateReplayOfPreviousGenerationAlsoRevokes) {
  std::string first = jsonOf(redeemPublic(publicCode()))["refresh_token"];
  std::string second = jsonOf(refreshPublic(first))["refresh_token"];
  EXPECT_EQ(jsonOf(refreshPublic(first))["error"], "invalid_grant");
  EXPECT_EQ(jsonOf(refreshPublic(second))["error"], "invalid_grant");
}

TEST_F(SandboxTest, T5RefreshTokenDiesAfter180DaysUnused) {
  std::string token = jsonOf(redeemPublic(publicCode()))["refresh_token"];
  advance(179 * 86400);
  auto used = refreshPublic(token);
  ASSERT_EQ(used.status, 200);  // used within 180 days: the idle clock restarts
  token = jsonOf(used)["refresh_token"];
  advance(179 * 86400);
  used = refreshPublic(token);
  ASSERT_EQ(used.status, 200);
  token = jsonOf(used)["refresh_token"];
  advance(180 * 86400);
  EXPECT_EQ(jsonOf(refreshPublic(token))["error"], "invalid_grant");
}

TEST_F(SandboxTest, LongLivedAppGetsTheSameRefreshTokenBack) {
  auto app = client_.postJson("/__sandbox/apps", {{"client_id", "cli-app"}, {"confidential", false},
                                                  {"redirect_uris", {"http://127.0.0.1/callback"}},
                                                  {"flows", {"pkce"}}, {"refresh_token_type", "long_lived"}});
  ASSERT_EQ(app.status, 201) << app.body;
  auto location = client_.authorize(formBody({{"client_id", "cli-app"}, {"redirect_uri", kRedirect},
                                              {"response_type", "code"}, {"scope", "account_read offline_access"},
                                              {"code_challenge", oauth::s256Challenge(kVerifier)},
                                              {"code_challenge_method", "S256"}}));
  auto tokens = client_.postForm(kTokenPath, formBody({{"grant_type", "authorization_code"}, {"client_id", "cli-app"},
                                                       {"code", redirectParams(location).getOr("code")},
                                                       {"redirect_uri", kRedirect}, {"code_verifier", kVerifier}}));
  const std::string refresh = jsonOf(tokens)["refresh_token"];
  for (int i = 0; i < 3; ++i) {
    auto next = client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"client_id", "cli-app"},
                                                       {"refresh_token", refresh}}));
    ASSERT_EQ(next.status, 200) << next.body;
    EXPECT_EQ(jsonOf(next)["refresh_token"], refresh);
  }
  advance(181 * 86400);
  auto expired = client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"client_id", "cli-app"},
                                                        {"refresh_token", refresh}}));
  EXPECT_EQ(jsonOf(expired)["error"], "invalid_grant");
}

TEST_F(SandboxTest, T6RefreshCannotWidenScopeButMayNarrowIt) {
  std::string refresh = jsonOf(redeemPublic(publicCode("account_read offline_access")))["refresh_token"];
  auto wider = refreshPublic(refresh, "account_read contact_data offline_access");
  EXPECT_EQ(wider.status, 400);
  EXPECT_EQ(jsonOf(wider)["error"], "invalid_scope");
  auto narrower = refreshPublic(refresh, "account_read");
  ASSERT_EQ(narrower.status, 200) << narrower.body;
  EXPECT_EQ(jsonOf(narrower)["scope"], "account_read");
}

TEST_F(SandboxTest, T6AnotherClientsRefreshTokenIsRefused) {
  std::string refresh = jsonOf(redeemConfidential(confidentialCode()))["refresh_token"];
  auto stolen = refreshPublic(refresh);
  EXPECT_EQ(jsonOf(stolen)["error"], "invalid_grant");
}

TEST_F(SandboxTest, T7RevocationMatrix) {
  auto tokens = jsonOf(redeemConfidential(confidentialCode()));
  const std::string refresh = tokens["refresh_token"];
  const std::string access = tokens["access_token"];
  const auto basic = basicAuth("sandbox-client", "sandbox-secret");
  const std::string revoke = "/oauth2/default/v1/revoke";
  // Unknown token: 200, as RFC 7009 §2.2 asks.
  EXPECT_EQ(client_.postForm(revoke, formBody({{"token", "not-a-token"}}), {{"Authorization", basic}}).status, 200);
  // Another client's token: refused, and the token stays valid.
  auto foreign = client_.postForm(revoke, formBody({{"token", refresh}, {"client_id", "sandbox-public"}}));
  EXPECT_EQ(foreign.status, 400);
  EXPECT_EQ(client_.get("/v3/account/summary", access).status, 200);
  // Bad client secret: 401 invalid_client with a Basic challenge.
  auto bad = client_.postForm(revoke, formBody({{"token", refresh}}),
                              {{"Authorization", basicAuth("sandbox-client", "wrong-secret")}});
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(jsonOf(bad)["error"], "invalid_client");
  EXPECT_TRUE(bad.headers.get("WWW-Authenticate"));
  // Wrong hint still finds the token; the grant's access token stops working at once.
  auto ok = client_.postForm(revoke, formBody({{"token", refresh}, {"token_type_hint", "access_token"}}),
                             {{"Authorization", basic}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(client_.get("/v3/account/summary", access).status, 401);
  auto refreshed = client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}),
                                    {{"Authorization", basic}});
  EXPECT_EQ(jsonOf(refreshed)["error"], "invalid_grant");
}

TEST_F(SandboxTest, T7RevokingAnAccessTokenStopsItImmediately) {
  auto tokens = jsonOf(redeemConfidential(confidentialCode()));
  const std::string access = tokens["access_token"];
  ASSERT_EQ(client_.get("/v3/account/summary", access).status, 200);  // now in the verification cache
  auto ok = client_.postForm("/oauth2/default/v1/revoke", formBody({{"token", access}}),
                             {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(client_.get("/v3/account/summary", access).status, 401);
}

TEST_F(SandboxTest, T7ClientAuthenticationIsThrottledAfterTenFailuresAMinute) {
  const auto wrong = basicAuth("sandbox-client", "guess");
  int allowed = 0;
  for (int i = 0; i < 1000; ++i) {
    auto response = client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"refresh_token", "x"}}),
                                     {{"Authorization", wrong}});
    if (response.status == 401) ++allowed;
    else EXPECT_EQ(response.status, 429);
  }
  EXPECT_EQ(allowed, 10);
  RecordProperty("client_auth_attempts_per_minute", allowed);
  // Even the right secret waits out the window, so guessing cannot be confirmed early.
  auto right = client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"refresh_token", "x"}}),
                                {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}});
  EXPECT_EQ(right.status, 429);
  advance(60);
  right = client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"refresh_token", "x"}}),
                           {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}});
  EXPECT_EQ(jsonOf(right)["error"], "invalid_grant");
}

TEST_F(SandboxTest, TokenEndpointRejectsMalformedRequests) {
  const auto basic = basicAuth("sandbox-client", "sandbox-secret");
  auto repeated = client_.postForm(kTokenPath, "grant_type=refresh_token&grant_type=authorization_code",
                                   {{"Authorization", basic}});
  EXPECT_EQ(jsonOf(repeated)["error"], "invalid_request");
  auto json_body = client_.send("POST", kTokenPath, "{\"grant_type\":\"refresh_token\"}",
                                {{"Content-Type", "application/json"}, {"Authorization", basic}});
  EXPECT_EQ(jsonOf(json_body)["error"], "invalid_request");
  auto unknown = client_.postForm(kTokenPath, formBody({{"grant_type", "password"}}), {{"Authorization", basic}});
  EXPECT_EQ(jsonOf(unknown)["error"], "unsupported_grant_type");
  auto no_auth = client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"refresh_token", "x"},
                                                        {"client_id", "sandbox-client"}}));
  EXPECT_EQ(no_auth.status, 401);
  auto bad_encoding = client_.postForm(kTokenPath, "grant_type=%zz", {{"Authorization", basic}});
  EXPECT_EQ(bad_encoding.status, 400);
  auto get = client_.get(kTokenPath);
  EXPECT_EQ(get.status, 405);
}

TEST_F(StrictSandboxTest, TokenEndpointAllowsOneRequestPerSecondPerClient) {
  const auto basic = basicAuth("sandbox-client", "sandbox-secret");
  auto call = [&] {
    return client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"refresh_token", "x"}}),
                            {{"Authorization", basic}});
  };
  EXPECT_EQ(call().status, 400);
  auto limited = call();
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers.get("Retry-After"), "1");
  advance(1);
  EXPECT_EQ(call().status, 400);
}

}  // namespace
}  // namespace liaison::testing
