// Authorization code flow, with and without PKCE: redirect-URI exactness (T1), code replay (T2),
// code lifetime (T3), the PKCE matrix (T4) and client binding (T6).
#include "sandbox/sandbox_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

TEST_F(SandboxTest, ConfidentialClientGetsTokensWithBasicAuth) {
  const auto code = confidentialCode();
  ASSERT_FALSE(code.empty());
  auto response = redeemConfidential(code);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.headers.get("Cache-Control"), "no-store");
  auto body = jsonOf(response);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 86400);
  EXPECT_EQ(body["scope"], "account_read contact_data offline_access");
  EXPECT_TRUE(body.contains("refresh_token"));
  auto summary = client_.get("/v3/account/summary", body["access_token"]);
  EXPECT_EQ(summary.status, 200) << summary.body;
  EXPECT_EQ(jsonOf(summary)["organization_name"], "Sandbox Bakery");
}

TEST_F(SandboxTest, StateIsPassedThroughAndConsentNamesAppAndScopes) {
  auto location = client_.authorize(formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                              {"response_type", "code"}, {"scope", "contact_data"},
                                              {"state", "xyz 123"}}));
  EXPECT_EQ(location.rfind(std::string(kRedirect) + "?", 0), 0u) << location;
  EXPECT_EQ(redirectParams(location).getOr("state"), "xyz 123");
  const auto& html = client_.lastConsentHtml();
  EXPECT_NE(html.find("Sandbox Confidential App"), std::string::npos);
  EXPECT_NE(html.find("contact_data"), std::string::npos);
  EXPECT_NE(html.find("Allow Access"), std::string::npos);
  EXPECT_NE(html.find(">Deny<"), std::string::npos);
}

TEST_F(SandboxTest, WithoutOfflineAccessThereIsNoRefreshToken) {
  auto response = redeemConfidential(confidentialCode("account_read"));
  ASSERT_EQ(response.status, 200) << response.body;  // an error body has no refresh_token either
  auto body = jsonOf(response);
  EXPECT_TRUE(body.contains("access_token"));
  EXPECT_FALSE(body.contains("refresh_token"));
}

TEST_F(SandboxTest, DenialRedirectsWithAccessDenied) {
  auto location = client_.authorize(formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                              {"response_type", "code"}, {"scope", "account_read"},
                                              {"state", "st"}}),
                                    "owner@sandbox.test", "deny");
  auto params = redirectParams(location);
  EXPECT_EQ(params.getOr("error"), "access_denied");
  EXPECT_EQ(params.getOr("state"), "st");
  EXPECT_FALSE(params.has("code"));
}

TEST_F(SandboxTest, WrongPasswordShowsLoginAgain) {
  auto start = client_.get("/oauth2/default/v1/authorize?" +
                           formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                     {"response_type", "code"}, {"scope", "account_read"}}));
  auto response = client_.loginAndDecide(start, "owner@sandbox.test", "wrong", "allow");
  EXPECT_EQ(response.status, 401);
  EXPECT_NE(response.body.find("incorrect"), std::string::npos);
}

TEST_F(SandboxTest, LoginFormFromAnotherBrowserIsRefused) {
  auto start = client_.get("/oauth2/default/v1/authorize?" +
                           formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                     {"response_type", "code"}, {"scope", "account_read"}}));
  auto page = client_.get(start.headers.get("Location").value_or(""));
  client_.forgetCookies();  // a cross-site attacker cannot send the victim's cookie
  auto response = client_.postForm("/oauth2/default/v1/login",
                                   formBody({{"interaction", hiddenField(page.body, "interaction")},
                                             {"csrf", hiddenField(page.body, "csrf")},
                                             {"email", "owner@sandbox.test"}, {"password", "sandbox"}}));
  EXPECT_EQ(response.status, 400);
  EXPECT_FALSE(response.headers.get("Location"));
}

TEST_F(SandboxTest, InteractivePagesCannotBeFramed) {
  auto start = client_.get("/oauth2/default/v1/authorize?" +
                           formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                     {"response_type", "code"}, {"scope", "account_read"}}));
  auto page = client_.get(start.headers.get("Location").value_or(""));
  EXPECT_EQ(page.headers.get("X-Frame-Options"), "DENY");
  EXPECT_NE(page.headers.get("Content-Security-Policy").value_or("").find("frame-ancestors 'none'"),
            std::string::npos);
}

// --- T1: redirect-URI exactness ---

