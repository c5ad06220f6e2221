// /v3/emails: campaign creation rules (custom code, [[trackingImage]], confirmed senders, unique
// names), activities and recipients, schedules on the virtual clock, send history reaching only
// new members on a re-send, deletion, and test-send limits.
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/contacts_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

constexpr const char* kHtml = "<html><body><p>Fresh rye today.</p>[[trackingImage]]</body></html>";

json activityBody(json extra = json::object()) {
  json body = {{"format_type", 5}, {"from_name", "Sandbox Bakery"}, {"from_email", "owner@sandbox.test"},
               {"reply_to_email", "owner@sandbox.test"}, {"subject", "This week"}, {"html_content", kHtml}};
  body.update(extra);
  return body;
}

class EmailsTest : public ContactsTest {
 protected:
  void SetUp() override {
    token_ = jsonOf(redeemConfidential(confidentialCode("account_read account_update contact_data campaign_data")))
        ["access_token"];
  }
  json createCampaign(const std::string& name, json activity = activityBody()) {
    auto response = call("POST", "/v3/emails", {{"name", name}, {"email_campaign_activities", {activity}}});
    EXPECT_EQ(response.status, 200) << response.body;
    return jsonOf(response);
  }
  static std::string primaryOf(const json& campaign) {
    for (const auto& a : campaign["campaign_activities"]) {
      if (a["role"] == "primary_email") return a["campaign_activity_id"];
    }
    return "";
  }
  json activity(const std::string& id, const std::string& include = "") {
    auto response = call("GET", "/v3/emails/activities/" + id + (include.empty() ? "" : "?include=" + include));
    EXPECT_EQ(response.status, 200) << response.body;
    return jsonOf(response);
  }
  std::string errorKey(const http::Response& response) { return jsonOf(response)[0]["error_key"]; }
  void advance(std::chrono::seconds by) { sandbox_->clock().advance(by); }
};

TEST_F(EmailsTest, CreateAnswersTheCampaignWithPrimaryAndPermalinkActivities) {
  auto campaign = createCampaign("November news");
  EXPECT_TRUE(sandbox::isUuid(campaign["campaign_id"]));
  EXPECT_EQ(campaign["current_status"], "Draft");
  EXPECT_EQ(campaign["type_code"], 26);
  ASSERT_EQ(campaign["campaign_activities"].size(), 2u);
  EXPECT_EQ(campaign["campaign_activities"][1]["role"], "permalink");

  auto fetched = jsonOf(call("GET", "/v3/emails/" + campaign["campaign_id"].get<std::string>()));
  EXPECT_EQ(fetched["name"], "November news");
  auto plain = activity(primaryOf(campaign));
  EXPECT_EQ(plain["role"], "primary_email");
  EXPECT_EQ(plain["current_status"], "DRAFT");
  EXPECT_EQ(plain["format_type"], 5);
  EXPECT_FALSE(plain.contains("html_content"));  // only with include=html_content
  auto full = activity(primaryOf(campaign), "html_content,physical_address_in_footer");
  EXPECT_EQ(full["html_content"], kHtml);
  // No footer in the body: the account's address is used.
  EXPECT_EQ(full["physical_address_in_footer"]["organization_name"], "Sandbox Bakery");
  EXPECT_EQ(full["physical_address_in_footer"]["city"], "Waltham");
  EXPECT_EQ(call("GET", "/v3/emails/activities/" + primaryOf(campaign) + "?include=everything").status, 400);
}

