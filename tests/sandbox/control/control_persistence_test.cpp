// The control API, persistence across restarts (--data), and secret entropy (T9).
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "sandbox/sandbox_fixture.h"
#include "storage/document_store.h"
#include "support/temp_dir.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

TEST_F(SandboxTest, ClockCanBeAdvancedAndSetButNotMovedBackwardsByAdvance) {
  auto before = jsonOf(client_.get("/__sandbox/clock"));
  auto after = client_.postJson("/__sandbox/clock/advance", {{"seconds", 3600}});
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(jsonOf(after)["offset_seconds"], 3600);
  EXPECT_EQ(client_.postJson("/__sandbox/clock/advance", {{"seconds", -5}}).status, 400);
  auto set = client_.postJson("/__sandbox/clock/set", {{"now", "2030-01-01T00:00:00Z"}});
  ASSERT_EQ(set.status, 200);
  EXPECT_EQ(jsonOf(set)["now"], "2030-01-01T00:00:00.000Z");
  EXPECT_EQ(client_.postJson("/__sandbox/clock/set", {{"now", "tomorrow"}}).status, 400);
  EXPECT_NE(before["now"], jsonOf(set)["now"]);
}

// The virtual clock runs from now to 2200-01-01T00:00:00Z and never goes back: an input that
// would leave that range is refused, saying what the range is, and changes nothing.
TEST_F(SandboxTest, ClockInputsAreBoundedAndTheClockNeverGoesBack) {
  const std::string start = jsonOf(client_.get("/__sandbox/clock"))["now"];
  ASSERT_EQ(start, "2027-01-15T08:00:00.000Z");  // the fixture's manual clock
  const std::vector<json> bad_advances = {json(INT64_MAX),
                                          json(9223372036854775807ULL),
                                          json(18446744073709551615ULL),
                                          json(1e30),
                                          json(1.5),
                                          json("60"),
                                          json(0),
                                          json(5458118401LL)};
  for (const auto& seconds : bad_advances) {
    auto refused = client_.postJson("/__sandbox/clock/advance", {{"seconds", seconds}});
    EXPECT_EQ(refused.status, 400) << seconds.dump();
    EXPECT_EQ(jsonOf(client_.get("/__sandbox/clock"))["now"], start) << seconds.dump();
  }
  auto too_far = client_.postJson("/__sandbox/clock/advance", {{"seconds", 5458118401LL}});
  EXPECT_NE(too_far.body.find("5458118400"), std::string::npos) << too_far.body;  // the most allowed now
  EXPECT_NE(too_far.body.find("2200-01-01T00:00:00Z"), std::string::npos) << too_far.body;

  for (const char* now : {"2300-01-01T00:00:00Z", "1600-01-01T00:00:00Z", "2200-01-01T00:00:01Z",
                          "2020-01-01T00:00:00Z", "2027-01-15T07:59:59Z"}) {
    auto refused = client_.postJson("/__sandbox/clock/set", {{"now", now}});
    EXPECT_EQ(refused.status, 400) << now;
    // The reason is the range, not the syntax: the message says which range.
    EXPECT_EQ(refused.body.find("ISO-8601"), std::string::npos) << refused.body;
    EXPECT_NE(refused.body.find("2200-01-01T00:00:00Z"), std::string::npos) << refused.body;
    EXPECT_EQ(jsonOf(client_.get("/__sandbox/clock"))["now"], start) << now;
  }
  auto malformed = client_.postJson("/__sandbox/clock/set", {{"now", "2030-13-01T00:00:00Z"}});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find("ISO-8601"), std::string::npos) << malformed.body;

  auto to_the_end = client_.postJson("/__sandbox/clock/advance", {{"seconds", 5458118400LL}});
  ASSERT_EQ(to_the_end.status, 200) << to_the_end.body;
  EXPECT_EQ(jsonOf(to_the_end)["now"], "2200-01-01T00:00:00.000Z");
  EXPECT_EQ(client_.postJson("/__sandbox/clock/advance", {{"seconds", 1}}).status, 400);
  EXPECT_EQ(client_.postJson("/__sandbox/clock/set", {{"now", "2200-01-01T00:00:00Z"}}).status, 200);
}