std::vector<std::string> redirectMutants() {
  const std::vector<std::string> bases = {"http://127.0.0.1/callback", "http://localhost/callback"};
  std::vector<std::string> out;
  for (const auto& base : bases) {
    const std::string host = base.substr(7, base.find('/', 7) - 7);
    for (const std::string suffix : {"/", "x", "/x", "%2F", "?", "?a=1", "#", "#f", ".", "%20", "/.", "/..",
                                      "//", ";x", "&x=1", "?redirect=http://evil.test", "%00", "\\"}) {
      out.push_back(base + suffix);
    }
    out.push_back("https://" + base.substr(7));
    out.push_back("HTTP://" + base.substr(7));
    out.push_back("http://" + host + "/Callback");
    out.push_back("http://" + host + "/CALLBACK");
    out.push_back("http://" + host + "/callbac");
    out.push_back("http://" + host + "/%63allback");
    out.push_back("http://evil.test@" + host + "/callback");
    out.push_back("http://" + host + "@evil.test/callback");
    out.push_back("http://" + host + ".evil.test/callback");
    out.push_back("http://" + host + ":80@evil.test/callback");
    out.push_back("http://" + host + ":/callback");
    out.push_back("http://" + host + ":abc/callback");
    out.push_back("http://" + host + ":99999/callback");
    out.push_back("http://" + host + ":-1/callback");
    out.push_back("http://" + host + "/callback/../callback");
    out.push_back("//" + host + "/callback");
    out.push_back(host + "/callback");
    for (int i = 0; i < 60; ++i) out.push_back(base + "/" + std::to_string(i));
    for (int i = 0; i < 60; ++i) out.push_back(base + "?n=" + std::to_string(i));
  }
  for (const std::string other : {"http://evil.test/callback", "http://127.0.0.2/callback", "http://0.0.0.0/callback",
                                   "http://[::2]/callback", "http://127.0.0.1.nip.io/callback", "http://localhost.evil/callback",
                                   "javascript:alert(1)", "data:text/html,x", "", " "}) {
    out.push_back(other);
  }
  return out;
}

TEST_F(SandboxTest, T1EveryRedirectUriMutantIsRefusedWithoutRedirect) {
  const auto mutants = redirectMutants();
  ASSERT_GE(mutants.size(), 200u);
  size_t refused = 0;
  for (const auto& uri : mutants) {
    auto response = client_.get("/oauth2/default/v1/authorize?" +
                                formBody({{"client_id", "sandbox-client"}, {"redirect_uri", uri},
                                          {"response_type", "code"}, {"scope", "account_read"}}));
    const bool stray_redirect = response.headers.get("Location").has_value();
    EXPECT_FALSE(stray_redirect) << uri;
    if (response.status == 400 && !stray_redirect) ++refused;
  }
  EXPECT_EQ(refused, mutants.size());
  RecordProperty("redirect_mutants_refused", std::to_string(refused) + "/" + std::to_string(mutants.size()));
}

TEST_F(SandboxTest, T1UnknownClientGetsErrorPageNotRedirect) {
  auto response = client_.get("/oauth2/default/v1/authorize?" +
                              formBody({{"client_id", "nobody"}, {"redirect_uri", kRedirect},
                                        {"response_type", "code"}, {"scope", "account_read"}}));
  EXPECT_EQ(response.status, 400);
  EXPECT_FALSE(response.headers.get("Location"));
}

TEST_F(SandboxTest, T1TokenRequestWithAnotherRedirectUriFails) {
  const auto code = confidentialCode();
  auto response = redeemConfidential(code, "http://127.0.0.1:53117/callback/");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(jsonOf(response)["error"], "invalid_grant");
}

TEST_F(SandboxTest, AuthorizeErrorsAfterRedirectValidationGoBackToClient) {
  auto response = client_.get("/oauth2/default/v1/authorize?" +
                              formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                        {"response_type", "code"}, {"scope", "everything"}, {"state", "k"}}));
  ASSERT_EQ(response.status, 303);
  auto params = redirectParams(response.headers.get("Location").value_or(""));
  EXPECT_EQ(params.getOr("error"), "invalid_scope");
  EXPECT_EQ(params.getOr("state"), "k");
  auto bad_type = client_.get("/oauth2/default/v1/authorize?" +
                              formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                        {"response_type", "id_token"}, {"scope", "account_read"}}));
  EXPECT_EQ(redirectParams(bad_type.headers.get("Location").value_or("")).getOr("error"), "unsupported_response_type");
  auto repeated = client_.get("/oauth2/default/v1/authorize?client_id=sandbox-client&client_id=x&scope=account_read");
  EXPECT_EQ(repeated.status, 400);
  EXPECT_FALSE(repeated.headers.get("Location"));
}

