// Device authorization grant (RFC 8628): polling answers, slow_down, expiry, denial, single use,
// user-code normalization and guessing limits (T8).
#include "sandbox/sandbox_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;
constexpr const char* kDeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

class DeviceFlowTest : public SandboxTest {
 protected:
  explicit DeviceFlowTest(sandbox::Profile profile = sandbox::Profile::Fast) : SandboxTest(profile) {}

  json start(const std::string& scope = "account_read offline_access") {
    auto response = client_.postForm("/oauth2/default/v1/device/authorize",
                                     formBody({{"client_id", "sandbox-public"}, {"scope", scope}}));
    EXPECT_EQ(response.status, 200) << response.body;
    return jsonOf(response);
  }
  http::Response poll(const std::string& device_code) {
    return client_.postForm(kTokenPath, formBody({{"grant_type", kDeviceGrant}, {"client_id", "sandbox-public"},
                                                  {"device_code", device_code}}));
  }
  std::string pollError(const std::string& device_code) {
    auto body = jsonOf(poll(device_code));
    return body.value("error", "none");
  }
  http::Response enterCode(const std::string& user_code) {
    return client_.postForm("/activate", formBody({{"user_code", user_code}}));
  }
};

class StrictDeviceFlowTest : public DeviceFlowTest {
 protected:
  StrictDeviceFlowTest() : DeviceFlowTest(sandbox::Profile::Strict) {}
};

TEST_F(DeviceFlowTest, StartAnswersWithCodesAndVerificationUris) {
  auto body = start();
  EXPECT_GE(body["device_code"].get<std::string>().size(), 43u);
  EXPECT_TRUE(std::regex_match(body["user_code"].get<std::string>(),
                               std::regex("[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}")));
  EXPECT_EQ(body["verification_uri"], "http://sandbox.test/activate");
  EXPECT_EQ(body["verification_uri_complete"], "http://sandbox.test/activate?user_code=" + body["user_code"].get<std::string>());
  EXPECT_EQ(body["expires_in"], 300);
  EXPECT_EQ(body["interval"], 5);
}

TEST_F(DeviceFlowTest, ConfidentialOnlyAppCannotStartDeviceFlow) {
  auto response = client_.postForm("/oauth2/default/v1/device/authorize", formBody({{"scope", "account_read"}}),
                                   {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}});
  EXPECT_EQ(jsonOf(response)["error"], "unauthorized_client");
}

TEST_F(DeviceFlowTest, T8PendingSlowDownThenTokensOnceThroughTheBrowser) {
  auto body = start();
  const std::string device_code = body["device_code"];
  EXPECT_EQ(pollError(device_code), "authorization_pending");
  advance(1);
  EXPECT_EQ(pollError(device_code), "slow_down");  // 1 s < 5 s: interval becomes 10 s
  advance(6);
  EXPECT_EQ(pollError(device_code), "slow_down");  // 6 s < 10 s: interval becomes 15 s
  advance(15);
  EXPECT_EQ(pollError(device_code), "authorization_pending");

  // The person types the code in lower case without the dash.
  std::string typed = body["user_code"];
  typed.erase(4, 1);
  for (auto& c : typed) c = static_cast<char>(std::tolower(c));
  auto done = client_.loginAndDecide(enterCode(typed), "owner@sandbox.test", "sandbox", "allow");
  EXPECT_EQ(done.status, 200);
  EXPECT_NE(done.body.find("Follow the instructions on your device"), std::string::npos);

  advance(15);
  auto tokens = poll(device_code);
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_TRUE(jsonOf(tokens).contains("refresh_token"));
  EXPECT_EQ(client_.get("/v3/account/summary", jsonOf(tokens)["access_token"]).status, 200);
  advance(15);
  EXPECT_EQ(pollError(device_code), "invalid_grant");  // single use
}

TEST_F(DeviceFlowTest, T8DenialAnswersAccessDenied) {
  auto body = start();
  auto done = client_.loginAndDecide(enterCode(body["user_code"]), "owner@sandbox.test", "sandbox", "deny");
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(pollError(body["device_code"]), "access_denied");
}

TEST_F(DeviceFlowTest, T8ExpiredCodeAnswersExpiredToken) {
  auto body = start();
  advance(301);
  EXPECT_EQ(pollError(body["device_code"]), "expired_token");
  EXPECT_EQ(enterCode(body["user_code"]).status, 400);
}