TEST_F(SandboxTest, RegisteredAppShowsItsSecretOnceAndWorks) {
  auto created = client_.postJson("/__sandbox/apps", {{"name", "Shop Sync"}, {"redirect_uris", {"https://shop.test/cb"}}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string client_id = jsonOf(created)["client_id"];
  const std::string secret = jsonOf(created)["client_secret"];
  EXPECT_GE(secret.size(), 43u);
  auto listed = client_.get("/__sandbox/apps");
  EXPECT_EQ(listed.body.find(secret), std::string::npos);
  EXPECT_NE(listed.body.find(client_id), std::string::npos);
  auto location = client_.authorize(formBody({{"client_id", client_id}, {"redirect_uri", "https://shop.test/cb"},
                                              {"response_type", "code"}, {"scope", "account_read"}}));
  auto tokens = client_.postForm(kTokenPath, formBody({{"grant_type", "authorization_code"},
                                                       {"code", redirectParams(location).getOr("code")},
                                                       {"redirect_uri", "https://shop.test/cb"}}),
                                 {{"Authorization", basicAuth(client_id, secret)}});
  EXPECT_EQ(tokens.status, 200) << tokens.body;
}

TEST_F(SandboxTest, ControlApiRejectsBadInputInCcShape) {
  auto bad_json = client_.send("POST", "/__sandbox/apps", "{", {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_TRUE(jsonOf(bad_json).is_array());
  auto wrong_type = client_.postJson("/__sandbox/apps", {{"redirect_uris", "not-a-list"}});
  EXPECT_EQ(wrong_type.status, 400);
  auto bad_flow = client_.postJson("/__sandbox/apps", {{"flows", {"password"}}});
  EXPECT_EQ(bad_flow.status, 400);
  auto fragment = client_.postJson("/__sandbox/apps", {{"redirect_uris", {"https://a.test/cb#x"}}});
  EXPECT_EQ(fragment.status, 400);
  auto duplicate = client_.postJson("/__sandbox/apps", {{"client_id", "sandbox-client"}});
  EXPECT_EQ(duplicate.status, 409);
  auto bad_role = client_.postJson("/__sandbox/users", {{"email", "x@y.test"}, {"password", "pw123456"}, {"role", "King"}});
  EXPECT_EQ(bad_role.status, 400);
  auto not_json = client_.send("POST", "/__sandbox/users", "email=x", {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(not_json.status, 415);
}

TEST_F(SandboxTest, NewUserWithRoleCanLogIn) {
  auto user = client_.postJson("/__sandbox/users", {{"email", "Manager@Sandbox.test"}, {"password", "bread-and-butter"},
                                                    {"role", "Account Manager"}});
  ASSERT_EQ(user.status, 201) << user.body;
  auto start = client_.get("/oauth2/default/v1/authorize?" +
                           formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                     {"response_type", "code"}, {"scope", "account_read"}}));
  auto done = client_.loginAndDecide(start, "manager@sandbox.test", "bread-and-butter", "allow");
  ASSERT_EQ(done.status, 303) << done.body;
  auto tokens = redeemConfidential(redirectParams(done.headers.get("Location").value_or("")).getOr("code"));
  auto privileges = client_.get("/v3/account/user/privileges", jsonOf(tokens)["access_token"]);
  EXPECT_NE(privileges.body.find("contacts:write"), std::string::npos);
}

TEST_F(SandboxTest, ResetReturnsToTheSeed) {
  ASSERT_EQ(client_.postJson("/__sandbox/apps", {{"client_id", "temp"}}).status, 201);
  const auto token = jsonOf(redeemConfidential(confidentialCode()))["access_token"].get<std::string>();
  advance(100);
  auto reset = client_.postJson("/__sandbox/reset", json::object());
  ASSERT_EQ(reset.status, 200);
  EXPECT_EQ(client_.get("/__sandbox/apps").body.find("\"temp\""), std::string::npos);
  EXPECT_EQ(client_.get("/v3/account/summary", token).status, 401);
  EXPECT_EQ(jsonOf(client_.get("/__sandbox/clock"))["offset_seconds"], 0);
  auto empty = client_.postJson("/__sandbox/reset", {{"seed", "empty"}});
  ASSERT_EQ(empty.status, 200);
  EXPECT_EQ(client_.get("/__sandbox/apps").body, "[]");
}

class PersistenceTest : public ::testing::Test {
 protected:
  std::unique_ptr<sandbox::Sandbox> open(std::unique_ptr<storage::DocumentStore>& store) {
    store = storage::openSqliteDocumentStore(dir_.file("sandbox.sqlite3"));
    auto sandbox = std::make_unique<sandbox::Sandbox>(testSandboxOptions(), clock_, random_, store.get());
    sandbox->setBaseUrl("http://sandbox.test");
    return sandbox;
  }

  TempDir dir_{"liaison-persist"};
  ManualClock clock_{fromUnixSeconds(1'800'000'000)};
  CryptoRandom random_;
};

TEST_F(PersistenceTest, TokensAppsAndSigningKeySurviveARestart) {
  std::unique_ptr<storage::DocumentStore> store;
  auto first = open(store);
  SandboxClient client([&](http::Request& r) { return first->handle(r); });
  ASSERT_EQ(client.postJson("/__sandbox/apps", {{"client_id", "kept"}, {"confidential", false}}).status, 201);
  auto location = client.authorize(formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                             {"response_type", "code"}, {"scope", "account_read offline_access"}}));
  auto tokens = jsonOf(client.postForm(kTokenPath, formBody({{"grant_type", "authorization_code"},
                                                             {"code", redirectParams(location).getOr("code")},
                                                             {"redirect_uri", kRedirect}}),
                                       {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}}));
  const std::string keys = client.get("/oauth2/default/v1/keys").body;
  first.reset();
  store.reset();

  auto second = open(store);
  SandboxClient again([&](http::Request& r) { return second->handle(r); });
  EXPECT_EQ(again.get("/oauth2/default/v1/keys").body, keys);
  EXPECT_EQ(again.get("/v3/account/summary", tokens["access_token"]).status, 200);
  EXPECT_NE(again.get("/__sandbox/apps").body.find("\"kept\""), std::string::npos);
  auto refreshed = again.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"},
                                                        {"refresh_token", tokens["refresh_token"]}}),
                                  {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}});
  EXPECT_EQ(refreshed.status, 200) << refreshed.body;
  // The database holds hashes, never the secrets themselves.
  std::ifstream file(dir_.file("sandbox.sqlite3"), std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(raw.find(tokens["refresh_token"].get<std::string>()), std::string::npos);
  EXPECT_EQ(raw.find("sandbox-secret\""), std::string::npos);
}