// --- T2: code replay ---

TEST_F(SandboxTest, T2ReplayedCodeFailsAndRevokesWhatItMinted) {
  for (int i = 0; i < 20; ++i) {
    const auto code = confidentialCode();
    auto first = redeemConfidential(code);
    ASSERT_EQ(first.status, 200);
    const std::string access = jsonOf(first)["access_token"];
    const std::string refresh = jsonOf(first)["refresh_token"];
    if (i % 2) advance(30);
    auto second = redeemConfidential(code);
    EXPECT_EQ(second.status, 400);
    EXPECT_EQ(jsonOf(second)["error"], "invalid_grant");
    EXPECT_EQ(client_.get("/v3/account/summary", access).status, 401);
    auto refreshed = client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}),
                                      {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}});
    EXPECT_EQ(jsonOf(refreshed)["error"], "invalid_grant");
  }
}

// --- T3: code lifetime ---

TEST_F(SandboxTest, T3CodeWorksOneSecondBeforeExpiryAndNotOneAfter) {
  const auto early = confidentialCode();
  advance(299);
  EXPECT_EQ(redeemConfidential(early).status, 200);
  const auto late = confidentialCode();
  advance(301);
  auto response = redeemConfidential(late);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(jsonOf(response)["error"], "invalid_grant");
}

// --- T4: PKCE matrix ---

struct PkceCell {
  std::string challenge_kind;  // none | plain | S256
  std::string verifier_kind;   // none | wrong | right | short42 | long129 | illegal
  std::string expected;        // "tokens", or the error at authorize ("authorize:<error>") or token
};

std::string verifierFor(const std::string& kind) {
  if (kind == "right") return kVerifier;
  if (kind == "wrong") return std::string(43, 'a');
  if (kind == "short42") return std::string(kVerifier).substr(0, 42);
  if (kind == "long129") return std::string(129, 'b');
  if (kind == "illegal") return std::string(kVerifier).substr(0, 42) + "!";
  return "";
}

TEST_F(SandboxTest, T4PkceMatrixForPublicAndConfidentialClients) {
  const std::vector<PkceCell> cells = {
      {"none", "none", "authorize:invalid_request"},  {"none", "wrong", "authorize:invalid_request"},
      {"none", "right", "authorize:invalid_request"}, {"none", "short42", "authorize:invalid_request"},
      {"none", "long129", "authorize:invalid_request"}, {"none", "illegal", "authorize:invalid_request"},
      {"plain", "none", "authorize:invalid_request"}, {"plain", "wrong", "authorize:invalid_request"},
      {"plain", "right", "authorize:invalid_request"}, {"plain", "short42", "authorize:invalid_request"},
      {"plain", "long129", "authorize:invalid_request"}, {"plain", "illegal", "authorize:invalid_request"},
      {"S256", "none", "invalid_request"},             {"S256", "wrong", "invalid_grant"},
      {"S256", "right", "tokens"},                     {"S256", "short42", "invalid_grant"},
      {"S256", "long129", "invalid_grant"},            {"S256", "illegal", "invalid_grant"},
  };
  int matched = 0;
  for (const auto& cell : cells) {
    Params query;
    query.add("client_id", "sandbox-public");
    query.add("redirect_uri", kRedirect);
    query.add("response_type", "code");
    query.add("scope", "account_read");
    if (cell.challenge_kind == "plain") {
      query.add("code_challenge", kVerifier);
      query.add("code_challenge_method", "plain");
    } else if (cell.challenge_kind == "S256") {
      query.add("code_challenge", oauth::s256Challenge(kVerifier));
      query.add("code_challenge_method", "S256");
    }
    auto start = client_.get("/oauth2/default/v1/authorize?" + query.encode());
    std::string outcome;
    const auto location = start.headers.get("Location").value_or("");
    if (location.find("/oauth2/default/v1/login") == std::string::npos) {
      outcome = "authorize:" + redirectParams(location).getOr("error");
    } else {
      auto done = client_.loginAndDecide(start, "owner@sandbox.test", "sandbox", "allow");
      const auto code = redirectParams(done.headers.get("Location").value_or("")).getOr("code");
      Params form;
      form.add("grant_type", "authorization_code");
      form.add("client_id", "sandbox-public");
      form.add("code", code);
      form.add("redirect_uri", kRedirect);
      if (cell.verifier_kind != "none") form.add("code_verifier", verifierFor(cell.verifier_kind));
      auto token = client_.postForm(kTokenPath, form.encode());
      outcome = token.status == 200 ? "tokens" : jsonOf(token)["error"].get<std::string>();
    }
    EXPECT_EQ(outcome, cell.expected) << cell.challenge_kind << " x " << cell.verifier_kind;
    if (outcome == cell.expected) ++matched;
  }
  RecordProperty("pkce_cells_matched", std::to_string(matched) + "/18");
}

