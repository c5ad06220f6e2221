// What the sandbox answers when no handler can, in each API's own format: 404 for an unknown
// path, 405 with Allow for a known path under another method, 400 for several Authorization
// headers (CC's format on /v3, RFC 6749's on /oauth2, the control API's on /__sandbox).
#include "sandbox/sandbox_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

// RFC 6749 §5.2's shape: an object with a string error and error_description, nothing of CC's.
bool isOAuthError(const http::Response& response, const std::string& error) {
  const json body = json::parse(response.body, nullptr, false);
  return body.is_object() && body.value("error", "") == error && body.contains("error_description") &&
         !body.contains("error_key");
}

// CC's shape: an array of {error_key, error_message}.
bool isCcError(const http::Response& response, const std::string& key) {
  const json body = json::parse(response.body, nullptr, false);
  return body.is_array() && body.size() == 1 && body[0].value("error_key", "") == key &&
         body[0].contains("error_message");
}

TEST_F(SandboxTest, EveryMethodNotAllowedCarriesAllow) {
  const struct {
    const char* method;
    const char* target;
    const char* allow;
  } cases[] = {
      {"DELETE", "/v3/account/summary", "GET, HEAD, PUT"},
      {"GET", "/oauth2/default/v1/token", "POST"},
      {"PUT", "/__sandbox/faults", "DELETE, GET, HEAD, POST"},
      {"POST", "/__sandbox/clock", "GET, HEAD"},
  };
  for (const auto& c : cases) {
    auto response = client_.send(c.method, c.target);
    EXPECT_EQ(response.status, 405) << c.target;
    EXPECT_EQ(response.headers.get("Allow").value_or("<none>"), c.allow) << c.target;
  }
}

TEST_F(SandboxTest, NotFoundAndMethodNotAllowedUnderOAuth2AreRfc6749Errors) {
  auto missing = client_.get("/oauth2/default/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(isOAuthError(missing, "invalid_request")) << missing.body;
  auto wrong = client_.get("/oauth2/default/v1/revoke");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_TRUE(isOAuthError(wrong, "invalid_request")) << wrong.body;
  // Elsewhere they stay in CC's format.
  EXPECT_TRUE(isCcError(client_.get("/v3/nothing-here"), "http.status.not_found"));
  EXPECT_TRUE(isCcError(client_.send("DELETE", "/v3/account/summary"), "http.status.method_not_allowed"));
}

TEST_F(SandboxTest, SeveralAuthorizationHeadersAre400InEachApisFormat) {
  const std::string token = deviceFlowTokens(client_, "account_read").value("access_token", "");
  ASSERT_FALSE(token.empty());
  const std::vector<std::pair<std::string, std::string>> twice = {{"Authorization", "Bearer " + token},
                                                                  {"authorization", "Bearer " + token}};
  // Each header alone would be accepted: the refusal is for the repetition.
  EXPECT_EQ(client_.get("/v3/account/summary", token).status, 200);
  auto v3 = client_.send("GET", "/v3/account/summary", "", twice);
  EXPECT_EQ(v3.status, 400);
  EXPECT_TRUE(isCcError(v3, "http.status.bad_request")) << v3.body;

  const std::string basic = basicAuth("sandbox-client", "sandbox-secret");
  auto oauth = client_.postForm(kTokenPath, formBody({{"grant_type", "client_credentials"}}),
                                {{"Authorization", basic}, {"Authorization", basic}});
  EXPECT_EQ(oauth.status, 400);
  EXPECT_TRUE(isOAuthError(oauth, "invalid_request")) << oauth.body;

  auto control =
      client_.send("GET", "/__sandbox/clock", "", {{"Authorization", "a"}, {"Authorization", "b"}});
  EXPECT_EQ(control.status, 400);
  EXPECT_TRUE(isCcError(control, "sandbox.validation.error")) << control.body;
}

}  // namespace
}  // namespace liaison::testing
