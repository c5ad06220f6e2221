// The demo seed's business: what a person sees in the demo account, the same on every run,
// back after a reset, and seeded once with --data.
#include <filesystem>

#include "sandbox/demo_business.h"
#include "sandbox/sandbox_fixture.h"
#include "storage/document_store.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

constexpr const char* kScopes = "account_read contact_data campaign_data";

sandbox::SandboxOptions demoOptions() {
  sandbox::SandboxOptions options;
  options.profile = sandbox::Profile::Fast;
  options.seed = sandbox::SeedKind::Demo;
  options.auth.password_hash_iterations = 1000;
  return options;
}

// A demo sandbox of its own, on its own random source, driven through its handler.
struct DemoSandbox {
  explicit DemoSandbox(storage::DocumentStore* store = nullptr)
      : clock(fromUnixSeconds(1'800'000'000)),
        sandbox(std::make_unique<sandbox::Sandbox>(demoOptions(), clock, random, store)),
        client([this](http::Request& r) { return sandbox->handle(r); }) {
    sandbox->setBaseUrl("http://sandbox.test");
    token = login();
  }
  std::string login() {
    client.forgetCookies();
    auto location = client.authorize(formBody({{"client_id", "sandbox-client"},
                                               {"redirect_uri", kRedirect},
                                               {"response_type", "code"},
                                               {"scope", kScopes}}));
    auto tokens = client.postForm(kTokenPath,
                                  formBody({{"grant_type", "authorization_code"},
                                            {"code", redirectParams(location).getOr("code")},
                                            {"redirect_uri", kRedirect}}),
                                  {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}});
    return jsonOf(tokens)["access_token"];
  }
  json get(const std::string& target) {
    auto response = client.get(target, token);
    EXPECT_EQ(response.status, 200) << target << ": " << response.body;
    return jsonOf(response);
  }
  ManualClock clock;
  CryptoRandom random;
  std::unique_ptr<sandbox::Sandbox> sandbox;
  SandboxClient client;
  std::string token;
};

// Everything a client can read about the demo business, as one value.
json everything(DemoSandbox& demo) {
  json out;
  out["contacts"] = demo.get(
      "/v3/contacts?status=all&limit=500&include=custom_fields,list_memberships,taggings,"
      "phone_numbers,street_addresses");
  out["lists"] = demo.get("/v3/contact_lists?include_membership_count=all");
  out["fields"] = demo.get("/v3/contact_custom_fields");
  out["tags"] = demo.get("/v3/contact_tags?include_count=true");
  out["emails"] = demo.get("/v3/emails");
  out["social"] = demo.get("/v3/social/connections");
  return out;
}

TEST(DemoSeedTest, TheDemoAccountHoldsASmallBusiness) {
  DemoSandbox demo;
  const json counts = demo.get("/v3/contacts/counts");
  EXPECT_EQ(counts["total"], 195);  // 200 created, 5 deleted
  EXPECT_EQ(counts["unsubscribed"], 12);
  EXPECT_EQ(demo.get("/v3/contacts?status=all&limit=500")["contacts"].size(), 200u);
  EXPECT_EQ(demo.get("/v3/contacts?status=deleted&limit=500")["contacts"].size(), 5u);
  const json unsubscribed = demo.get("/v3/contacts?status=unsubscribed&limit=500")["contacts"];
  ASSERT_EQ(unsubscribed.size(), 12u);
  EXPECT_EQ(unsubscribed[0]["email_address"]["permission_to_send"], "unsubscribed");
  EXPECT_TRUE(unsubscribed[0]["email_address"].contains("opt_out_date"));

  const json lists = demo.get("/v3/contact_lists?include_membership_count=all")["lists"];
  ASSERT_EQ(lists.size(), 3u);
  std::map<std::string, int> members;
  for (const auto& list : lists) members[list["name"]] = list["membership_count"];
  EXPECT_GT(members["Bakery Newsletter"], 100);
  EXPECT_GT(members["Wholesale Customers"], 20);
  EXPECT_GT(members["Bread Club"], 20);

  const json fields = demo.get("/v3/contact_custom_fields")["custom_fields"];
  std::string bread_id;
  for (const auto& field : fields) {
    if (field["label"] == "Favorite bread") bread_id = field["custom_field_id"];
  }
  ASSERT_FALSE(bread_id.empty()) << fields.dump();
  const json some = demo.get("/v3/contacts?limit=5&include=custom_fields,taggings")["contacts"];
  ASSERT_EQ(some.size(), 5u);
  bool has_bread = false;
  for (const auto& value : some[0]["custom_fields"])
    has_bread = has_bread || value["custom_field_id"] == bread_id;
  EXPECT_TRUE(has_bread) << some[0].dump();

  const json tags = demo.get("/v3/contact_tags?include_count=true")["tags"];
  ASSERT_EQ(tags.size(), 4u);
  int tagged = 0;
  for (const auto& tag : tags) tagged += tag["contacts_count"].get<int>();
  EXPECT_GT(tagged, 50);

  const json campaigns = demo.get("/v3/emails")["campaigns"];
  ASSERT_EQ(campaigns.size(), 2u);
  std::map<std::string, std::string> status;
  for (const auto& c : campaigns) status[c["name"]] = c["current_status"];
  EXPECT_EQ(status["October Newsletter"], "Done");
  EXPECT_EQ(status["Holiday Pre-orders"], "Draft");
  for (const auto& c : campaigns) {
    if (c["name"] != "October Newsletter") continue;
    const json campaign = demo.get("/v3/emails/" + c["campaign_id"].get<std::string>());
    for (const auto& a : campaign["campaign_activities"]) {
      if (a["role"] != "primary_email") continue;
      const std::string id = a["campaign_activity_id"];
      EXPECT_EQ(demo.get("/v3/emails/activities/" + id)["from_email"], "owner@sandbox.test");
      const json history = demo.get("/v3/emails/activities/" + id + "/send_history");
      ASSERT_EQ(history.size(), 1u);
      EXPECT_GT(history[0]["count"].get<int>(), 100);
    }
  }
  bool confirmed = false;
  for (const auto& e : demo.get("/v3/account/emails")) {
    confirmed =
        confirmed || (e["email_address"] == "owner@sandbox.test" && e["confirm_status"] == "CONFIRMED");
  }
  EXPECT_TRUE(confirmed);
  EXPECT_EQ(demo.get("/v3/social/connections")["connections"].size(), 2u);
  EXPECT_EQ(demo.get("/v3/social/profiles").size(), 3u);

  const json summary = demo.sandbox->demoSummary();
  EXPECT_EQ(summary["contacts"], 200);
  EXPECT_NE(sandbox::describeDemoBusiness(summary).find("200 contacts"), std::string::npos);
}

TEST(DemoSeedTest, TwoFreshSandboxesHoldIdenticalData) {
  DemoSandbox first;
  DemoSandbox second;
  const json a = everything(first);
  EXPECT_EQ(a["contacts"]["contacts"].size(), 200u);
  EXPECT_EQ(a, everything(second));
}

TEST(DemoSeedTest, ResetBringsTheSameBusinessBackAndOtherSeedsHaveNone) {
  DemoSandbox demo;
  const json before = everything(demo);
  const std::string list = before["lists"]["lists"][0]["list_id"];
  ASSERT_EQ(
      demo.client.send("DELETE", "/v3/contact_lists/" + list, "", {{"Authorization", "Bearer " + demo.token}})
          .status,
      202);
  ASSERT_EQ(demo.client.postJson("/__sandbox/reset", {{"seed", "demo"}}).status, 200);
  demo.token = demo.login();
  EXPECT_EQ(everything(demo), before);

  ASSERT_EQ(demo.client.postJson("/__sandbox/reset", {{"seed", "bare"}}).status, 200);
  demo.token = demo.login();
  EXPECT_EQ(demo.get("/v3/contacts?status=all")["contacts"].size(), 0u);
  EXPECT_EQ(demo.get("/v3/contact_lists")["lists"].size(), 0u);
  EXPECT_EQ(demo.get("/v3/emails")["campaigns"].size(), 0u);

  ASSERT_EQ(demo.client.postJson("/__sandbox/reset", {{"seed", "empty"}}).status, 200);
  EXPECT_EQ(demo.client.get("/__sandbox/apps").body, "[]");
}

TEST(DemoSeedTest, SeededOnceWithADataDirectory) {
  const auto dir = std::filesystem::temp_directory_path() / ("liaison-demo-" + CryptoRandom().token(8));
  std::filesystem::create_directories(dir);
  json before;
  {
    auto store = storage::openSqliteDocumentStore((dir / "sandbox.sqlite3").string());
    DemoSandbox demo(store.get());
    ASSERT_EQ(
        demo.client
            .send("POST", "/v3/contacts",
                  json{{"email_address", {{"address", "new@example.com"}}}, {"create_source", "Account"}}
                      .dump(),
                  {{"Authorization", "Bearer " + demo.token}, {"Content-Type", "application/json"}})
            .status,
        201);
    before = demo.get("/v3/contacts?status=all&limit=500");
    demo.sandbox.reset();
  }
  {
    auto store = storage::openSqliteDocumentStore((dir / "sandbox.sqlite3").string());
    DemoSandbox again(store.get());
    const json after = again.get("/v3/contacts?status=all&limit=500");
    EXPECT_EQ(after["contacts"].size(), 201u);
    EXPECT_EQ(after, before);
    again.sandbox.reset();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace liaison::testing
