// The proxy's target and header checks: every spelling of another host, another path or an
// injected header is refused before anything is sent (T13's SSRF forms).
#include "hub/proxy/proxy_guard.h"

#include <gtest/gtest.h>

#include "hub/proxy/operation_check.h"

namespace liaison::hub::proxy {
namespace {

TEST(ProxyTarget, PathsUnderV3PassWithTheirQuery) {
  auto ok = checkTarget("/v3/contacts?limit=50&status=all");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->path, "/v3/contacts");
  EXPECT_EQ(ok->query, "limit=50&status=all");
  EXPECT_TRUE(checkTarget("/v3/contacts/8d3c-11e9/"));
  EXPECT_TRUE(checkTarget("/v3/contacts?email=a%40b.example"));  // an encoded '@' in the query is data
  EXPECT_TRUE(checkTarget("/v3/emails/activities/a%20b"));       // an encoded space is data
}

TEST(ProxyTarget, EverySsrfFormIsRefused) {
  const char* refused[] = {
      "",                                    // nothing
      "/",                                   // not under /v3
      "/v2/contacts",                        // another API version
      "/v3x/contacts",                       // a prefix that only looks right
      "http://evil.example/v3/contacts",     // absolute URL
      "//evil.example/v3/contacts",          // scheme-relative
      "/v3/../admin",                        // dot-dot
      "/v3/contacts/../../x",                // dot-dot deeper
      "/v3/./contacts",                      // dot segment
      "/v3//contacts",                       // empty segment
      "/v3/%2e%2e/admin",                    // encoded dot-dot
      "/v3/%2E%2E/admin",                    // encoded dot-dot, upper case
      "/v3/contacts%2F..%2Fadmin",           // encoded slash
      "/v3/contacts%2fx",                    // encoded slash, lower case
      "/v3/contacts%5C..",                   // encoded backslash
      "/v3\\..\\admin",                      // backslash
      "/v3/contacts\r\nHost: evil.example",  // CR/LF injection
      "/v3/contacts%0d%0aX: y",              // encoded CR/LF
      "/v3/contacts?x=%0a",                  // encoded LF in the query
      "/v3/contacts#frag",                   // fragment
      "/v3/contacts@evil.example",           // userinfo-like '@'
      "/v3/con tacts",                       // space
      "/v3/contacts%zz",                     // malformed escape
      "/v3/contacts%4",                      // truncated escape
      "/v3/\xc3\xa9",                        // raw non-ASCII
  };
  for (const char* target : refused) {
    auto verdict = checkTarget(target);
    EXPECT_FALSE(verdict) << "passed: " << target;
    if (!verdict) {
      EXPECT_EQ(verdict.error().key, "proxy.refused_target");
    }
  }
  // A NUL byte inside the target (not cut by a C string).
  EXPECT_FALSE(checkTarget(std::string_view("/v3/contacts\0/x", 15)));
}

TEST(ProxyHeaders, HostSteeringAndLineBreaksAreRefused) {
  for (const char* name : {"X-Forwarded-Host", "Forwarded", "X-Original-URL", "X-Rewrite-URL", "x-host",
                           "X-HTTP-Host-Override"}) {
    http::Headers headers;
    headers.set(name, "evil.example");
    auto verdict = checkHeaders(headers);
    EXPECT_FALSE(verdict) << name;
  }
  http::Headers split;
  split.set("Accept", "application/json\r\nHost: evil.example");
  EXPECT_FALSE(checkHeaders(split));
  http::Headers fine;
  fine.set("Accept", "application/json");
  fine.set("Content-Type", "application/json");
  EXPECT_TRUE(checkHeaders(fine));
}

TEST(ProxyOperations, TheMostLiteralTemplateWins) {
  const auto* list = matchOperation("GET", "/v3/contacts");
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(list->id, "getContacts");
  const auto* one = matchOperation("GET", "/v3/contacts/abc-123");
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->id, "getContact");
  const auto* counts = matchOperation("GET", "/v3/contacts/counts");
  ASSERT_NE(counts, nullptr);
  EXPECT_EQ(counts->id, "countContact");
  EXPECT_EQ(matchOperation("GET", "/v3/no/such/thing"), nullptr);
  EXPECT_EQ(matchOperation("PATCH", "/v3/contacts"), nullptr);
}

TEST(ProxyOperations, MissingScopeOrPrivilegeNamesTheFix) {
  const auto* create = matchOperation("POST", "/v3/contacts");
  ASSERT_NE(create, nullptr);
  auto no_scope = refusalFor(*create, {"account_read", "offline_access"}, std::nullopt, "conn_1");
  ASSERT_TRUE(no_scope);
  EXPECT_EQ(no_scope->key, "proxy.missing_scope");
  EXPECT_NE(no_scope->remedy.find("contact_data"), std::string::npos) << no_scope->remedy;
  EXPECT_NE(no_scope->remedy.find("/api/v1/connections/conn_1/reconnect"), std::string::npos);

  const std::vector<std::string> scopes = {"contact_data"};
  auto no_privilege = refusalFor(*create, scopes, std::vector<std::string>{"contacts:read"}, "conn_1");
  ASSERT_TRUE(no_privilege);
  EXPECT_EQ(no_privilege->key, "proxy.missing_privilege");
  EXPECT_NE(no_privilege->message.find("contacts:write"), std::string::npos);
  EXPECT_NE(no_privilege->remedy.find("role"), std::string::npos);
  // Unknown privileges: CC decides. Everything present: allowed.
  EXPECT_FALSE(refusalFor(*create, scopes, std::nullopt, "conn_1"));
  EXPECT_FALSE(refusalFor(*create, scopes, std::vector<std::string>{"contacts:write"}, "conn_1"));
}

}  // namespace
}  // namespace liaison::hub::proxy
