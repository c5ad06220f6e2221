// The API side of authorization: bearer, scope and privilege checks from the operation table,
// the first account endpoints, and CC-format 404/405/501.
#include "cc/operations.h"
#include "sandbox/sandbox_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

class ApiGuardTest : public SandboxTest {
 protected:
  std::string tokenFor(const std::string& scope, const std::string& email = "owner@sandbox.test") {
    return jsonOf(redeemConfidential(confidentialCode(scope, email)))["access_token"];
  }
};

TEST_F(ApiGuardTest, MissingOrBadBearerGets401InCcShape) {
  for (const std::string header : {"", "Bearer", "Bearer not.a.jwt", "Basic abc"}) {
    auto response = header.empty() ? client_.get("/v3/account/summary")
                                   : client_.send("GET", "/v3/account/summary", "", {{"Authorization", header}});
    EXPECT_EQ(response.status, 401) << header;
    auto body = jsonOf(response);
    ASSERT_TRUE(body.is_object()) << response.body;
    EXPECT_EQ(body["error_key"], "unauthorized");
    EXPECT_TRUE(response.headers.get("WWW-Authenticate"));
  }
}

TEST_F(ApiGuardTest, TamperedTokenIsRejected) {
  std::string token = tokenFor("account_read");
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(client_.get("/v3/account/summary", token).status, 401);
}

TEST_F(ApiGuardTest, ExpiredTokenIsRejected) {
  const auto token = tokenFor("account_read");
  advance(86399);
  EXPECT_EQ(client_.get("/v3/account/summary", token).status, 200);
  advance(1);
  EXPECT_EQ(client_.get("/v3/account/summary", token).status, 401);
}

TEST_F(ApiGuardTest, MissingScopeIs403NamingTheScope) {
  const auto token = tokenFor("contact_data");
  auto response = client_.get("/v3/account/summary", token);
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(jsonOf(response)["error_key"], "access_denied");
  EXPECT_NE(jsonOf(response)["error_message"].get<std::string>().find("account_read"), std::string::npos);
}

TEST_F(ApiGuardTest, MissingPrivilegeIs403NamingThePrivilege) {
  const auto token = tokenFor("contact_data", "creator@sandbox.test");
  // GET /v3/contacts needs contacts:read, which a Campaign Creator lacks.
  auto response = client_.get("/v3/contacts", token);
  EXPECT_EQ(response.status, 403);
  EXPECT_NE(jsonOf(response)["error_message"].get<std::string>().find("contacts:read"), std::string::npos);
}

TEST_F(ApiGuardTest, PrivilegesEndpointNeedsNoScope) {
  const auto token = tokenFor("contact_data");
  auto response = client_.get("/v3/account/user/privileges", token);
  ASSERT_EQ(response.status, 200);
  auto body = jsonOf(response);
  ASSERT_TRUE(body.is_array());
  bool has_account_read = false;
  for (const auto& p : body) {
    EXPECT_TRUE(p["privilege_id"].is_number_integer());
    has_account_read = has_account_read || p["privilege_name"] == "account:read";
  }
  EXPECT_TRUE(has_account_read);
}

TEST_F(ApiGuardTest, SummaryHonoursExtraFields) {
  const auto token = tokenFor("account_read");
  auto plain = jsonOf(client_.get("/v3/account/summary", token));
  EXPECT_FALSE(plain.contains("physical_address"));
  EXPECT_TRUE(plain.contains("encoded_account_id"));
  EXPECT_EQ(plain["time_zone_id"], "America/New_York");
  auto extra = jsonOf(client_.get("/v3/account/summary?extra_fields=physical_address", token));
  EXPECT_EQ(extra["physical_address"]["city"], "Waltham");
  auto bad = client_.get("/v3/account/summary?extra_fields=secrets", token);
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(jsonOf(bad).is_array());
}

TEST_F(ApiGuardTest, NotYetEmulatedOperationsAnswer501AfterAuth) {
  const auto token = tokenFor("account_read contact_data campaign_data");
  EXPECT_EQ(client_.get("/v3/segments").status, 401);
  auto response = client_.get("/v3/segments", token);
  EXPECT_EQ(response.status, 501);
  EXPECT_EQ(jsonOf(response)[0]["error_key"], "sandbox.not_implemented");
}

TEST_F(ApiGuardTest, UnknownPathIs404AndWrongMethodIs405InCcShape) {
  auto missing = client_.get("/v3/nothing-here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(jsonOf(missing).is_array());
  auto wrong = client_.send("DELETE", "/v3/account/summary");
  EXPECT_EQ(wrong.status, 405);
}

TEST(OperationTable, EveryOperationHasMethodPathAndKnownAuth) {
  const auto& table = cc::operationTable();
  EXPECT_GE(table.size(), 100u);
  for (const auto& op : table) {
    EXPECT_TRUE(op.path.starts_with("/v3/")) << op.id;
    EXPECT_FALSE(op.method.empty()) << op.id;
  }
  ASSERT_NE(cc::findOperationById("getAccountById"), nullptr);
  EXPECT_EQ(cc::findOperationById("getAccountById")->scopes, "account_read");
  EXPECT_EQ(cc::findOperationById("getAccountById")->privileges, "account:read");
}

}  // namespace
}  // namespace liaison::testing

namespace liaison::testing {
namespace {

TEST_F(StrictSandboxTest, ApiKeyGetsFourRequestsPerSecondAndTenThousandPerDay) {
  const std::string token = jsonOf(redeemConfidential(confidentialCode("account_read")))["access_token"];
  for (int i = 0; i < 4; ++i) EXPECT_EQ(client_.get("/v3/account/summary", token).status, 200);
  auto limited = client_.get("/v3/account/summary", token);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(jsonOf(limited)[0]["error_key"], "throttled");
  int ok = 4;
  // 2,499 more seconds at 4 a second reach the quota; the bound stops a sandbox that answers
  // something other than 200 from looping forever.
  for (int second = 1; ok < 10000 && second <= 3000; ++second) {
    advance(1);
    for (int i = 0; i < 4 && ok < 10000; ++i) ok += client_.get("/v3/account/summary", token).status == 200;
  }
  ASSERT_EQ(ok, 10000);
  advance(1);
  auto quota = client_.get("/v3/account/summary", token);
  EXPECT_EQ(quota.status, 429);
  EXPECT_EQ(jsonOf(quota)[0]["error_key"], "quota_exceeded");
  advance(16 * 3600);  // past 00:00 UTC: a new day, while the 24 h token is still valid
  EXPECT_EQ(client_.get("/v3/account/summary", token).status, 200);
}

}  // namespace
}  // namespace liaison::testing