TEST_F(EmailsTest, CreateEnforcesCustomCodeTrackingImageAndConfirmedSenders) {
  auto reject = [&](json activity, const std::string& mention) {
    auto response = call("POST", "/v3/emails", {{"name", "Bad"}, {"email_campaign_activities", {activity}}});
    EXPECT_EQ(response.status, 400) << mention;
    EXPECT_EQ(errorKey(response), "campaign.api.validation.error");
    EXPECT_NE(response.body.find(mention), std::string::npos) << response.body;
  };
  reject(activityBody({{"html_content", "<html><body>no image</body></html>"}}), "[[trackingImage]]");
  reject(activityBody({{"html_content", "<html><head>[[trackingImage]]</head><body>x</body></html>"}}), "<body>");
  reject(activityBody({{"format_type", 7}}), "format_type");
  reject(activityBody({{"from_email", "nobody@elsewhere.test"}}), "confirmed");
  reject(activityBody({{"from_name", std::string(101, 'a')}}), "from_name");
  reject(activityBody({{"html_content", std::string(150001, 'a') + "[[trackingImage]]"}}), "html_content");
  reject(activityBody({{"physical_address_in_footer", {{"organization_name", "B"}, {"address_line1", "1 Main"},
                                                       {"country_code", "US"}}}}),
         "state_code");
  json no_subject = activityBody();
  no_subject.erase("subject");
  reject(no_subject, "subject");
  auto two = call("POST", "/v3/emails", {{"name", "Two"}, {"email_campaign_activities", {activityBody(), activityBody()}}});
  EXPECT_EQ(two.status, 400);

  // An added address becomes a valid sender only once confirmed.
  EXPECT_EQ(call("POST", "/v3/account/emails", {{"email_address", "news@sandbox.test"}}).status, 201);
  reject(activityBody({{"from_email", "news@sandbox.test"}}), "confirmed");
  http::Request confirm;
  confirm.method = "POST";
  confirm.target = "/__sandbox/accounts/a07e1sandbox01/emails/confirm";
  confirm.body = R"({"email_address":"news@sandbox.test"})";
  EXPECT_EQ(sandbox_->handle(confirm).status, 200);
  createCampaign("From news", activityBody({{"from_email", "news@sandbox.test"}}));
  EXPECT_EQ(call("GET", "/v3/emails?limit=50").status, 200);
}

