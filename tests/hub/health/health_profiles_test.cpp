// Social profiles: CC's GET /v3/social/profiles?include=accessible folded into the links that own
// them. A profile CC cannot publish to makes its link unhealthy with a remedy only the account's
// user can carry out; an unread profiles answer never changes a link's health.
#include "health_fixture.h"
#include "hub/health/social_profiles.h"

namespace liaison::hub::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kProfileChanged = "social.status_changed";

const SocialLinkHealth* linkOf(const HealthReport& report, const std::string& network_account_id) {
  for (const auto& link : report.social) {
    if (link.network_account_id == network_account_id) return &link;
  }
  return nullptr;
}

class ProfilesTest : public HealthTest {
 protected:
  // Facebook with its page and an Instagram business account behind it; LinkedIn with its page.
  ProfilesTest() {
    http.script(
        kSocialPath,
        {socialReply({{"facebook", "fb-1001", healthyStatus()}, {"linkedin", "li-2001", healthyStatus()}})});
    scriptProfiles(true, true);
  }
  void scriptProfiles(bool instagram_connected, bool instagram_accessible) {
    http.script(kProfilesPath, {profiles(instagram_connected, instagram_accessible)});
  }
  static Reply profiles(bool instagram_connected, bool instagram_accessible) {
    return profilesReply({{"fb-page-1", "facebook", "fb-1001"},
                          {"ig-biz-1", "instagram", "fb-1001", instagram_connected, instagram_accessible},
                          {"li-page-1", "linkedin", "li-2001"}});
  }
};

TEST_F(ProfilesTest, EachLinkShowsTheProfilesItOwns) {
  insert("conn_1");
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Healthy);
  EXPECT_EQ(http.lastTarget(kProfilesPath), "/v3/social/profiles?include=accessible");
  const SocialLinkHealth* facebook = linkOf(report, "fb-1001");
  ASSERT_NE(facebook, nullptr);
  EXPECT_TRUE(facebook->healthy);
  ASSERT_EQ(facebook->profiles.size(), 2u);
  EXPECT_EQ(facebook->profiles[1].profile_id, "ig-biz-1");
  EXPECT_EQ(facebook->profiles[1].network, "instagram");
  EXPECT_EQ(facebook->profiles[1].name, "Sandbox Bakery");
  EXPECT_TRUE(facebook->profiles[1].connected);
  EXPECT_TRUE(facebook->profiles[1].accessible);
  const SocialLinkHealth* linkedin = linkOf(report, "li-2001");
  ASSERT_NE(linkedin, nullptr);
  ASSERT_EQ(linkedin->profiles.size(), 1u);
  EXPECT_EQ(linkedin->profiles[0].profile_id, "li-page-1");
}

TEST_F(ProfilesTest, AnInaccessibleProfileMakesItsLinkUnhealthyWithItsRemedy) {
  insert("conn_1");
  scriptProfiles(true, false);
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Degraded);
  EXPECT_EQ(report.cc.remedy, "");
  const SocialLinkHealth* facebook = linkOf(report, "fb-1001");
  ASSERT_NE(facebook, nullptr);
  EXPECT_FALSE(facebook->healthy);
  // CC's own status of the link is passed on as it came: it is the profile that cannot post.
  EXPECT_EQ(nlohmann::json::parse(facebook->connection_status_json), healthyStatus());
  EXPECT_THAT(facebook->remedy,
              HasSubstr("Constant Contact may no longer publish to Sandbox Bakery on instagram: the "
                        "account's user must re-authorize that profile inside Constant Contact "
                        "(Marketing → Social → Connections)."));
  EXPECT_THAT(facebook->blocked, ElementsAre("publishing posts to Sandbox Bakery on instagram"));
  EXPECT_FALSE(facebook->profiles[1].accessible);
  EXPECT_TRUE(linkOf(report, "li-2001")->healthy);
  EXPECT_THAT(report.remedy, HasSubstr("re-authorize that profile"));
}