TEST_F(PersistenceTest, ContactsAndCampaignsSurviveARestart) {
  std::unique_ptr<storage::DocumentStore> store;
  auto first = open(store);
  SandboxClient client([&](http::Request& r) { return first->handle(r); });
  auto location = client.authorize(formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                             {"response_type", "code"}, {"scope", "contact_data campaign_data"}}));
  const std::string token = jsonOf(client.postForm(kTokenPath, formBody({{"grant_type", "authorization_code"},
                                                                         {"code", redirectParams(location).getOr("code")},
                                                                         {"redirect_uri", kRedirect}}),
                                                   {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}}))
                                ["access_token"];
  auto send = [&](SandboxClient& c, const std::string& method, const std::string& target, const nlohmann::json& body) {
    return c.send(method, target, body.dump(), {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  };
  auto made = send(client, "POST", "/v3/contact_lists", {{"name", "Kept"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string list = jsonOf(made)["list_id"];
  ASSERT_EQ(send(client, "POST", "/v3/contacts", {{"email_address", {{"address", "kept@example.com"},
                                                                     {"permission_to_send", "explicit"}}},
                                                  {"create_source", "Account"}, {"list_memberships", {list}}}).status, 201);
  const nlohmann::json activity = {{"format_type", 5}, {"from_name", "B"}, {"from_email", "owner@sandbox.test"},
                                   {"reply_to_email", "owner@sandbox.test"}, {"subject", "S"},
                                   {"html_content", "<body>[[trackingImage]]</body>"}, {"contact_list_ids", {list}}};
  auto created = send(client, "POST", "/v3/emails", {{"name", "Kept"}, {"email_campaign_activities", {activity}}});
  ASSERT_EQ(created.status, 200) << created.body;
  auto campaign = jsonOf(created);
  const std::string primary = campaign["campaign_activities"][0]["campaign_activity_id"];
  ASSERT_EQ(send(client, "PUT", "/v3/emails/activities/" + primary, activity).status, 200);
  ASSERT_EQ(send(client, "POST", "/v3/emails/activities/" + primary + "/schedules",
                 {{"scheduled_date", formatIso8601(clock_.now() + std::chrono::hours(1))}}).status, 201);
  first.reset();
  store.reset();

  auto second = open(store);
  SandboxClient again([&](http::Request& r) { return second->handle(r); });
  auto found = again.get("/v3/contacts?email=kept@example.com", token);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(jsonOf(found)["contacts"].size(), 1u);
  auto kept = again.get("/v3/emails/" + campaign["campaign_id"].get<std::string>(), token);
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(jsonOf(again.get("/v3/emails/" + campaign["campaign_id"].get<std::string>(), token))["current_status"],
            "Scheduled");
  // The schedule still runs after the restart.
  clock_.advance(std::chrono::hours(2));
  auto history = jsonOf(again.get("/v3/emails/activities/" + primary + "/send_history", token));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0]["count"], 1);
}

// Shannon entropy in bits per character of the observed letter frequencies.
double entropyBits(const std::array<int, 256>& frequency) {
  double total = 0;
  for (int count : frequency) total += count;
  double bits = 0;
  for (int count : frequency) {
    if (count > 0) bits -= count / total * std::log2(count / total);
  }
  return bits;
}

// T9: secrets from the CSPRNG have no duplicates and the designed entropy, measured over 2,000
// draws of each (the reliability bar's 10^6 would make the unit tier slow; 2,000 already bound
// the per-character estimate to within 0.01 bit).
TEST_F(SandboxTest, T9SecretsAreUniqueAndHighEntropy) {
  std::set<std::string> device_codes;
  std::set<std::string> user_codes;
  std::array<int, 256> device_letters{};
  std::array<int, 256> user_letters{};
  const int draws = 2000;
  for (int i = 0; i < draws; ++i) {
    auto response = client_.postForm("/oauth2/default/v1/device/authorize",
                                     formBody({{"client_id", "sandbox-public"}, {"scope", "account_read"}}));
    ASSERT_EQ(response.status, 200) << response.body;
    auto body = jsonOf(response);
    const std::string device = body["device_code"];
    const std::string user = body["user_code"];
    device_codes.insert(device);
    user_codes.insert(user);
    // The 43rd character carries only 4 random bits; count the 42 full ones.
    for (unsigned char c : device.substr(0, 42)) device_letters[c]++;
    for (unsigned char c : user) {
      if (c != '-') user_letters[c]++;
    }
  }
  EXPECT_EQ(device_codes.size(), static_cast<size_t>(draws));
  EXPECT_EQ(user_codes.size(), static_cast<size_t>(draws));
  // 32 random bytes in base64url: 42 full characters over a 64-letter alphabet, uniform.
  int used_letters = 0;
  for (int count : device_letters) used_letters += count > 0;
  EXPECT_EQ(used_letters, 64);
  const double expected = draws * 42.0 / 64.0;
  double chi2 = 0;
  for (int count : device_letters) {
    if (count > 0) chi2 += (count - expected) * (count - expected) / expected;
  }
  EXPECT_LT(chi2, 130.0);  // 63 degrees of freedom; p < 1e-6 beyond this
  // Measured, not assumed: 6 bits per character is the most a 64-letter alphabet holds, and
  // log2(20) = 4.32 for the user codes' 20 letters.
  const double device_bits = entropyBits(device_letters);
  const double user_bits = entropyBits(user_letters);
  int user_alphabet = 0;
  for (int count : user_letters) user_alphabet += count > 0;
  EXPECT_EQ(user_alphabet, 20);
  EXPECT_GT(device_bits, 5.99);
  EXPECT_GT(user_bits, 4.31);
  RecordProperty("device_code_chi2", std::to_string(chi2));
  RecordProperty("device_code_bits_per_char", std::to_string(device_bits));
  RecordProperty("device_code_bits", std::to_string(device_bits * 42 + 4));
  RecordProperty("user_code_bits_per_char", std::to_string(user_bits));
  RecordProperty("user_code_bits", std::to_string(user_bits * 8));
}

}  // namespace
}  // namespace liaison::testing
