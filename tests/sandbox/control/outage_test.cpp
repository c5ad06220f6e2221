// POST /__sandbox/outage: every call but the control API's fails for some virtual seconds.
#include "sandbox/sandbox_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

bool outageDropped(const http::Response& response) {
  return response.abort_connection || response.status == 599;
}

class OutageTest : public SandboxTest {
 protected:
  void SetUp() override { token_ = jsonOf(redeemPublic(publicCode()))["access_token"]; }
  http::Response summary() { return client_.get("/v3/account/summary", token_); }
  http::Response keys() { return client_.get("/oauth2/default/v1/keys"); }
  std::string token_;
};

TEST_F(OutageTest, FailsWith503UntilTheVirtualSecondsPass) {
  auto started = client_.postJson("/__sandbox/outage", {{"seconds", 60}, {"mode", "503"}});
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(jsonOf(started)["active"], true);
  EXPECT_EQ(jsonOf(started)["remaining_seconds"], 60);

  auto api = summary();
  EXPECT_EQ(api.status, 503);
  EXPECT_EQ(jsonOf(api)[0]["error_key"], "http.status.service_unavailable");
  EXPECT_EQ(api.headers.get("Retry-After").value_or(""), "60");
  auto token = client_.postForm(
      kTokenPath,
      formBody({{"grant_type", "refresh_token"}, {"client_id", "sandbox-public"}, {"refresh_token", "x"}}));
  EXPECT_EQ(token.status, 503);
  EXPECT_EQ(jsonOf(token)["error"], "temporarily_unavailable");
  EXPECT_EQ(keys().status, 503);
  EXPECT_EQ(client_.get("/oauth2/default/v1/authorize?client_id=sandbox-public").status, 503);

  // The control API stays up meanwhile.
  EXPECT_EQ(client_.get("/__sandbox/clock").status, 200);
  EXPECT_EQ(jsonOf(client_.get("/__sandbox/outage"))["mode"], "503");
  advance(59);
  EXPECT_EQ(summary().status, 503);
  EXPECT_EQ(jsonOf(client_.get("/__sandbox/outage"))["remaining_seconds"], 1);
  advance(1);
  auto after = summary();
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(jsonOf(after)["encoded_account_id"], "a07e1sandbox01");
  EXPECT_EQ(jsonOf(client_.get("/__sandbox/outage"))["active"], false);
}

TEST_F(OutageTest, ResetModeDropsConnectionsAndDeleteEndsItEarly) {
  ASSERT_EQ(client_.postJson("/__sandbox/outage", {{"seconds", 3600}, {"mode", "reset"}}).status, 200);
  EXPECT_TRUE(outageDropped(summary()));
  EXPECT_TRUE(outageDropped(keys()));
  advance(1800);
  EXPECT_TRUE(outageDropped(summary()));
  EXPECT_EQ(client_.send("DELETE", "/__sandbox/outage").status, 204);
  EXPECT_EQ(summary().status, 200);
  EXPECT_EQ(keys().status, 200);
}

TEST_F(OutageTest, NothingRunsDuringAnOutage) {
  ASSERT_EQ(client_.postJson("/__sandbox/outage", {{"seconds", 10}}).status, 200);
  auto created = client_.send("POST", "/v3/contact_lists", json{{"name", "Outage"}}.dump(),
                              {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}});
  EXPECT_EQ(created.status, 503);
  advance(10);
  auto lists = client_.get("/v3/contact_lists", token_);
  EXPECT_EQ(lists.body.find("Outage"), std::string::npos);
}

TEST_F(OutageTest, BadRequestsAreRefusedAndAResetEndsIt) {
  EXPECT_EQ(client_.postJson("/__sandbox/outage", json::object()).status, 400);
  EXPECT_EQ(client_.postJson("/__sandbox/outage", {{"seconds", 0}}).status, 400);
  EXPECT_EQ(client_.postJson("/__sandbox/outage", {{"seconds", 5}, {"mode", "teapot"}}).status, 400);
  EXPECT_EQ(summary().status, 200);
  ASSERT_EQ(client_.postJson("/__sandbox/outage", {{"seconds", 600}}).status, 200);
  ASSERT_EQ(client_.postJson("/__sandbox/reset", {{"seed", "empty"}}).status, 200);
  EXPECT_EQ(keys().status, 200);
}

}  // namespace
}  // namespace liaison::testing
