// Social links: judged from CC's connection_status, kept in the store with their history, and
// announced with social.status_changed only when they change.
#include "health_fixture.h"
#include "hub/health/health_store.h"
#include "hub/health/social_links.h"

namespace liaison::hub::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kChanged = "social.status_changed";

TEST_F(HealthTest, AnExpiredSocialLinkDegradesWithARemedyAndWhatItBlocks) {
  insert("conn_1");
  http.script(
      kSocialPath,
      {socialReply({{"facebook", "fb-1001", healthyStatus()}, {"linkedin", "li-2001", expiredStatus()}})});
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Degraded);
  EXPECT_EQ(report.cc.remedy, "");  // the CC link itself is fine
  ASSERT_EQ(report.social.size(), 2u);
  EXPECT_TRUE(report.social[0].healthy);
  const SocialLinkHealth& linkedin = report.social[1];
  EXPECT_FALSE(linkedin.healthy);
  EXPECT_EQ(linkedin.network_account_id, "li-2001");
  EXPECT_THAT(linkedin.remedy,
              HasSubstr("This cannot be fixed through the API: the account's user must reconnect "
                        "linkedin inside Constant Contact (Marketing → Social → Connections)"));
  EXPECT_THAT(linkedin.blocked, ElementsAre("publishing posts to linkedin"));
  EXPECT_EQ(nlohmann::json::parse(linkedin.connection_status_json), expiredStatus());
  EXPECT_THAT(report.remedy, HasSubstr("reconnect linkedin"));
}

TEST_F(HealthTest, SocialChangeEventsOnlyWhenTheStatusChanges) {
  insert("conn_1");
  http.script(kSocialPath, {socialReply({{"linkedin", "li-2001", expiredStatus()}}),
                            socialReply({{"linkedin", "li-2001", expiredStatus()}}),
                            socialReply({{"linkedin", "li-2001", healthyStatus()}})});
  checkFresh("conn_1");
  EXPECT_THAT(eventsOfType("conn_1", kChanged), IsEmpty()) << "first sighting";
  nextSecond();
  checkFresh("conn_1");
  EXPECT_THAT(eventsOfType("conn_1", kChanged), IsEmpty()) << "unchanged";
  nextSecond();
  const HealthReport healed = checkFresh("conn_1");
  EXPECT_EQ(healed.status, HealthStatus::Healthy);
  const auto changes = eventsOfType("conn_1", kChanged);
  ASSERT_EQ(changes.size(), 1u);
  const auto data = nlohmann::json::parse(changes[0].data_json);
  EXPECT_EQ(data["network"], "linkedin");
  EXPECT_EQ(data["network_account_id"], "li-2001");
  EXPECT_EQ(data["healthy"], true);
  EXPECT_EQ(data["connection_status"], healthyStatus());
  EXPECT_EQ(data["previous_connection_status"], expiredStatus());

  HealthStore store(db);
  auto history = store.socialHistory("conn_1", "li-2001");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_FALSE((*history)[0].healthy);
  EXPECT_TRUE((*history)[1].healthy);
  EXPECT_EQ((*history)[1].at, clock.now());
}

TEST_F(HealthTest, TheSameStatusWithItsKeysReorderedIsNoChange) {
  insert("conn_1");
  const std::string reordered =
      R"({"connections":[{"account_info":{"network":"linkedin","network_account_id":"li-2001","display_name":"B"},)"
      R"("connection_status":{"token_is_valid":false,"token_has_scopes":true,"status":401,"rate_limited":false,)"
      R"("is_active_user":true,"has_token":true,"error":"The access token has expired."}}]})";
  http.script(kSocialPath, {socialReply({{"linkedin", "li-2001", expiredStatus()}}), Reply{200, reordered}});
  checkFresh("conn_1");
  nextSecond();
  const HealthReport report = checkFresh("conn_1");
  EXPECT_THAT(eventsOfType("conn_1", kChanged), IsEmpty());
  // The report passes CC's object on as CC sent it, key order included.
  ASSERT_EQ(report.social.size(), 1u);
  EXPECT_EQ(report.social[0].connection_status_json.rfind(R"({"token_is_valid":false,)", 0), 0u);
}

TEST_F(HealthTest, ASocialLinkBreakingIsAnnouncedOnce) {
  insert("conn_1");
  http.script(kSocialPath, {socialReply({{"facebook", "fb-1001", healthyStatus()}}),
                            socialReply({{"facebook", "fb-1001", expiredStatus()}})});
  checkFresh("conn_1");
  nextSecond();
  checkFresh("conn_1");
  nextSecond();
  checkFresh("conn_1");
  const auto changes = eventsOfType("conn_1", kChanged);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(changes[0].data_json)["healthy"], false);
}

TEST_F(HealthTest, WhileCcIsUnreachableTheLastKnownSocialLinksStand) {
  insert("conn_1");
  http.script(kSocialPath, {socialReply({{"linkedin", "li-2001", expiredStatus()}}), transportError()});
  checkFresh("conn_1");
  nextSecond();
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Degraded);
  ASSERT_EQ(report.social.size(), 1u);
  EXPECT_FALSE(report.social[0].healthy);
  EXPECT_THAT(report.remedy, HasSubstr("Constant Contact is unreachable"));
}

TEST(SocialLinkJudging, EachProblemHasItsRemedy) {
  const auto judged = [](nlohmann::json status) {
    SocialLinkHealth link;
    link.network = "instagram";
    link.connection_status_json = status.dump();
    judgeSocialLink(link);
    return link;
  };
  nlohmann::json inactive = healthyStatus();
  inactive["is_active_user"] = false;
  const SocialLinkHealth a = judged(inactive);
  EXPECT_FALSE(a.healthy);
  EXPECT_THAT(a.remedy, HasSubstr("reconnect instagram inside Constant Contact"));

  nlohmann::json limited = healthyStatus();
  limited["rate_limited"] = true;
  const SocialLinkHealth b = judged(limited);
  EXPECT_FALSE(b.healthy);
  EXPECT_THAT(b.remedy, HasSubstr("Wait; instagram limits posting"));
  EXPECT_THAT(b.blocked, ElementsAre("publishing posts to instagram"));

  nlohmann::json scopes = healthyStatus();
  scopes["token_has_scopes"] = false;
  EXPECT_THAT(judged(scopes).remedy, HasSubstr("This cannot be fixed through the API"));

  nlohmann::json error = healthyStatus();
  error["error"] = "Network said no.";
  EXPECT_THAT(judged(error).remedy, HasSubstr("Network said no."));

  const SocialLinkHealth fine = judged(healthyStatus());
  EXPECT_TRUE(fine.healthy);
  EXPECT_EQ(fine.remedy, "");
  EXPECT_THAT(fine.blocked, IsEmpty());
}

TEST(SocialLinkJudging, AnAnswerOfAnotherShapeIsRefused) {
  EXPECT_FALSE(readSocialConnections("[]").ok());
  EXPECT_FALSE(readSocialConnections("not json").ok());
  auto empty = readSocialConnections(R"({"connections":[]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_THAT(*empty, IsEmpty());
}

}  // namespace
}  // namespace liaison::hub::testing