TEST_F(EmailsTest, NamesAreUniqueAndRenameFollowsTheSameRule) {
  auto first = createCampaign("Spring");
  auto second = createCampaign("Summer");
  auto duplicate = call("POST", "/v3/emails", {{"name", "spring"}, {"email_campaign_activities", {activityBody()}}});
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(errorKey(duplicate), "campaign.api.conflict");
  const std::string id = second["campaign_id"];
  EXPECT_EQ(call("PATCH", "/v3/emails/" + id, {{"name", "Spring"}}).status, 409);
  EXPECT_EQ(call("PATCH", "/v3/emails/" + id, {{"name", std::string(81, 'x')}}).status, 400);
  advance(std::chrono::seconds(5));
  auto renamed = call("PATCH", "/v3/emails/" + id, {{"name", "Autumn"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(jsonOf(renamed)["name"], "Autumn");
  EXPECT_NE(jsonOf(renamed)["updated_at"], second["updated_at"]);
  EXPECT_EQ(call("GET", "/v3/emails/not-a-campaign").status, 404);
}

TEST_F(EmailsTest, ScheduledSendRunsOnTheVirtualClockAndResendReachesOnlyNewMembers) {
  const std::string list = makeList("Regulars");
  create("a@example.com", {{"list_memberships", {list}}, {"email_address", {{"address", "a@example.com"},
                                                                             {"permission_to_send", "explicit"}}}});
  create("b@example.com", {{"list_memberships", {list}}, {"email_address", {{"address", "b@example.com"},
                                                                             {"permission_to_send", "implicit"}}}});
  create("gone@example.com", {{"list_memberships", {list}}, {"email_address", {{"address", "gone@example.com"},
                                                                                {"permission_to_send", "unsubscribed"}}}});
  auto campaign = createCampaign("Weekly");
  const std::string id = primaryOf(campaign);
  // No recipients yet: scheduling is refused.
  EXPECT_EQ(call("POST", "/v3/emails/activities/" + id + "/schedules", {{"scheduled_date", "0"}}).status, 400);
  EXPECT_EQ(call("PUT", "/v3/emails/activities/" + id,
                 activityBody({{"contact_list_ids", {"00000000-0000-4000-8000-000000000000"}}})).status, 404);
  EXPECT_EQ(call("PUT", "/v3/emails/activities/" + id, activityBody({{"contact_list_ids", "x"}})).status, 400);
  auto put = call("PUT", "/v3/emails/activities/" + id, activityBody({{"contact_list_ids", {list}}}));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(jsonOf(put)["contact_list_ids"][0], list);

  EXPECT_EQ(call("POST", "/v3/emails/activities/" + id + "/schedules",
                 {{"scheduled_date", formatIso8601(sandbox_->clock().now() - std::chrono::hours(1))}}).status, 400);
  const std::string when = formatIso8601(sandbox_->clock().now() + std::chrono::hours(2));
  auto scheduled = call("POST", "/v3/emails/activities/" + id + "/schedules", {{"scheduled_date", when}});
  ASSERT_EQ(scheduled.status, 201) << scheduled.body;
  EXPECT_EQ(jsonOf(scheduled)[0]["scheduled_date"], when);
  EXPECT_EQ(jsonOf(call("GET", "/v3/emails/activities/" + id + "/schedules"))[0]["scheduled_date"], when);
  EXPECT_EQ(jsonOf(call("GET", "/v3/emails/" + campaign["campaign_id"].get<std::string>()))["current_status"],
            "Scheduled");
  // A scheduled activity can neither be edited nor its campaign deleted.
  EXPECT_EQ(call("PUT", "/v3/emails/activities/" + id, activityBody({{"contact_list_ids", {list}}})).status, 400);
  EXPECT_EQ(call("DELETE", "/v3/emails/" + campaign["campaign_id"].get<std::string>()).status, 400);

  advance(std::chrono::hours(2));
  EXPECT_EQ(activity(id)["current_status"], "EXECUTING");
  advance(std::chrono::seconds(60));
  EXPECT_EQ(activity(id)["current_status"], "DONE");
  EXPECT_EQ(jsonOf(call("GET", "/v3/emails/" + campaign["campaign_id"].get<std::string>()))["current_status"], "Done");
  auto history = jsonOf(call("GET", "/v3/emails/activities/" + id + "/send_history"));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0]["count"], 2);  // the unsubscribed member is not emailed
  EXPECT_EQ(history[0]["send_status"], "COMPLETED");
  EXPECT_TRUE(jsonOf(call("GET", "/v3/emails/activities/" + id + "/schedules")).empty());

  // Re-sending a DONE activity reaches only members added since.
  create("c@example.com", {{"list_memberships", {list}}, {"email_address", {{"address", "c@example.com"},
                                                                             {"permission_to_send", "explicit"}}}});
  auto now = call("POST", "/v3/emails/activities/" + id + "/schedules", {{"scheduled_date", "0"}});
  ASSERT_EQ(now.status, 201) << now.body;
  EXPECT_TRUE(jsonOf(now).empty());
  EXPECT_EQ(activity(id)["current_status"], "EXECUTING");
  advance(std::chrono::seconds(60));
  history = jsonOf(call("GET", "/v3/emails/activities/" + id + "/send_history"));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1]["send_id"], 2);
  EXPECT_EQ(history[1]["count"], 1);
}

TEST_F(EmailsTest, UnscheduleRestoresThePreviousStatusAndDeletedListsFailTheSend) {
  const std::string list = makeList("Soon gone");
  auto campaign = createCampaign("Doomed");
  const std::string id = primaryOf(campaign);
  ASSERT_EQ(call("PUT", "/v3/emails/activities/" + id, activityBody({{"contact_list_ids", {list}}})).status, 200);
  const std::string when = formatIso8601(sandbox_->clock().now() + std::chrono::hours(1));
  ASSERT_EQ(call("POST", "/v3/emails/activities/" + id + "/schedules", {{"scheduled_date", when}}).status, 201);
  EXPECT_EQ(call("DELETE", "/v3/emails/activities/" + id + "/schedules").status, 204);
  EXPECT_EQ(activity(id)["current_status"], "DRAFT");
  EXPECT_TRUE(jsonOf(call("GET", "/v3/emails/activities/" + id + "/schedules")).empty());
  EXPECT_EQ(jsonOf(call("GET", "/v3/emails/" + campaign["campaign_id"].get<std::string>()))["current_status"],
            "Draft");
  advance(std::chrono::hours(2));  // past the old time: nothing is sent
  EXPECT_EQ(activity(id)["current_status"], "DRAFT");
  EXPECT_TRUE(jsonOf(call("GET", "/v3/emails/activities/" + id + "/send_history")).empty());
  EXPECT_EQ(call("DELETE", "/v3/emails/activities/" + id + "/schedules").status, 400);  // nothing scheduled

  const std::string again = formatIso8601(sandbox_->clock().now() + std::chrono::hours(1));
  ASSERT_EQ(call("POST", "/v3/emails/activities/" + id + "/schedules", {{"scheduled_date", again}}).status,
            201);
  ASSERT_EQ(call("DELETE", "/v3/contact_lists/" + list).status, 202);
  advance(std::chrono::hours(2));
  EXPECT_EQ(activity(id)["current_status"], "ERROR");
  auto history = jsonOf(call("GET", "/v3/emails/activities/" + id + "/send_history"));
  EXPECT_EQ(history[0]["send_status"], "ERRORED");
  EXPECT_EQ(history[0]["reason_code"], 1);
}

