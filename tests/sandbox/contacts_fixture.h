#pragma once
// A sandbox test with an owner's contact_data token and helpers for /v3 JSON calls, on the demo
// account without the demo's data.
#include "sandbox/sandbox_fixture.h"

namespace liaison::testing {

using nlohmann::json;

class ContactsTest : public SandboxTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(emptyDemoAccount());
    token_ = jsonOf(redeemConfidential(confidentialCode("contact_data")))["access_token"];
  }

  // These tests count contacts, lists, fields, tags, activities and campaigns, so they start from
  // `--seed empty`'s equivalent and rebuild, through the control API, only what they log in
  // with: the demo's account (same id, summary and address), users, apps and confirmed sender.
  // Counts then hold whatever data the demo seed carries.
  void emptyDemoAccount() {
    ASSERT_EQ(client_.postJson("/__sandbox/reset", {{"seed", "empty"}}).status, 200);
    auto account = client_.postJson("/__sandbox/accounts", {
        {"encoded_account_id", "a07e1sandbox01"}, {"organization_name", "Sandbox Bakery"}, {"first_name", "Olive"},
        {"last_name", "Owner"}, {"contact_email", "owner@sandbox.test"}, {"contact_phone", "555-0100"},
        {"organization_phone", "555-0199"}, {"website", "https://bakery.sandbox.test"}, {"country_code", "US"},
        {"state_code", "MA"}, {"time_zone_id", "America/New_York"},
        {"physical_address", {{"address_line1", "1 Flour Lane"}, {"city", "Waltham"}, {"state_code", "MA"},
                              {"postal_code", "02451"}, {"country_code", "US"}}}});
    ASSERT_EQ(account.status, 201) << account.body;
    for (const auto& [email, role] : {std::pair{"owner@sandbox.test", "Account Owner"},
                                      std::pair{"creator@sandbox.test", "Campaign Creator"}}) {
      auto user = client_.postJson("/__sandbox/users", {{"account_id", "a07e1sandbox01"}, {"email", email},
                                                        {"password", "sandbox"}, {"role", role}});
      ASSERT_EQ(user.status, 201) << user.body;
    }
    const json loopback = {"http://127.0.0.1/callback", "http://localhost/callback"};
    auto confidential = client_.postJson("/__sandbox/apps", {
        {"client_id", "sandbox-client"}, {"name", "Sandbox Confidential App"}, {"confidential", true},
        {"client_secret", "sandbox-secret"}, {"redirect_uris", loopback}, {"flows", {"authorization_code"}}});
    ASSERT_EQ(confidential.status, 201) << confidential.body;
    auto pub = client_.postJson("/__sandbox/apps", {{"client_id", "sandbox-public"}, {"name", "Sandbox Public App"},
                                                    {"confidential", false}, {"redirect_uris", loopback},
                                                    {"flows", {"pkce", "device"}}});
    ASSERT_EQ(pub.status, 201) << pub.body;
    // The owner's address as a confirmed sender, as in the demo: campaigns send from it.
    const std::string setup = jsonOf(redeemConfidential(confidentialCode("account_update")))["access_token"];
    auto added = client_.send("POST", "/v3/account/emails", json{{"email_address", "owner@sandbox.test"}}.dump(),
                              {{"Authorization", "Bearer " + setup}, {"Content-Type", "application/json"}});
    ASSERT_EQ(added.status, 201) << added.body;
    ASSERT_EQ(client_.postJson("/__sandbox/accounts/a07e1sandbox01/emails/confirm",
                               {{"email_address", "owner@sandbox.test"}}).status, 200);
  }
  http::Response call(const std::string& method, const std::string& target, const json& body = nullptr) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + token_}};
    if (body.is_null()) return client_.send(method, target, "", headers);
    headers.emplace_back("Content-Type", "application/json");
    return client_.send(method, target, body.dump(), headers);
  }
  json create(const std::string& email, json extra = json::object()) {
    json body = {{"email_address", {{"address", email}}}, {"create_source", "Account"}};
    body.update(extra);
    auto response = call("POST", "/v3/contacts", body);
    EXPECT_EQ(response.status, 201) << response.body;
    return jsonOf(response);
  }
  std::string makeList(const std::string& name) {
    auto response = call("POST", "/v3/contact_lists", {{"name", name}});
    EXPECT_EQ(response.status, 201) << response.body;
    return jsonOf(response)["list_id"];
  }
  std::string token_;
};

}  // namespace liaison::testing
