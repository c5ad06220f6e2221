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
      R"("connection_status":{"token_is_valid":false,"has_token":true,"error":null},"healthy":false,)"
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
  EXPECT_EQ(renderHealthJson(*read), text);
}

TEST(HealthJson, RefusesTextThatIsNoReport) {
  EXPECT_EQ(parseHealthJson("c", "{}").error().key, "health.unreadable");
  EXPECT_FALSE(parseHealthJson("c", R"({"status":"fine","checked_at":"2026-01-01T00:00:00Z","cc":{}})").ok());
  EXPECT_FALSE(parseHealthJson("c", "nope").ok());
}

}  // namespace
}  // namespace liaison::hub