TEST_F(DeviceFlowTest, ControlApiApprovesWithoutABrowser) {
  auto body = start();
  auto approved = client_.postJson("/__sandbox/device/approve", {{"user_code", body["user_code"]},
                                                                 {"email", "creator@sandbox.test"}});
  ASSERT_EQ(approved.status, 200) << approved.body;
  auto tokens = poll(body["device_code"]);
  ASSERT_EQ(tokens.status, 200);
  auto privileges = jsonOf(client_.get("/v3/account/user/privileges", jsonOf(tokens)["access_token"]));
  bool can_send = false;
  for (const auto& p : privileges) can_send = can_send || p["privilege_name"] == "campaign:send";
  EXPECT_FALSE(can_send);  // a Campaign Creator cannot send
  EXPECT_EQ(client_.postJson("/__sandbox/device/approve", {{"user_code", "BCDF-GHJK"}}).status, 404);
}

TEST_F(DeviceFlowTest, ActivatePagePrefillsTheCode) {
  auto page = client_.get("/activate?user_code=BCDF-GHJK");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("value=\"BCDF-GHJK\""), std::string::npos);
  auto hostile = client_.get("/activate?user_code=%22%3E%3Cscript%3E");
  EXPECT_EQ(hostile.body.find("<script>"), std::string::npos);
}

// README: the fast profile has a "per-address guessing brake only": 10 wrong codes per address a
// minute, then 429 for that address, with a backstop of 1,000 a minute across all addresses.
TEST_F(DeviceFlowTest, FastProfileBrakesGuessingPerAddress) {
  auto body = start();
  auto guess = [](SandboxClient& from) {
    return from.postForm("/activate", formBody({{"user_code", "BBBB-BBBB"}})).status;
  };
  SandboxClient attacker(transport(), "198.51.100.1");
  int wrong = 0, throttled = 0;
  for (int i = 0; i < 15; ++i) {
    const int status = guess(attacker);
    wrong += status == 400;
    throttled += status == 429;
  }
  EXPECT_EQ(wrong, 10);
  EXPECT_EQ(throttled, 5);
  // The brake is on the address: even the right code is refused from there.
  EXPECT_EQ(attacker.postForm("/activate", formBody({{"user_code", body["user_code"]}})).status, 429);
  RecordProperty("fast_user_code_guesses_per_address_minute", wrong);
  advance(60);
  EXPECT_EQ(guess(attacker), 400);  // a minute later the address may try again

  // Over HTTP every request comes from 127.0.0.1, so other addresses exist only in-process.
  if (httpMode()) return;
  SandboxClient neighbour(transport(), "198.51.100.2");
  EXPECT_EQ(neighbour.postForm("/activate", formBody({{"user_code", body["user_code"]}})).status, 303);
  // In a new minute, 100 addresses with 10 wrong codes each reach the backstop of 1,000.
  advance(60);
  for (int address = 0; address < 100; ++address) {
    SandboxClient many(transport(), "203.0.113." + std::to_string(address));
    for (int i = 0; i < 10; ++i) ASSERT_EQ(guess(many), 400) << address << " " << i;
  }
  SandboxClient fresh(transport(), "192.0.2.1");
  EXPECT_EQ(guess(fresh), 429);
}

TEST_F(StrictDeviceFlowTest, T8GuessingIsCappedAcrossAllAddresses) {
  auto body = start();
  const std::string real = body["user_code"];
  int wrong_answers = 0;
  int throttled = 0;
  // 1,000 addresses each try 5 codes.
  for (int address = 0; address < 1000; ++address) {
    // Over HTTP every request comes from 127.0.0.1; the cap is global, so the count is the same.
    SandboxClient attacker(transport(), "198.51." + std::to_string(address / 250) + "." + std::to_string(address % 250));
    for (int i = 0; i < 5; ++i) {
      auto response = attacker.postForm("/activate", formBody({{"user_code", "BBBB-BBB" + std::string(1, "CDFGH"[i])}}));
      if (response.status == 400) ++wrong_answers;
      if (response.status == 429) ++throttled;
    }
  }
  EXPECT_EQ(wrong_answers, 5);
  EXPECT_EQ(throttled, 4995);
  RecordProperty("user_code_guesses_per_code_lifetime", wrong_answers);
  // After the window, the right code goes through again.
  advance(300);
  auto fresh = start();
  EXPECT_EQ(enterCode(fresh["user_code"]).status, 303);
}

}  // namespace
}  // namespace liaison::testing