TEST_F(SandboxTest, T4VerifierWithoutChallengeIsRefused) {
  const auto code = confidentialCode();
  auto response = client_.postForm(kTokenPath,
                                   formBody({{"grant_type", "authorization_code"}, {"code", code},
                                             {"redirect_uri", kRedirect}, {"code_verifier", kVerifier}}),
                                   {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}});
  EXPECT_EQ(jsonOf(response)["error"], "invalid_grant");
}

TEST_F(SandboxTest, PublicPkceClientGetsIdTokenWithOpenidAndRefreshToken) {
  auto response = redeemPublic(publicCode("openid profile account_read offline_access"));
  ASSERT_EQ(response.status, 200) << response.body;
  auto body = jsonOf(response);
  EXPECT_TRUE(body.contains("refresh_token"));
  ASSERT_TRUE(body.contains("id_token"));
  const std::string id_token = body["id_token"];
  auto claims = nlohmann::json::parse(base64UrlDecode(id_token.substr(id_token.find('.') + 1,
                                                                      id_token.rfind('.') - id_token.find('.') - 1))
                                          .value_or("{}"));
  EXPECT_EQ(claims["aud"], "sandbox-public");
  EXPECT_EQ(claims["email"], "owner@sandbox.test");
  auto without_openid = redeemPublic(publicCode());
  ASSERT_EQ(without_openid.status, 200) << without_openid.body;
  EXPECT_TRUE(jsonOf(without_openid).contains("access_token"));
  EXPECT_FALSE(jsonOf(without_openid).contains("id_token"));  // no openid, no ID token
}

// --- T6: binding ---

TEST_F(SandboxTest, T6CodeIssuedToOneClientCannotBeRedeemedByAnother) {
  const auto code = confidentialCode();
  auto response = client_.postForm(kTokenPath, formBody({{"grant_type", "authorization_code"}, {"client_id", "sandbox-public"},
                                                         {"code", code}, {"redirect_uri", kRedirect},
                                                         {"code_verifier", kVerifier}}));
  EXPECT_EQ(jsonOf(response)["error"], "invalid_grant");
  EXPECT_EQ(redeemConfidential(code).status, 200);  // still good for its own client
}

TEST_F(SandboxTest, ImplicitFlowOnlyWhenTheAppEnablesIt) {
  auto refused = client_.get("/oauth2/default/v1/authorize?" +
                             formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                       {"response_type", "token"}, {"scope", "account_read"}}));
  auto location = refused.headers.get("Location").value_or("");
  EXPECT_NE(location.find("#error=unauthorized_client"), std::string::npos) << location;

  auto app = client_.postJson("/__sandbox/apps", {{"client_id", "spa"}, {"name", "Single Page"}, {"confidential", false},
                                                  {"redirect_uris", {"https://spa.test/cb"}}, {"flows", {"implicit"}}});
  ASSERT_EQ(app.status, 201) << app.body;
  auto done = client_.authorize(formBody({{"client_id", "spa"}, {"redirect_uri", "https://spa.test/cb"},
                                          {"response_type", "token"}, {"scope", "account_read"}, {"state", "q"}}));
  ASSERT_EQ(done.rfind("https://spa.test/cb#", 0), 0u) << done;
  auto params = redirectParams(done);
  EXPECT_EQ(params.getOr("expires_in"), "28800");
  EXPECT_EQ(params.getOr("state"), "q");
  EXPECT_FALSE(params.has("refresh_token"));
  EXPECT_EQ(client_.get("/v3/account/summary", params.getOr("access_token")).status, 200);
}

}  // namespace
}  // namespace liaison::testing
