// README's promises for `liaison sandbox --data DIR`, checked on the real binary: whatever was
// acknowledged survives kill -9 (a contact create, an import, a campaign schedule); the data
// directory is private (0700); a snapshot restore is durable too.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>

#include "http/client/http_client.h"
#include "integration/child_process.h"
#include "sandbox/sandbox_fixture.h"
#include "support/temp_dir.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

// A sandbox on --data in a temp dir, restarted on the same address (so tokens keep their
// issuer) after each kill -9.
class DurabilityTest : public ::testing::Test {
 protected:
  void start() {
    const std::string listen = base_.empty() ? "127.0.0.1:0" : base_.substr(base_.find("127.0.0.1"));
    child_ = std::make_unique<ChildProcess>(
        sandboxArgs({"--data", dir_.file("data"), "--profile", "fast"}, listen));
    const std::string url = bannerUrl(*child_);
    ASSERT_FALSE(url.empty()) << "no banner";
    if (!base_.empty()) ASSERT_EQ(url, base_);
    base_ = url;
    client_ = std::make_unique<SandboxClient>(clientTransport(base_, *http_));
  }
  // SIGKILL right after the acknowledgement: nothing gets a chance to flush.
  void killNineAndRestart() {
    child_->stop(SIGKILL);
    start();
  }
  void token() {
    auto tokens = deviceFlowTokens(*client_, "account_read contact_data campaign_data");
    ASSERT_TRUE(tokens.contains("access_token")) << tokens.dump();
    token_ = tokens["access_token"];
  }
  http::Response call(const std::string& method, const std::string& target, const json& body = nullptr) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + token_}};
    if (body.is_null()) return client_->send(method, target, "", headers);
    headers.emplace_back("Content-Type", "application/json");
    return client_->send(method, target, body.dump(), headers);
  }
  json contactByEmail(const std::string& email) {
    auto found = jsonOf(call("GET", "/v3/contacts?include=list_memberships&email=" + email));
    return found["contacts"].size() == 1 ? found["contacts"][0] : json();
  }

  TempDir dir_{"liaison-durable"};
  std::unique_ptr<http::HttpClient> http_ = http::makeCurlHttpClient();
  std::unique_ptr<ChildProcess> child_;
  std::unique_ptr<SandboxClient> client_;
  std::string base_;
  std::string token_;
};

TEST_F(DurabilityTest, AcknowledgedContactImportAndScheduleSurviveKillNine) {
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_NO_FATAL_FAILURE(token());

  auto created = call("POST", "/v3/contacts",
                      {{"email_address", {{"address", "durable@example.com"}}},
                       {"first_name", "Dura"},
                       {"create_source", "Account"}});
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_NO_FATAL_FAILURE(killNineAndRestart());
  auto contact = call("GET", "/v3/contacts/" + jsonOf(created)["contact_id"].get<std::string>());
  ASSERT_EQ(contact.status, 200) << contact.body;
  EXPECT_EQ(jsonOf(contact)["first_name"], "Dura");

  auto list = call("POST", "/v3/contact_lists", {{"name", "Durable import"}});
  ASSERT_EQ(list.status, 201) << list.body;
  const std::string list_id = jsonOf(list)["list_id"];
  auto imported =
      call("POST", "/v3/activities/contacts_json_import",
           {{"import_data",
             {{{"email", "imp1@example.com"}, {"first_name", "Imp"}}, {{"email", "imp2@example.com"}}}},
            {"list_ids", {list_id}}});
  ASSERT_EQ(imported.status, 201) << imported.body;
  ASSERT_NO_FATAL_FAILURE(killNineAndRestart());
  for (const std::string email : {"imp1%40example.com", "imp2%40example.com"}) {
    auto found = contactByEmail(email);
    ASSERT_TRUE(found.is_object()) << email;
    EXPECT_EQ(found["list_memberships"], json({list_id})) << email;
  }
  EXPECT_EQ(contactByEmail("imp1%40example.com")["first_name"], "Imp");
  EXPECT_EQ(call("GET", "/v3/activities/" + jsonOf(imported)["activity_id"].get<std::string>()).status, 200);

  const json content = {{"format_type", 5},
                        {"from_name", "B"},
                        {"from_email", "owner@sandbox.test"},
                        {"reply_to_email", "owner@sandbox.test"},
                        {"subject", "Durable"},
                        {"html_content", "<html><body>Hi [[trackingImage]]</body></html>"},
                        {"contact_list_ids", {list_id}}};
  auto campaign =
      call("POST", "/v3/emails", {{"name", "Durable campaign"}, {"email_campaign_activities", {content}}});
  ASSERT_EQ(campaign.status, 200) << campaign.body;
  const json campaign_body = jsonOf(campaign);
  std::string primary;
  for (const auto& a : campaign_body["campaign_activities"]) {
    if (a["role"] == "primary_email") primary = a["campaign_activity_id"];
  }
  ASSERT_EQ(call("PUT", "/v3/emails/activities/" + primary, content).status, 200);
  // A day ahead on the wall clock, which the restarted sandbox's virtual clock follows.
  const std::string when = formatIso8601(SystemClock().now() + std::chrono::hours(24));
  auto scheduled =
      call("POST", "/v3/emails/activities/" + primary + "/schedules", {{"scheduled_date", when}});
  ASSERT_EQ(scheduled.status, 201) << scheduled.body;
  const json schedule = jsonOf(scheduled);
  ASSERT_NO_FATAL_FAILURE(killNineAndRestart());
  EXPECT_EQ(jsonOf(call("GET", "/v3/emails/activities/" + primary + "/schedules")), schedule);
  EXPECT_EQ(
      jsonOf(call("GET", "/v3/emails/" + campaign_body["campaign_id"].get<std::string>()))["current_status"],
      "Scheduled");
}

TEST_F(DurabilityTest, DataDirectoryIsMadePrivate) {
  // Created beforehand as anyone-may-read: the sandbox must tighten it, not only create it 0700.
  std::filesystem::create_directories(dir_.file("data"));
  std::filesystem::permissions(dir_.file("data"),
                               std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                   std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                   std::filesystem::perms::others_exec);
  ASSERT_NO_FATAL_FAILURE(start());
  struct stat info {};
  ASSERT_EQ(::stat(dir_.file("data").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "data" / "sandbox.sqlite3"));
}

TEST_F(DurabilityTest, SnapshotRestoreSurvivesARestart) {
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_NO_FATAL_FAILURE(token());
  const json kept = {{"email_address", {{"address", "kept@example.com"}}}, {"create_source", "Account"}};
  ASSERT_EQ(call("POST", "/v3/contacts", kept).status, 201);
  ASSERT_EQ(client_->postJson("/__sandbox/snapshots", {{"name", "before"}}).status, 201);
  const json dropped = {{"email_address", {{"address", "dropped@example.com"}}},
                        {"create_source", "Account"}};
  ASSERT_EQ(call("POST", "/v3/contacts", dropped).status, 201);
  ASSERT_EQ(client_->postJson("/__sandbox/snapshots/before/restore", json::object()).status, 200);
  ASSERT_NO_FATAL_FAILURE(killNineAndRestart());
  EXPECT_TRUE(contactByEmail("kept%40example.com").is_object());
  EXPECT_TRUE(contactByEmail("dropped%40example.com").is_null());
  // The restore is what the store holds: the dropped address is free again.
  EXPECT_EQ(call("POST", "/v3/contacts", dropped).status, 201);
}

}  // namespace
}  // namespace liaison::testing