TEST_F(EmailsTest, DeleteMarksTheCampaignRemovedAndItStaysListed) {
  auto campaign = createCampaign("Old news");
  const std::string id = campaign["campaign_id"];
  EXPECT_EQ(call("DELETE", "/v3/emails/" + id).status, 204);
  EXPECT_EQ(jsonOf(call("GET", "/v3/emails/" + id))["current_status"], "Removed");
  EXPECT_EQ(activity(primaryOf(campaign))["current_status"], "REMOVED");
  EXPECT_EQ(call("PATCH", "/v3/emails/" + id, {{"name", "Revived"}}).status, 400);
  EXPECT_EQ(call("DELETE", "/v3/emails/" + id).status, 404);
  auto listed = jsonOf(call("GET", "/v3/emails"));
  ASSERT_EQ(listed["campaigns"].size(), 1u);
  EXPECT_EQ(listed["campaigns"][0]["current_status"], "Removed");
  EXPECT_FALSE(listed["campaigns"][0].contains("campaign_activities"));
}

TEST_F(EmailsTest, ListingPagesAndFiltersOnUpdatedAt) {
  for (int i = 0; i < 5; ++i) {
    createCampaign("Issue " + std::to_string(i));
    advance(std::chrono::seconds(10));
  }
  auto page = jsonOf(call("GET", "/v3/emails?limit=2"));
  ASSERT_EQ(page["campaigns"].size(), 2u);
  std::vector<std::string> names;
  std::string next = page["_links"]["next"]["href"];
  for (const auto& c : page["campaigns"]) names.push_back(c["name"]);
  // Bounded: a cursor that led back to itself would otherwise loop forever.
  for (int pages = 1; !next.empty() && pages < 10; ++pages) {
    page = jsonOf(call("GET", next));
    for (const auto& c : page["campaigns"]) names.push_back(c["name"]);
    next = page["_links"].contains("next") ? page["_links"]["next"]["href"].get<std::string>() : "";
  }
  EXPECT_EQ(names.size(), 5u);
  const std::string cut = formatIso8601(sandbox_->clock().now() - std::chrono::seconds(25));
  auto recent = jsonOf(call("GET", "/v3/emails?after_date=" + cut));
  EXPECT_EQ(recent["campaigns"].size(), 2u);
  auto older = jsonOf(call("GET", "/v3/emails?before_date=" + cut));
  EXPECT_EQ(older["campaigns"].size(), 3u);
  EXPECT_EQ(call("GET", "/v3/emails?limit=501").status, 400);
  EXPECT_EQ(call("GET", "/v3/emails?after_date=yesterday").status, 400);
  EXPECT_EQ(call("GET", "/v3/emails?cursor=%%%").status, 400);
}

