// /v3/account: summary updates, physical address, account email addresses.
#include "sandbox/sandbox_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

class AccountTest : public SandboxTest {
 protected:
  void SetUp() override { token_ = tokenFor("owner@sandbox.test"); }
  std::string tokenFor(const std::string& email) {
    return jsonOf(redeemConfidential(confidentialCode("account_read account_update", email)))["access_token"];
  }
  http::Response call(const std::string& method, const std::string& target, const json& body = nullptr,
                      const std::string& token = "") {
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}};
    if (body.is_null()) return client_.send(method, target, "", headers);
    headers.emplace_back("Content-Type", "application/json");
    return client_.send(method, target, body.dump(), headers);
  }
  std::string token_;
};

TEST_F(AccountTest, SummaryIsPartiallyUpdated) {
  auto updated = call("PUT", "/v3/account/summary", {{"organization_phone", "555-0199"}, {"encoded_account_id", "x"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  auto body = jsonOf(updated);
  EXPECT_EQ(body["organization_phone"], "555-0199");
  EXPECT_EQ(body["organization_name"], "Sandbox Bakery");  // untouched
  EXPECT_NE(body["encoded_account_id"], "x");               // read-only
  EXPECT_EQ(jsonOf(call("GET", "/v3/account/summary"))["organization_phone"], "555-0199");
  EXPECT_EQ(call("PUT", "/v3/account/summary", {{"contact_phone", std::string(26, '5')}}).status, 400);
  EXPECT_EQ(call("PUT", "/v3/account/summary", {{"website", 7}}).status, 400);
}

TEST_F(AccountTest, PhysicalAddressRules) {
  ASSERT_EQ(call("GET", "/v3/account/summary/physical_address").status, 200);
  EXPECT_EQ(call("POST", "/v3/account/summary/physical_address",
                 {{"address_line1", "2 Rye Road"}, {"city", "Boston"}, {"state_code", "MA"}, {"country_code", "US"}})
                .status, 409);
  EXPECT_EQ(call("PUT", "/v3/account/summary/physical_address", {{"city", "Boston"}, {"country_code", "US"}}).status, 400);
  auto moved = call("PUT", "/v3/account/summary/physical_address",
                    {{"address_line1", "2 Rye Road"}, {"city", "Boston"}, {"state_code", "MA"}, {"country_code", "US"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(jsonOf(call("GET", "/v3/account/summary?extra_fields=physical_address"))["physical_address"]["city"], "Boston");
  // A manager holds account:update but is not the owner.
  ASSERT_EQ(client_.postJson("/__sandbox/users", {{"email", "manager@sandbox.test"}, {"password", "sandbox"},
                                                  {"role", "Account Manager"}}).status, 201);
  const auto manager = tokenFor("manager@sandbox.test");
  EXPECT_EQ(call("PUT", "/v3/account/summary/physical_address",
                 {{"address_line1", "3 Oat St"}, {"city", "Salem"}, {"state_code", "MA"}, {"country_code", "US"}}, manager)
                .status, 403);
}

TEST_F(AccountTest, PhysicalAddressIsCreatedOnceOnAnAccountWithoutOne) {
  // An account of its own, since the demo account already has an address.
  auto account = client_.postJson("/__sandbox/accounts", {{"organization_name", "Bare Bakery"}});
  ASSERT_EQ(account.status, 201) << account.body;
  ASSERT_EQ(client_
                .postJson("/__sandbox/users", {{"account_id", jsonOf(account)["encoded_account_id"]},
                                               {"email", "bare@sandbox.test"},
                                               {"password", "sandbox"},
                                               {"role", "Account Owner"}})
                .status,
            201);
  const auto bare = tokenFor("bare@sandbox.test");
  ASSERT_FALSE(bare.empty());
  EXPECT_EQ(call("GET", "/v3/account/summary/physical_address", nullptr, bare).status, 404);
  const json address = {{"address_line1", "2 Rye Road"},
                        {"city", "Boston"},
                        {"state_code", "MA"},
                        {"postal_code", "02101"},
                        {"country_code", "US"}};
  auto created = call("POST", "/v3/account/summary/physical_address", address, bare);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(jsonOf(created)["city"], "Boston");
  auto stored = call("GET", "/v3/account/summary/physical_address", nullptr, bare);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(jsonOf(stored)["address_line1"], "2 Rye Road");
  EXPECT_EQ(jsonOf(stored)["postal_code"], "02101");
  EXPECT_EQ(jsonOf(call("GET", "/v3/account/summary?extra_fields=physical_address", nullptr,
                        bare))["physical_address"]["city"],
            "Boston");
  EXPECT_EQ(call("POST", "/v3/account/summary/physical_address", address, bare).status, 409);
  // The demo account's address is untouched.
  EXPECT_EQ(jsonOf(call("GET", "/v3/account/summary/physical_address"))["city"], "Waltham");
}

TEST_F(AccountTest, AccountEmailsListFilterAndAdd) {
  auto all = jsonOf(call("GET", "/v3/account/emails"));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["confirm_status"], "CONFIRMED");
  auto added = call("POST", "/v3/account/emails", {{"email_address", "news@sandbox.test"}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(jsonOf(added)["confirm_status"], "UNCONFIRMED");
  EXPECT_EQ(call("POST", "/v3/account/emails", {{"email_address", "NEWS@sandbox.test"}}).status, 409);
  EXPECT_EQ(call("POST", "/v3/account/emails", {{"email_address", "nope"}}).status, 400);
  for (const char* bad : {"@", "a@b", "<script>@x.com", "a@-example.com", "ctl\x01@example.com"}) {
    EXPECT_EQ(call("POST", "/v3/account/emails", {{"email_address", bad}}).status, 400) << bad;
  }
  EXPECT_EQ(call("PUT", "/v3/account/summary", {{"contact_email", "@"}}).status, 400);

  auto listed = jsonOf(call("GET", "/v3/account/emails"));
  ASSERT_EQ(listed.size(), all.size() + 1);
  EXPECT_EQ(listed.back()["email_address"], "news@sandbox.test");
  EXPECT_EQ(listed.back()["confirm_status"], "UNCONFIRMED");
  auto unconfirmed = jsonOf(call("GET", "/v3/account/emails?confirm_status=UNCONFIRMED"));
  ASSERT_EQ(unconfirmed.size(), 1u);
  EXPECT_EQ(unconfirmed[0]["email_address"], "news@sandbox.test");
  auto billing = jsonOf(call("GET", "/v3/account/emails?role_code=BILLING"));
  ASSERT_EQ(billing.size(), 1u);
  EXPECT_EQ(billing[0]["email_address"], "owner@sandbox.test");
  auto by_address = jsonOf(call("GET", "/v3/account/emails?email_address=news%40sandbox.test"));
  ASSERT_EQ(by_address.size(), 1u);
  EXPECT_EQ(by_address[0]["email_address"], "news@sandbox.test");
  EXPECT_EQ(call("GET", "/v3/account/emails?confirm_status=MAYBE").status, 400);
  EXPECT_EQ(call("GET", "/v3/account/emails?confirm_status=CONFIRMED&role_code=BILLING").status, 400);
}

}  // namespace
}  // namespace liaison::testing
