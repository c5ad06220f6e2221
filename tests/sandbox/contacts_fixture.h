#pragma once
// A sandbox test with an owner's contact_data token and helpers for /v3 JSON calls, on the demo
// account without the demo's data.
#include "sandbox/sandbox_fixture.h"

namespace liaison::testing {

using nlohmann::json;

class ContactsTest : public SandboxTest {
 protected:
  // The fixture's sandbox starts from the bare seed: the demo account, its users, apps and
  // confirmed sender, without the demo's business, so counts start from zero.
  void SetUp() override {
    token_ = jsonOf(redeemConfidential(confidentialCode("contact_data")))["access_token"];
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