TEST_F(EmailsTest, TestSendsAllowFiveAddressesAndFiftyRecipientsADay) {
  auto campaign = createCampaign("Proof");
  const std::string id = primaryOf(campaign);
  const std::string tests = "/v3/emails/activities/" + id + "/tests";
  json five = json::array();
  for (int i = 0; i < 5; ++i) five.push_back("t" + std::to_string(i) + "@example.com");
  json six = five;
  six.push_back("t5@example.com");
  EXPECT_EQ(call("POST", tests, {{"email_addresses", six}}).status, 400);
  EXPECT_EQ(call("POST", tests, {{"email_addresses", {"not-an-address"}}}).status, 400);
  EXPECT_EQ(call("POST", tests, {{"email_addresses", json::array()}}).status, 400);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(call("POST", tests, {{"email_addresses", five}, {"personal_message", "Look"}}).status, 204) << i;
  }
  auto over = call("POST", tests, {{"email_addresses", {"late@example.com"}}});
  EXPECT_EQ(over.status, 429);
  http::Request outbox;
  outbox.method = "GET";
  outbox.target = "/__sandbox/emails/tests";
  EXPECT_EQ(jsonOf(sandbox_->handle(outbox)).size(), 10u);
  // The allowance is per UTC day of the virtual clock (the test clock starts at 08:00 UTC).
  advance(std::chrono::hours(16));
  EXPECT_EQ(call("POST", tests, {{"email_addresses", {"late@example.com"}}}).status, 204);
  // Only the primary_email activity can be tested.
  const std::string permalink = campaign["campaign_activities"][1]["campaign_activity_id"];
  EXPECT_EQ(call("POST", "/v3/emails/activities/" + permalink + "/tests", {{"email_addresses", five}}).status, 400);
}

TEST_F(EmailsTest, TestSendAddressesFollowCcAddressRule) {
  const std::string tests = "/v3/emails/activities/" + primaryOf(createCampaign("Proof")) + "/tests";
  const std::string domain = "@example.com";
  // Each is refused without being stored, however long (the length is checked before the syntax).
  for (const std::string& bad : {std::string(50000, 'a') + domain, std::string(10000, 'a') + domain,
                                 std::string(64, 'a') + "@examplebakes.com", std::string("<script>@x.com"),
                                 std::string("a@-example.com"), std::string("a\x01") + "b@example.com",
                                 std::string("a@example"), std::string("@")}) {
    auto response = call("POST", tests, {{"email_addresses", {bad}}});
    EXPECT_EQ(response.status, 400) << bad.substr(0, 40);
    EXPECT_EQ(errorKey(response), "campaign.api.validation.error");
  }
  http::Request outbox;
  outbox.method = "GET";
  outbox.target = "/__sandbox/emails/tests";
  EXPECT_EQ(jsonOf(sandbox_->handle(outbox)).size(), 0u);
  EXPECT_EQ(call("POST", tests, {{"email_addresses", {std::string(64, 'a') + "@examplebake.com"}}}).status,
            204);  // 80
}

TEST_F(EmailsTest, PreviewStripsTheTrackingImageAndScopesAreChecked) {
  auto campaign = createCampaign("Preview me");
  auto preview = call("GET", "/v3/emails/activities/" + primaryOf(campaign) + "/previews");
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_EQ(jsonOf(preview)["preview_html_content"].get<std::string>().find("[[trackingImage]]"), std::string::npos);
  EXPECT_EQ(jsonOf(preview)["preview_text_content"], "Fresh rye today.");
  // A token without campaign_data cannot see campaigns.
  const std::string contacts_only = jsonOf(redeemConfidential(confidentialCode("contact_data")))["access_token"];
  EXPECT_EQ(client_.get("/v3/emails", contacts_only).status, 403);
}

TEST_F(EmailsTest, PreviewTextOfAVeryLongTagOrWhitespaceRun) {
  // Each within html_content's 150,000 characters: the text rendering is linear, not recursive.
  const std::string body = "<html><body>";
  const std::string end = "[[trackingImage]]</body></html>";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {body + "<p title=\"" + std::string(140000, 'x') + "\">Rye</p>" + end, "Rye"},
      {body + "<p>Rye</p>" + std::string(70000, ' ') + std::string(70000, '\n') + "<b>bread</b>" + end,
       "Rye bread"},
      // A '<' that no '>' follows is text.
      {"<p>Rye</p>[[trackingImage]] <" + std::string(140000, 'y'), "Rye <" + std::string(140000, 'y')}};
  for (const auto& [html, text] : cases) {
    ASSERT_LE(html.size(), 150000u);
    auto campaign =
        createCampaign("Long " + std::to_string(html.size()), activityBody({{"html_content", html}}));
    auto preview = call("GET", "/v3/emails/activities/" + primaryOf(campaign) + "/previews");
    ASSERT_EQ(preview.status, 200) << preview.body.substr(0, 200);
    EXPECT_EQ(jsonOf(preview)["preview_text_content"], text);
  }
}

}  // namespace
}  // namespace liaison::testing
