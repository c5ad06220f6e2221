// The REST shape of a health report, and reading a stored one back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hub/health/health_json.h"

namespace liaison::hub {
namespace {

HealthReport sample() {
  HealthReport report;
  report.connection_id = "conn_1";
  report.status = HealthStatus::Degraded;
  report.checked_at = fromUnixSeconds(1767268800) + std::chrono::milliseconds(250);
  report.remedy = "Do the thing.";
  report.cc.has_token = true;
  report.cc.token_is_valid = true;
  report.cc.token_has_scopes = false;
  report.cc.missing_scopes = {"campaign_data"};
  report.cc.is_active_user = true;
  report.cc.last_refresh = {fromUnixSeconds(1767265200), "ok"};
  report.cc.remedy = "Do the thing.";
  SocialLinkHealth link;
  link.network = "linkedin";
  link.network_account_id = "li-2001";
  link.display_name = "Sandbox Bakery";
  link.connection_status_json = R"({"token_is_valid":false,"has_token":true,"error":null})";
  link.profiles = {{"li-page-1", "Sandbox Bakery", "linkedin", true, false}};
  link.healthy = false;
  link.remedy = "Reconnect.";
  link.blocked = {"publishing posts to linkedin"};
  report.social.push_back(link);
  return report;
}

TEST(HealthJson, RendersTheRestShapeWithCcsStatusVerbatim) {
  EXPECT_EQ(
      renderHealthJson(sample()),
      R"({"status":"degraded","checked_at":"2026-01-01T12:00:00.250Z","remedy":"Do the thing.",)"
      R"("cc":{"has_token":true,"token_is_valid":true,"token_has_scopes":false,)"
      R"("missing_scopes":["campaign_data"],"is_active_user":true,"rate_limited":false,)"
      R"("last_refresh":{"at":"2026-01-01T11:00:00.000Z","outcome":"ok"},"remedy":"Do the thing."},)"
      R"("social":[{"network":"linkedin","network_account_id":"li-2001","display_name":"Sandbox Bakery",)"
      R"("connection_status":{"token_is_valid":false,"has_token":true,"error":null},)"
      R"("profiles":[{"profile_id":"li-page-1","name":"Sandbox Bakery","network":"linkedin","connected":true,)"
      R"("accessible":false}],"healthy":false,)"
      R"("remedy":"Reconnect.","blocked":["publishing posts to linkedin"]}]})");
}

TEST(HealthJson, LeavesOutEmptyRemediesAndRendersANeverRefreshedConnection) {
  HealthReport report;
  report.checked_at = fromUnixSeconds(1767268800);
  const auto json = nlohmann::json::parse(renderHealthJson(report));
  EXPECT_EQ(json["status"], "healthy");
  EXPECT_FALSE(json.contains("remedy"));
  EXPECT_FALSE(json["cc"].contains("remedy"));
  EXPECT_TRUE(json["cc"]["last_refresh"]["at"].is_null());
  EXPECT_EQ(json["cc"]["last_refresh"]["outcome"], "");
  EXPECT_TRUE(json["social"].is_array());
  EXPECT_TRUE(json["social"].empty());
}

TEST(HealthJson, ReadsBackWhatItRendered) {
  const std::string text = renderHealthJson(sample());
  auto read = parseHealthJson("conn_1", text);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->connection_id, "conn_1");
  EXPECT_EQ(read->checked_at, sample().checked_at);
  EXPECT_EQ(read->social.at(0).connection_status_json, sample().social[0].connection_status_json);
  ASSERT_EQ(read->social[0].profiles.size(), 1u);
  EXPECT_EQ(read->social[0].profiles[0].profile_id, "li-page-1");
  EXPECT_TRUE(read->social[0].profiles[0].connected);
  EXPECT_FALSE(read->social[0].profiles[0].accessible);
  EXPECT_EQ(renderHealthJson(*read), text);
}

TEST(HealthJson, AReportStoredBeforeProfilesWereCheckedStillReads) {
  const std::string old =
      R"({"status":"healthy","checked_at":"2026-01-01T12:00:00.000Z","cc":{},"social":[{"network":"facebook",)"
      R"("network_account_id":"fb-1001","display_name":"B","connection_status":{},"healthy":true,"blocked":[]}]})";
  auto read = parseHealthJson("conn_1", old);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->social.size(), 1u);
  EXPECT_TRUE(read->social[0].profiles.empty());
  EXPECT_TRUE(nlohmann::json::parse(renderHealthJson(*read))["social"][0]["profiles"].is_array());
}

TEST(HealthJson, RefusesTextThatIsNoReport) {
  EXPECT_EQ(parseHealthJson("c", "{}").error().key, "health.unreadable");
  EXPECT_FALSE(parseHealthJson("c", R"({"status":"fine","checked_at":"2026-01-01T00:00:00Z","cc":{}})").ok());
  EXPECT_FALSE(parseHealthJson("c", "nope").ok());
}

}  // namespace
}  // namespace liaison::hub