TEST_F(ProfilesTest, ADisconnectedProfileIsToBeReconnected) {
  insert("conn_1");
  scriptProfiles(false, false);
  const SocialLinkHealth facebook = *linkOf(checkFresh("conn_1"), "fb-1001");
  EXPECT_FALSE(facebook.healthy);
  EXPECT_THAT(facebook.remedy,
              HasSubstr("The profile Sandbox Bakery on instagram is no longer connected: the "
                        "account's user must reconnect it inside Constant Contact"));
  EXPECT_THAT(facebook.blocked, ElementsAre("publishing posts to Sandbox Bakery on instagram"));
}

TEST_F(ProfilesTest, AProfileBreakingIsAnnouncedOnceAndHealingAgain) {
  insert("conn_1");
  http.script(kProfilesPath,
              {profiles(true, true), profiles(true, false), profiles(true, false), profiles(true, true)});
  checkFresh("conn_1");
  nextSecond();
  EXPECT_FALSE(linkOf(checkFresh("conn_1"), "fb-1001")->healthy);
  nextSecond();
  checkFresh("conn_1");
  auto changes = eventsOfType("conn_1", kProfileChanged);
  ASSERT_EQ(changes.size(), 1u);
  auto data = nlohmann::json::parse(changes[0].data_json);
  EXPECT_EQ(data["network_account_id"], "fb-1001");
  EXPECT_EQ(data["healthy"], false);
  nextSecond();
  const HealthReport healed = checkFresh("conn_1");
  EXPECT_EQ(healed.status, HealthStatus::Healthy);
  EXPECT_TRUE(linkOf(healed, "fb-1001")->healthy);
  EXPECT_THAT(linkOf(healed, "fb-1001")->blocked, IsEmpty());
  changes = eventsOfType("conn_1", kProfileChanged);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(changes[1].data_json)["healthy"], true);
}

TEST_F(ProfilesTest, WithoutAProfilesAnswerTheLinksAreJudgedOnTheirStatus) {
  insert("conn_1");
  http.script(kProfilesPath, {Reply{503, "{}"}});
  const HealthReport outage = checkFresh("conn_1");
  EXPECT_EQ(outage.status, HealthStatus::Degraded);
  EXPECT_THAT(outage.cc.remedy, HasSubstr("Constant Contact is unreachable"));
  for (const auto& link : outage.social) EXPECT_TRUE(link.healthy) << link.network_account_id;
  nextSecond();
  http.script(kProfilesPath, {Reply{200, R"({"profiles":[]})"}});
  const HealthReport odd = checkFresh("conn_1");
  EXPECT_THAT(odd.cc.remedy, HasSubstr("Constant Contact did not show the social profiles this time"));
  for (const auto& link : odd.social) EXPECT_TRUE(link.healthy) << link.network_account_id;
  EXPECT_THAT(eventsOfType("conn_1", kProfileChanged), IsEmpty());
}

TEST_F(ProfilesTest, AnUnreadProfilesAnswerNeitherBreaksNorHealsALink) {
  insert("conn_1");
  http.script(kProfilesPath,
              {profiles(true, true), transportError(), profiles(true, false), Reply{200, "nope"}});
  checkFresh("conn_1");
  nextSecond();
  const HealthReport unread = checkFresh("conn_1");
  EXPECT_TRUE(linkOf(unread, "fb-1001")->healthy);
  EXPECT_EQ(linkOf(unread, "fb-1001")->profiles.size(), 2u) << "the last known profiles are shown";
  nextSecond();
  EXPECT_FALSE(linkOf(checkFresh("conn_1"), "fb-1001")->healthy);
  nextSecond();
  const HealthReport still = checkFresh("conn_1");
  EXPECT_FALSE(linkOf(still, "fb-1001")->healthy);
  EXPECT_THAT(linkOf(still, "fb-1001")->blocked,
              ElementsAre("publishing posts to Sandbox Bakery on instagram"));
  EXPECT_EQ(eventsOfType("conn_1", kProfileChanged).size(), 1u) << "only the real break";
}

