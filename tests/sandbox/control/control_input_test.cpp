// The control API refuses bodies it would otherwise store in the wrong shape: wrong types,
// unknown account fields, control characters and over-long text, in its own error format.
#include "sandbox/sandbox_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

class ControlInputTest : public SandboxTest {
 protected:
  void expectRefused(const std::string& target, const json& body) {
    const auto response = client_.postJson(target, body);
    EXPECT_EQ(response.status, 400) << target << " " << body.dump() << " " << response.body;
    const json error = jsonOf(response);
    ASSERT_TRUE(error.is_array() && !error.empty()) << response.body;
    EXPECT_EQ(error[0]["error_key"], "sandbox.validation.error") << response.body;
  }
};

TEST_F(ControlInputTest, AnAccountIsCreatedOnlyFromSummaryFieldsOfTheRightType) {
  const std::string apps_before = client_.get("/__sandbox/apps").body;
  expectRefused("/__sandbox/accounts", {{"organization_name", 1}});
  expectRefused("/__sandbox/accounts", {{"organization_name", {{"nested", true}}}});
  expectRefused("/__sandbox/accounts", {{"organization_name", std::string(101, 'o')}});
  expectRefused("/__sandbox/accounts", {{"organization_name", "Bake\x01ry"}});
  expectRefused("/__sandbox/accounts", {{"organization_name", "Bakery"}, {"favourite_colour", "red"}});
  expectRefused("/__sandbox/accounts", {{"encoded_account_id", "../etc"}});
  expectRefused("/__sandbox/accounts", {{"physical_address", "1 Flour Lane"}});
  expectRefused("/__sandbox/accounts",
                {{"physical_address", {{"address_line1", 1}, {"city", "X"}, {"country_code", "GB"}}}});
  // The one that is right is stored as sent, and reads back as text through /v3.
  auto created = client_.postJson(
      "/__sandbox/accounts",
      {{"organization_name", "Rye & Co"},
       {"physical_address", {{"address_line1", "2 Rye Road"}, {"city", "Leeds"}, {"country_code", "GB"}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(jsonOf(created)["organization_name"], "Rye & Co");
  EXPECT_EQ(client_.get("/__sandbox/apps").body, apps_before);
}

TEST_F(ControlInputTest, UsersAppsAndDeviceDecisionsRefuseWrongTypes) {
  expectRefused("/__sandbox/users", {{"email", 5}, {"password", "sandbox"}});
  expectRefused("/__sandbox/users",
                {{"email", "x@sandbox.test"}, {"password", "sandbox"}, {"privileges", "all"}});
  expectRefused("/__sandbox/users",
                {{"email", "x@sandbox.test"}, {"password", "sandbox"}, {"privileges", {1}}});
  expectRefused("/__sandbox/apps", {{"client_id", "app-1"}, {"confidential", "yes"}});
  expectRefused("/__sandbox/apps", {{"client_id", "app-1"}, {"flows", "device"}});
  expectRefused("/__sandbox/apps", {{"client_id", "app\x01"}});
  expectRefused("/__sandbox/apps", {{"client_id", std::string(5000, 'a')}});
  expectRefused("/__sandbox/device/approve", {{"user_code", 12345678}});
  expectRefused("/__sandbox/reset", {{"seed", json::array()}});
  expectRefused("/__sandbox/grants/revoke", {{"client_id", 1}, {"email", "owner@sandbox.test"}});
  const auto user = client_.send("PUT", "/__sandbox/users/owner@sandbox.test", R"({"active":"no"})",
                                 {{"Content-Type", "application/json"}});
  EXPECT_EQ(user.status, 400) << user.body;
}

TEST_F(ControlInputTest, AWholeNumberFieldRefusesFractions) {
  // nlohmann converts 1.5 to 1 silently; the reader does not.
  const auto outage = client_.postJson("/__sandbox/outage", {{"seconds", 1.5}});
  EXPECT_EQ(outage.status, 400) << outage.body;
}

}  // namespace
}  // namespace liaison::testing
