// The CC link: token, user, scopes, rate limits and outages, each with its verdict and remedy.
#include "health_fixture.h"

namespace liaison::hub::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST_F(HealthTest, AWorkingConnectionIsHealthyWithNothingToDo) {
  insert("conn_1");
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Healthy);
  EXPECT_EQ(report.connection_id, "conn_1");
  EXPECT_EQ(report.checked_at, clock.now());
  EXPECT_TRUE(report.cc.has_token);
  EXPECT_TRUE(report.cc.token_is_valid);
  EXPECT_TRUE(report.cc.token_has_scopes);
  EXPECT_THAT(report.cc.missing_scopes, IsEmpty());
  EXPECT_TRUE(report.cc.is_active_user);
  EXPECT_FALSE(report.cc.rate_limited);
  EXPECT_EQ(report.remedy, "");
  EXPECT_EQ(report.cc.remedy, "");
  ASSERT_EQ(report.social.size(), 1u);
  EXPECT_TRUE(report.social[0].healthy);
  EXPECT_EQ(report.social[0].network, "facebook");
  EXPECT_THAT(report.social[0].blocked, IsEmpty());
  ASSERT_EQ(report.social[0].profiles.size(), 1u);
  EXPECT_EQ(report.social[0].profiles[0].profile_id, "fb-page-1");
  EXPECT_EQ(http.calls(kTokenPath), 0);  // the stored token was still good
  // Three calls a check: what HealthChecker::pollInterval budgets for.
  EXPECT_EQ(http.calls(kPrivilegesPath) + http.calls(kSocialPath) + http.calls(kProfilesPath),
            HealthChecker::kCallsPerCheck);
}

TEST_F(HealthTest, UnknownConnectionIsNotFound) {
  auto report = checker->check("conn_missing", true);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::NotFound);
}

TEST_F(HealthTest, ForbiddenPrivilegesMeanAnInactiveUserAndABrokenConnection) {
  insert("conn_1");
  http.script(kPrivilegesPath, {Reply{403, R"([{"error_key":"unauthorized"}])"}});
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Broken);
  EXPECT_FALSE(report.cc.is_active_user);
  EXPECT_TRUE(report.cc.token_is_valid);
  EXPECT_THAT(report.cc.remedy, HasSubstr("The account owner must reactivate this user in Constant Contact"));
  EXPECT_THAT(report.remedy, HasSubstr("reactivate this user"));
  EXPECT_EQ(http.calls(kSocialPath), 0);
  EXPECT_EQ(http.calls(kProfilesPath), 0);
}

TEST_F(HealthTest, ReauthRequiredIsBrokenWithTheReconnectCallAndAsksCcNothing) {
  insert("conn_1", kAllScopes, ConnectionStatus::ReauthRequired);
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Broken);
  EXPECT_FALSE(report.cc.token_is_valid);
  EXPECT_THAT(report.remedy, HasSubstr("POST /api/v1/connections/conn_1/reconnect"));
  EXPECT_THAT(report.social, IsEmpty());
  EXPECT_EQ(http.calls(kPrivilegesPath) + http.calls(kTokenPath) + http.calls(kSocialPath), 0);
}

TEST_F(HealthTest, DisconnectedIsBrokenWithoutAToken) {
  insert("conn_1", kAllScopes, ConnectionStatus::Disconnected);
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Broken);
  EXPECT_FALSE(report.cc.has_token);
  EXPECT_THAT(report.remedy, HasSubstr("reconnect"));
}

TEST_F(HealthTest, AnOutageAtTheApiIsDegradedNeverBroken) {
  insert("conn_1");
  http.script(kPrivilegesPath, {transportError()});
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Degraded);
  EXPECT_TRUE(report.cc.token_is_valid);
  EXPECT_TRUE(report.cc.is_active_user);
  EXPECT_THAT(report.cc.remedy, HasSubstr("Constant Contact is unreachable; the hub retries"));
}

TEST_F(HealthTest, AnOutageAtTheTokenEndpointIsDegradedNeverBroken) {
  insert("conn_1", kAllScopes, ConnectionStatus::Active,
         std::chrono::seconds(30));  // needs a refresh to be used
  http.script(kTokenPath, {transportError()});
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Degraded);
  EXPECT_TRUE(report.cc.token_is_valid);
  EXPECT_EQ(report.cc.last_refresh.outcome, "unavailable");
  EXPECT_EQ(report.cc.last_refresh.at, clock.now());
  EXPECT_THAT(report.remedy, HasSubstr("Constant Contact is unreachable; the hub retries"));
  EXPECT_EQ(http.calls(kPrivilegesPath), 0);
}

TEST_F(HealthTest, AServerErrorIsAnOutageToo) {
  insert("conn_1");
  http.script(kPrivilegesPath, {Reply{503, "{}"}});
  EXPECT_EQ(checkFresh("conn_1").status, HealthStatus::Degraded);
}

