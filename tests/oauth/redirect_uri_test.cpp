// Redirect URI matching: exact string comparison (RFC 6749 §3.1.2, RFC 9700 §4.1.3), with
// the one exception that http loopback URIs may use any port (RFC 8252 §7.3).
#include "oauth/redirect_uri.h"

#include <gtest/gtest.h>

namespace liaison::oauth::testing {
namespace {

const std::vector<std::string> kRegistered = {"https://app.example.com/oauth/callback",
                                              "https://other.example.com/cb?tenant=1"};

TEST(RedirectUriTest, ExactRegisteredUriIsAllowed) {
  EXPECT_TRUE(redirectUriAllowed("https://app.example.com/oauth/callback", kRegistered));
  EXPECT_TRUE(redirectUriAllowed("https://other.example.com/cb?tenant=1", kRegistered));
}

TEST(RedirectUriTest, NothingIsAllowedWithoutRegistrationsOrWithEmptyRequest) {
  EXPECT_FALSE(redirectUriAllowed("https://app.example.com/oauth/callback", {}));
  EXPECT_FALSE(redirectUriAllowed("", kRegistered));
  EXPECT_FALSE(redirectUriAllowed("", {""}));
}

TEST(RedirectUriTest, MutantsOfARegisteredUriAreRejected) {
  for (const char* mutant : {
           "https://app.example.com/oauth/callback/",  // trailing slash
           "https://app.example.com/oauth/Callback",   // path case
           "https://app.example.com/OAUTH/callback",
           "https://APP.example.com/oauth/callback",           // host case is not normalised either
           "https://app.example.com/oauth/callback?x=1",       // extra query
           "https://app.example.com/oauth/callback?",          // empty query
           "http://app.example.com/oauth/callback",            // scheme downgrade
           "https://app.example.com:443/oauth/callback",       // explicit default port
           "https://app.example.com:8443/oauth/callback",      // other port
           "https://evil.example.com/oauth/callback",          // other host
           "https://app.example.com.evil.com/oauth/callback",  // suffix host
           "https://app.example.com@evil.com/oauth/callback",  // userinfo trick
           "https://evil.com/?https://app.example.com/oauth/callback",
           "https://app.example.com/oauth/callback/../callback",
           "https://app.example.com/oauth/callback%2F",
           "https://app.example.com/oauth/callbac",  // prefix
           " https://app.example.com/oauth/callback",
           "https://other.example.com/cb?tenant=2",      // query value changed
           "https://other.example.com/cb",               // query dropped
           "https://other.example.com/cb?tenant=1&x=1",  // query extended
       }) {
    EXPECT_FALSE(redirectUriAllowed(mutant, kRegistered)) << mutant;
  }
}

TEST(RedirectUriTest, FragmentsAreNeverAllowedEvenIfRegistered) {
  EXPECT_FALSE(redirectUriAllowed("https://app.example.com/oauth/callback#", kRegistered));
  EXPECT_FALSE(redirectUriAllowed("https://app.example.com/oauth/callback#x", kRegistered));
  EXPECT_FALSE(redirectUriAllowed("https://app.example.com/cb#frag", {"https://app.example.com/cb#frag"}));
}

TEST(RedirectUriTest, LoopbackMayUseAnyPort) {
  const std::vector<std::string> registered = {"http://127.0.0.1/callback", "http://localhost/cb",
                                               "http://[::1]/native"};
  EXPECT_TRUE(redirectUriAllowed("http://127.0.0.1/callback", registered));
  EXPECT_TRUE(redirectUriAllowed("http://127.0.0.1:1/callback", registered));
  EXPECT_TRUE(redirectUriAllowed("http://127.0.0.1:51004/callback", registered));
  EXPECT_TRUE(redirectUriAllowed("http://localhost:8080/cb", registered));
  EXPECT_TRUE(redirectUriAllowed("http://[::1]:65535/native", registered));
}

TEST(RedirectUriTest, RegisteredLoopbackPortIsIgnoredToo) {
  const std::vector<std::string> registered = {"http://127.0.0.1:3000/callback"};
  EXPECT_TRUE(redirectUriAllowed("http://127.0.0.1:4000/callback", registered));
  EXPECT_TRUE(redirectUriAllowed("http://127.0.0.1/callback", registered));
}

TEST(RedirectUriTest, LoopbackWithNoPathMatchesOnlyNoPath) {
  const std::vector<std::string> registered = {"http://localhost"};
  EXPECT_TRUE(redirectUriAllowed("http://localhost:9000", registered));
  EXPECT_FALSE(redirectUriAllowed("http://localhost:9000/", registered));
}

TEST(RedirectUriTest, LoopbackStillRequiresTheExactPathAndQuery) {
  const std::vector<std::string> registered = {"http://127.0.0.1/callback"};
  EXPECT_FALSE(redirectUriAllowed("http://127.0.0.1:8080/callback/", registered));
  EXPECT_FALSE(redirectUriAllowed("http://127.0.0.1:8080/Callback", registered));
  EXPECT_FALSE(redirectUriAllowed("http://127.0.0.1:8080/callback?x=1", registered));
  EXPECT_FALSE(redirectUriAllowed("http://127.0.0.1:8080/callback#x", registered));
}

TEST(RedirectUriTest, LoopbackHostMustMatchTheRegisteredLoopbackHost) {
  EXPECT_FALSE(redirectUriAllowed("http://localhost:8080/callback", {"http://127.0.0.1/callback"}));
  EXPECT_FALSE(redirectUriAllowed("http://127.0.0.1:8080/callback", {"http://[::1]/callback"}));
}

TEST(RedirectUriTest, LoopbackLookalikesAreRejected) {
  const std::vector<std::string> registered = {"http://127.0.0.1/callback", "http://localhost/callback"};
  for (const char* attack : {
           "http://127.0.0.1@evil.com/callback",     // userinfo
           "http://127.0.0.1:80@evil.com/callback",  // userinfo with port-like text
           "http://127.0.0.1.evil.com/callback",     // host suffix
           "http://127.0.0.10/callback",
           "http://localhost.evil.com/callback",
           "http://localhost:8080.evil.com/callback",
           "http://localhost:/callback",        // empty port
           "http://localhost:abc/callback",     // non-numeric port
           "http://localhost:123456/callback",  // more than five digits
           "https://127.0.0.1:8080/callback",   // scheme differs: exact match only
           "http://127.0.0.1:8080?/callback",
       }) {
    EXPECT_FALSE(redirectUriAllowed(attack, registered)) << attack;
  }
}

TEST(RedirectUriTest, NonLoopbackHostsDoNotGetAnyPort) {
  const std::vector<std::string> registered = {"http://app.example.com/callback", "https://localhost/cb",
                                               "http://10.0.0.1/cb"};
  EXPECT_FALSE(redirectUriAllowed("http://app.example.com:8080/callback", registered));
  EXPECT_FALSE(redirectUriAllowed("https://localhost:8443/cb", registered));  // https is not loopback-flex
  EXPECT_FALSE(redirectUriAllowed("http://10.0.0.1:8080/cb", registered));
}

}  // namespace
}  // namespace liaison::oauth::testing