TEST_F(ProfilesTest, ABrokenLinkNamesTheLinkAndItsProfiles) {
  insert("conn_1");
  http.script(
      kSocialPath,
      {socialReply({{"facebook", "fb-1001", expiredStatus()}, {"linkedin", "li-2001", healthyStatus()}})});
  http.script(kProfilesPath, {profilesReply({{"fb-page-1", "facebook", "fb-1001", true, false},
                                             {"ig-biz-1", "instagram", "fb-1001", true, false},
                                             {"li-page-1", "linkedin", "li-2001"}})});
  const SocialLinkHealth facebook = *linkOf(checkFresh("conn_1"), "fb-1001");
  EXPECT_FALSE(facebook.healthy);
  EXPECT_THAT(facebook.remedy, HasSubstr("must reconnect facebook inside Constant Contact"));
  EXPECT_THAT(facebook.blocked,
              ElementsAre("publishing posts to facebook", "publishing posts to Sandbox Bakery on facebook",
                          "publishing posts to Sandbox Bakery on instagram"));
}

TEST(SocialProfilesReading, AnswersOfAnotherShapeAreRefused) {
  EXPECT_EQ(readSocialProfiles(R"({"profiles":[]})").error().key, "health.social_profiles_unreadable");
  EXPECT_FALSE(readSocialProfiles("not json").ok());
  EXPECT_FALSE(readSocialProfiles("").ok());
  EXPECT_FALSE(readSocialProfiles("null").ok());
  auto empty = readSocialProfiles("[]");
  ASSERT_TRUE(empty.ok());
  EXPECT_THAT(empty->profiles, IsEmpty());
  EXPECT_EQ(empty->unreadable, 0);
}

TEST(SocialProfilesReading, ItemsThatCannotBeJudgedAreLeftOutAndCounted) {
  auto read = readSocialProfiles(R"([
    1, "x", null,
    {"network":"facebook","connected":true,"accessible":true},
    {"profile_id":"","connected":true,"accessible":true},
    {"profile_id":"p-1","accessible":true},
    {"profile_id":"p-2","connected":"yes","accessible":true},
    {"profile_id":"p-3","connected":true},
    {"profile_id":"p-4","connected":true,"accessible":false},
    {"profile_id":"p-5","connected":false,"accessible":false,"name":7,"network":"linkedin",
     "account_info":{"network_account_id":"li-2001"}},
    {"profile_id":"p-6","connected":true,"accessible":true,"account_info":"fb-1001"}
  ])");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->unreadable, 8);
  ASSERT_EQ(read->profiles.size(), 3u);
  EXPECT_EQ(read->profiles[0].profile.profile_id, "p-4");
  EXPECT_FALSE(read->profiles[0].profile.accessible);
  EXPECT_EQ(read->profiles[0].network_account_id, "");
  EXPECT_EQ(read->profiles[1].profile.name, "");  // not text: left empty, named by its id
  EXPECT_EQ(read->profiles[1].network_account_id, "li-2001");
  EXPECT_EQ(read->profiles[2].network_account_id, "");

  std::vector<SocialLinkHealth> links(1);
  links[0].network = "linkedin";
  links[0].network_account_id = "li-2001";
  links[0].connection_status_json = healthyStatus().dump();
  EXPECT_EQ(attachProfiles(links, read->profiles), 2) << "p-4 and p-6 name no link";
  ASSERT_EQ(links[0].profiles.size(), 1u);
  EXPECT_FALSE(links[0].healthy);
  EXPECT_THAT(links[0].blocked, ElementsAre("publishing posts to p-5 on linkedin"));
}

TEST(SocialProfilesReading, TheLastProfilesStandInForAnUnreadAnswer) {
  SocialLinkHealth before;
  before.network = "facebook";
  before.network_account_id = "fb-1001";
  before.profiles = {{"ig-biz-1", "Sandbox Bakery", "instagram", true, false}};
  std::vector<SocialLinkHealth> links(2);
  links[0].network = "facebook";
  links[0].network_account_id = "fb-1001";
  links[1].network = "linkedin";
  links[1].network_account_id = "li-2001";
  for (auto& link : links) link.connection_status_json = healthyStatus().dump();
  keepLastProfiles(links, {before});
  EXPECT_FALSE(links[0].healthy);
  ASSERT_EQ(links[0].profiles.size(), 1u);
  EXPECT_TRUE(links[1].healthy) << "a link the last report did not show";
  EXPECT_THAT(links[1].profiles, IsEmpty());
}

}  // namespace
}  // namespace liaison::hub::testing
