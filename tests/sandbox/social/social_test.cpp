// /v3/social: connection health, profiles, hashtag groups, posts on the virtual clock, and the
// control API's link events changing all of them together.
#include "sandbox/sandbox_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

class SocialTest : public SandboxTest {
 protected:
  void SetUp() override { token_ = jsonOf(redeemConfidential(confidentialCode("campaign_data")))["access_token"]; }
  json get(const std::string& target) {
    auto response = client_.get(target, token_);
    EXPECT_EQ(response.status, 200) << target << " " << response.body;
    return jsonOf(response);
  }
  http::Response post(const json& body) {
    return client_.send("POST", "/v3/social/posts", body.dump(),
                        {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}});
  }
  json connectionOf(const std::string& network_account_id) {
    const json all = get("/v3/social/connections");  // keep alive: the loop borrows from it
    for (const auto& c : all["connections"]) {
      if (c["account_info"]["network_account_id"] == network_account_id) return c;
    }
    return nullptr;
  }
  bool accessible(const std::string& profile_id) {
    const json profiles = get("/v3/social/profiles?include=accessible");
    for (const auto& p : profiles) {
      if (p["profile_id"] == profile_id) return p["accessible"];
    }
    return false;
  }
  std::string token_;
};

TEST_F(SocialTest, DemoSeedShowsHealthyAndBrokenLinks) {
  auto facebook = connectionOf("fb-1001");
  EXPECT_EQ(facebook["account_info"]["network"], "facebook");
  EXPECT_TRUE(facebook["connection_status"]["token_is_valid"]);
  auto linkedin = connectionOf("li-2001");
  EXPECT_FALSE(linkedin["connection_status"]["token_is_valid"]);
  EXPECT_EQ(linkedin["connection_status"]["status"], 401);
  auto profiles = get("/v3/social/profiles");
  ASSERT_EQ(profiles.size(), 3u);
  EXPECT_FALSE(profiles[0].contains("accessible"));
  EXPECT_TRUE(accessible("ig-biz-1"));   // Instagram rides on the Facebook connection
  EXPECT_FALSE(accessible("li-page-1"));
  auto groups = get("/v3/social/hashtags/groups?limit=1");
  EXPECT_EQ(groups["hashtag_groups"].size(), 1u);
  EXPECT_EQ(groups["page"]["total_pages"], 2);
  EXPECT_TRUE(groups.contains("_links"));
  EXPECT_EQ(client_.get("/v3/social/hashtags/groups?limit=6", token_).status, 400);
}

