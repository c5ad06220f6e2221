// The token endpoint's success body: what the sandbox renders is what a client parses back,
// and a body that breaks RFC 6749 §5.1 is refused rather than half-read.
#include "oauth/token_response.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace liaison::oauth::testing {
namespace {

using nlohmann::json;

TokenResponse full() {
  TokenResponse t;
  t.access_token = "eyJhbGciOiJSUzI1NiJ9.e30.sig";
  t.expires_in = 86400;
  t.scopes = {"account_read", "contact_data", "offline_access"};
  t.refresh_token = "refresh-1";
  t.id_token = "id-1";
  return t;
}

TEST(TokenResponseTest, RoundTripsEveryField) {
  const auto tokens = full();
  auto parsed = parseTokenResponse(renderTokenResponse(tokens));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, tokens);
}

TEST(TokenResponseTest, RoundTripsWithoutOptionalTokens) {
  auto tokens = full();
  tokens.refresh_token.reset();
  tokens.id_token.reset();
  const auto text = renderTokenResponse(tokens);
  EXPECT_FALSE(json::parse(text).contains("refresh_token"));
  EXPECT_FALSE(json::parse(text).contains("id_token"));
  auto parsed = parseTokenResponse(text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, tokens);
}

TEST(TokenResponseTest, RendersTheWireShape) {
  const auto body = json::parse(renderTokenResponse(full()));
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 86400);  // seconds, a number
  EXPECT_EQ(body["scope"], "account_read contact_data offline_access");
}

TEST(TokenResponseTest, ReadsWhatOtherServersSend) {
  auto lower = parseTokenResponse(R"({"access_token":"a","token_type":"bearer","expires_in":"3600"})");
  ASSERT_TRUE(lower) << lower.error().message;
  EXPECT_EQ(lower->token_type, "Bearer");
  EXPECT_EQ(lower->expires_in, 3600);
  EXPECT_TRUE(lower->scopes.empty());
  EXPECT_FALSE(lower->refresh_token.has_value());
}

TEST(TokenResponseTest, RefusesBrokenBodies) {
  for (const char* body :
       {"", "[]", "not json", R"({"token_type":"Bearer"})", R"({"access_token":"","token_type":"Bearer"})",
        R"({"access_token":"a"})", R"({"access_token":"a","token_type":"mac"})",
        R"({"access_token":"a","token_type":"Bearer","expires_in":-1})",
        R"({"access_token":"a","token_type":"Bearer","expires_in":"soon"})",
        R"({"access_token":"a","token_type":"Bearer","refresh_token":42})",
        R"({"access_token":7,"token_type":"Bearer"})"}) {
    auto parsed = parseTokenResponse(body);
    ASSERT_FALSE(parsed) << body;
    EXPECT_EQ(parsed.error().key, "invalid_token_response") << body;
    EXPECT_EQ(parsed.error().message.find("\"a\""), std::string::npos) << "no token echoed";
  }
}

}  // namespace
}  // namespace liaison::oauth::testing
