// The scope catalogue and scope-list parsing (RFC 6749 §3.3).
#include "cc/scopes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace liaison::cc::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ScopeCatalogueTest, ListsConstantContactScopesWithDescriptions) {
  std::vector<std::string> names;
  for (const auto& s : scopeCatalogue()) {
    names.emplace_back(s.name);
    EXPECT_FALSE(s.description.empty()) << s.name;
    EXPECT_FALSE(s.not_allowed.empty()) << s.name;
  }
  EXPECT_THAT(names, ElementsAre("account_read", "account_update", "contact_data", "campaign_data",
                                 "offline_access", "openid", "profile"));
}

TEST(ScopeCatalogueTest, FindScopeIsExactAndCaseSensitive) {
  const cc::ScopeInfo* found = findScope("contact_data");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "contact_data");
  EXPECT_EQ(findScope("Contact_Data"), nullptr);
  EXPECT_EQ(findScope("contact"), nullptr);
  EXPECT_EQ(findScope(""), nullptr);
}

TEST(ParseScopesTest, KeepsRequestOrder) {
  auto scopes = parseScopes("offline_access contact_data account_read");
  ASSERT_TRUE(scopes.ok());
  EXPECT_THAT(*scopes, ElementsAre("offline_access", "contact_data", "account_read"));
}

TEST(ParseScopesTest, CollapsesDuplicatesKeepingTheFirstPosition) {
  auto scopes = parseScopes("contact_data account_read contact_data openid account_read");
  ASSERT_TRUE(scopes.ok());
  EXPECT_THAT(*scopes, ElementsAre("contact_data", "account_read", "openid"));
}

TEST(ParseScopesTest, ToleratesRepeatedSpaces) {
  auto scopes = parseScopes("  openid   profile ");
  ASSERT_TRUE(scopes.ok());
  EXPECT_THAT(*scopes, ElementsAre("openid", "profile"));
}

TEST(ParseScopesTest, UnknownScopeFailsWithInvalidScope) {
  auto scopes = parseScopes("contact_data admin");
  ASSERT_FALSE(scopes.ok());
  EXPECT_EQ(scopes.error().code, ErrorCode::InvalidRequest);
  EXPECT_EQ(scopes.error().key, "invalid_scope");
  EXPECT_THAT(scopes.error().message, HasSubstr("admin"));
}

TEST(ParseScopesTest, ScopeNamesAreCaseSensitiveAndNotCommaSeparated) {
  EXPECT_EQ(parseScopes("Contact_Data").error().key, "invalid_scope");
  EXPECT_EQ(parseScopes("contact_data,account_read").error().key, "invalid_scope");
  EXPECT_EQ(parseScopes("contact_data+account_read").error().key, "invalid_scope");
}

TEST(ParseScopesTest, UnknownScopeEchoIsTruncated) {
  auto scopes = parseScopes(std::string(500, 'x'));
  ASSERT_FALSE(scopes.ok());
  EXPECT_THAT(scopes.error().message, HasSubstr(std::string(64, 'x')));
  EXPECT_THAT(scopes.error().message, ::testing::Not(HasSubstr(std::string(65, 'x'))));
}

TEST(ParseScopesTest, EmptyScopeFailsWithInvalidScope) {
  for (const char* text : {"", " ", "   "}) {
    auto scopes = parseScopes(text);
    ASSERT_FALSE(scopes.ok()) << '"' << text << '"';
    EXPECT_EQ(scopes.error().key, "invalid_scope");
    EXPECT_EQ(scopes.error().code, ErrorCode::InvalidRequest);
  }
}

TEST(JoinScopesTest, JoinsWithSingleSpacesAndRoundTrips) {
  EXPECT_EQ(joinScopes({}), "");
  EXPECT_EQ(joinScopes({"openid"}), "openid");
  EXPECT_EQ(joinScopes({"contact_data", "offline_access"}), "contact_data offline_access");
  auto parsed = parseScopes(joinScopes({"profile", "account_update"}));
  ASSERT_TRUE(parsed.ok());
  EXPECT_THAT(*parsed, ElementsAre("profile", "account_update"));
}

TEST(HasScopeTest, MatchesWholeNamesOnly) {
  const std::vector<std::string> scopes = {"contact_data", "openid"};
  EXPECT_TRUE(hasScope(scopes, "openid"));
  EXPECT_FALSE(hasScope(scopes, "open"));
  EXPECT_FALSE(hasScope({}, "openid"));
}

TEST(IsSubsetTest, ChecksEveryRequestedScopeIsGranted) {
  const std::vector<std::string> granted = {"account_read", "contact_data", "offline_access"};
  EXPECT_TRUE(isSubset({"contact_data"}, granted));
  EXPECT_TRUE(isSubset({"offline_access", "account_read"}, granted));
  EXPECT_TRUE(isSubset(granted, granted));
  EXPECT_TRUE(isSubset({}, granted));
  EXPECT_TRUE(isSubset({}, {}));
  EXPECT_FALSE(isSubset({"contact_data", "campaign_data"}, granted));
  EXPECT_FALSE(isSubset({"openid"}, {}));
}

}  // namespace
}  // namespace liaison::cc::testing