TEST_F(SocialTest, ScheduledPostRunsOnTheVirtualClockAndFailsOnBrokenLinks) {
  const std::string when = formatIso8601(sandbox_->clock().now() + std::chrono::hours(1));
  auto created = post({{"name", "Fresh rye"}, {"status", "SCHEDULED"}, {"scheduled_time", when},
                       {"profile_posts", {{{"text", "Rye is out of the oven"},
                                           {"profiles", {{{"profile_id", "fb-page-1"}}, {{"profile_id", "li-page-1"}}}}}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(jsonOf(created)["status"], "SCHEDULED");
  EXPECT_EQ(jsonOf(client_.get("/__sandbox/social/posts"))[0]["status"], "SCHEDULED");
  advance(3601);
  auto posts = jsonOf(client_.get("/__sandbox/social/posts"));
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0]["status"], "ERROR");
  const auto& targets = posts[0]["profile_posts"][0]["profiles"];
  EXPECT_EQ(targets[0]["campaign_activity_status"], "DONE");
  EXPECT_TRUE(targets[0]["post_url"].get<std::string>().starts_with("https://facebook.example/posts/"));
  EXPECT_EQ(targets[1]["campaign_activity_status"], "ERROR");
  EXPECT_FALSE(targets[1]["campaign_activity_status_message"].get<std::string>().empty());
}

TEST_F(SocialTest, LinkEventsChangeConnectionsProfilesAndPostsTogether) {
  auto event = [&](const std::string& id, const json& body) { return client_.postJson("/__sandbox/social/connections/" + id + "/events", body); };
  ASSERT_EQ(event("fb-1001", {{"event", "remove_scopes"}}).status, 200);
  EXPECT_FALSE(connectionOf("fb-1001")["connection_status"]["token_has_scopes"]);
  EXPECT_FALSE(accessible("fb-page-1"));
  EXPECT_FALSE(accessible("ig-biz-1"));
  auto now_post = post({{"status", "SCHEDULED"}, {"profile_posts", {{{"text", "hi"}, {"profiles", {{{"profile_id", "ig-biz-1"}}}}}}}});
  ASSERT_EQ(now_post.status, 201);
  EXPECT_EQ(jsonOf(now_post)["status"], "ERROR");  // no scheduled_time: runs at once
  ASSERT_EQ(event("fb-1001", {{"event", "reconnect"}}).status, 200);
  EXPECT_TRUE(accessible("ig-biz-1"));
  ASSERT_EQ(event("li-2001", {{"event", "reconnect"}}).status, 200);
  EXPECT_TRUE(connectionOf("li-2001")["connection_status"]["token_is_valid"]);
  for (const std::string kind : {"expire_token", "rate_limit", "deactivate_user"}) {
    ASSERT_EQ(event("li-2001", {{"event", kind}}).status, 200);
    EXPECT_FALSE(accessible("li-page-1")) << kind;
    event("li-2001", {{"event", "reconnect"}});
  }
  EXPECT_EQ(event("li-2001", {{"event", "explode"}}).status, 400);
  EXPECT_EQ(event("nope", {{"event", "reconnect"}}).status, 404);
}

TEST_F(SocialTest, PostValidation) {
  EXPECT_EQ(post({{"status", "LIVE"}, {"profile_posts", {{{"profiles", json::array()}}}}}).status, 400);
  EXPECT_EQ(post({{"status", "SCHEDULED"}}).status, 400);
  EXPECT_EQ(post({{"status", "SCHEDULED"}, {"profile_posts", {{{"profiles", json::array()}}}}}).status, 400);
  EXPECT_EQ(post({{"status", "SCHEDULED"}, {"profile_posts", {{{"profiles", {{{"profile_id", "tiktok-9"}}}}}}}}).status, 400);
  EXPECT_EQ(post({{"status", "SCHEDULED"}, {"scheduled_time", "soon"},
                  {"profile_posts", {{{"profiles", {{{"profile_id", "fb-page-1"}}}}}}}}).status, 400);
  auto draft = post({{"status", "DRAFT"}, {"profile_posts", {{{"text", "idea"}, {"profiles", json::array()}}}}});
  ASSERT_EQ(draft.status, 201);
  EXPECT_EQ(jsonOf(draft)["status"], "DRAFT");
}

TEST_F(SocialTest, WrongTypesInAPostAreCcs400AndStoreNothing) {
  const json profiles = {{{"profile_id", "fb-page-1"}}};
  const json before = get("/__sandbox/social/posts");
  for (const json& body :
       {json{{"status", 1}, {"profile_posts", {{{"profiles", profiles}}}}},
        json{{"status", "DRAFT"}, {"name", json::object()}, {"profile_posts", {{{"profiles", profiles}}}}},
        json{{"status", "DRAFT"}, {"profile_posts", {{{"profiles", {{{"profile_id", 7}}}}}}}},
        json{{"status", "DRAFT"}, {"profile_posts", {{{"profiles", {{{"profile_id", {1}}}}}}}}},
        json{{"status", "DRAFT"}, {"profile_posts", {{{"text", 3}, {"profiles", profiles}}}}},
        json{{"status", "DRAFT"},
             {"name",
              "a\x01"
              "b"},
             {"profile_posts", {{{"profiles", profiles}}}}}}) {
    const auto response = post(body);
    EXPECT_EQ(response.status, 400) << body.dump() << " " << response.body;
    EXPECT_TRUE(jsonOf(response).is_array()) << response.body;
  }
  EXPECT_EQ(get("/__sandbox/social/posts"), before);
}

TEST_F(SocialTest, LinkEventsWithWrongTypesAreRefused) {
  const json before = connectionOf("fb-1001");
  for (const json& body :
       {json{{"event", "expire_token"}, {"account_id", 5}}, json{{"event", 5}},
        json{{"event", "error"}, {"status", "teapot"}}, json{{"event", "error"}, {"status", 99}},
        json{{"event", "error"}, {"error", json::object()}}}) {
    const auto response = client_.postJson("/__sandbox/social/connections/fb-1001/events", body);
    EXPECT_EQ(response.status, 400) << body.dump() << " " << response.body;
  }
  EXPECT_EQ(connectionOf("fb-1001"), before);
}

}  // namespace
}  // namespace liaison::testing