TEST_F(HealthTest, A401IsRetriedOnceWithARenewedToken) {
  insert("conn_1");
  http.script(kPrivilegesPath, {Reply{401, "{}"}, Reply{200, "{}"}});
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Healthy);
  EXPECT_EQ(http.calls(kTokenPath), 1);
  EXPECT_EQ(http.calls(kPrivilegesPath), 2);
  EXPECT_EQ(report.cc.last_refresh.outcome, "ok");
}

TEST_F(HealthTest, A401AfterTheRenewedTokenMeansTheTokenIsNotValid) {
  insert("conn_1");
  http.script(kPrivilegesPath, {Reply{401, "{}"}});
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Broken);
  EXPECT_FALSE(report.cc.token_is_valid);
  EXPECT_EQ(http.calls(kPrivilegesPath), 2);
  EXPECT_THAT(report.remedy, HasSubstr("/reconnect"));
}

TEST_F(HealthTest, ADeadGrantFoundOnRenewalIsBroken) {
  insert("conn_1");
  http.script(kPrivilegesPath, {Reply{401, "{}"}});
  http.script(kTokenPath, {Reply{400, R"({"error":"invalid_grant"})"}});
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Broken);
  EXPECT_FALSE(report.cc.token_is_valid);
  EXPECT_EQ(http.calls(kPrivilegesPath), 1);
  EXPECT_EQ((*connections.find("conn_1"))->status, ConnectionStatus::ReauthRequired);
}

TEST_F(HealthTest, MissingScopesAreNamedAndDegradeTheConnection) {
  insert("conn_1", {"account_read", "contact_data"});
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Degraded);
  EXPECT_FALSE(report.cc.token_has_scopes);
  EXPECT_THAT(report.cc.missing_scopes, ElementsAre("campaign_data"));
  EXPECT_THAT(report.cc.remedy, HasSubstr("campaign_data"));
  EXPECT_THAT(report.cc.remedy, HasSubstr("reconnect asking for them"));
  // Without campaign_data the social links are not CC's to show this app.
  EXPECT_THAT(report.social, IsEmpty());
  EXPECT_EQ(http.calls(kSocialPath), 0);
  EXPECT_EQ(http.calls(kProfilesPath), 0);
}

TEST_F(HealthTest, ARateLimitAnswerFromCcIsReported) {
  insert("conn_1");
  http.script(kPrivilegesPath, {Reply{429, "{}"}});
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Degraded);
  EXPECT_TRUE(report.cc.rate_limited);
}

TEST_F(HealthTest, CallsRefusedForTheDaysBudgetMeanRateLimited) {
  insert("conn_1");
  // Background work uses the day's budget up to the reserve kept for interactive calls.
  for (int i = 0; i < 20000; ++i) {
    const auto a = governor.admit({"app-1", Door::Api, CallClass::Background, "conn_1"});
    if (!a.admitted && std::string(a.reason) != "per_second") break;
    if (!a.admitted) clock.advance(std::chrono::seconds(1));
  }
  ASSERT_GT(governor.usage("app-1").refused_today, 0);
  const HealthReport report = checkFresh("conn_1");
  EXPECT_EQ(report.status, HealthStatus::Degraded);
  EXPECT_TRUE(report.cc.rate_limited);
}

TEST_F(HealthTest, AnUnavailableLastRefreshDegrades) {
  insert("conn_1", kAllScopes, ConnectionStatus::Active, std::chrono::seconds(30));
  http.script(kTokenPath, {transportError(), tokenReply()});
  EXPECT_EQ(checkFresh("conn_1").status, HealthStatus::Degraded);
  clock.advance(std::chrono::hours(1));  // past the refresher's back-off
  const HealthReport recovered = checkFresh("conn_1");
  EXPECT_EQ(recovered.status, HealthStatus::Healthy);
  EXPECT_EQ(recovered.cc.last_refresh.outcome, "ok");
}

TEST(HealthPollInterval, StretchesWithConnectionsToStayInsideTheBudget) {
  using std::chrono::minutes;
  using std::chrono::seconds;
  EXPECT_EQ(HealthChecker::pollInterval(minutes(15), 1, 3000), seconds(900));
  EXPECT_EQ(HealthChecker::pollInterval(minutes(15), 0, 3000), seconds(900));
  // 500 connections, 3,000 calls a day, 3 calls a check: 1,000 checks a day, each every 12 hours.
  EXPECT_EQ(HealthChecker::kCallsPerCheck, 3);
  EXPECT_EQ(HealthChecker::pollInterval(minutes(15), 500, 3000), seconds(43200));
  // Whatever the count, the checks a day times the calls per check never exceed the budget.
  for (int64_t n : {1, 10, 100, 1000, 10000}) {
    const auto interval = HealthChecker::pollInterval(minutes(15), n, 3000);
    const double calls_per_day =
        static_cast<double>(n) * 86400.0 / interval.count() * HealthChecker::kCallsPerCheck;
    EXPECT_LE(calls_per_day, 3000.0 + 1e-6) << n;
  }
}

}  // namespace
}  // namespace liaison::hub::testing
