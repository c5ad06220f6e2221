// The CC rate budget as the host app's operators see it: GET /api/v1/budget and /metrics, end to
// end against the sandbox.
#include "app/hub_fixture.h"

namespace liaison::testing {
namespace {

using HubBudgetTest = HubFixture;

int64_t callsOf(const nlohmann::json& app, const std::string& connection_id) {
  for (const auto& use : app["top_connections"]) {
    if (use["connection_id"] == connection_id) return use["calls_today"].get<int64_t>();
  }
  return 0;
}

TEST_F(HubBudgetTest, TheBudgetRouteShowsTheDaysUseAndTheBusiestConnections) {
  EXPECT_EQ(hubCall("GET", "/api/v1/budget", nullptr, "").status, 401);
  // Connecting reads the account (calls of the app, before the connection exists); the first
  // round of background work checks the new connection's health.
  const std::string id = connectByDevice("user-1");
  auto before = hubCall("GET", "/api/v1/budget");
  ASSERT_EQ(before.status, 200) << before.body.dump();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(hubCall("GET", "/api/v1/connections/" + id + "/permissions").status, 200);
  }
  auto budget = hubCall("GET", "/api/v1/budget");
  ASSERT_EQ(budget.status, 200) << budget.body.dump();
  ASSERT_EQ(budget.body["apps"].size(), 1u) << budget.body.dump();
  const auto& app = budget.body["apps"][0];
  const auto& was = before.body["apps"][0];
  EXPECT_EQ(app["app_id"], "hub-app");
  EXPECT_EQ(app["limits"],
            nlohmann::json(
                {{"per_second", 4}, {"per_day", 10000}, {"token_per_second", 1}, {"reserve_percent", 20}}));
  const int64_t used = app["used_today"].get<int64_t>();
  EXPECT_EQ(used, was["used_today"].get<int64_t>() + 3);  // one privileges read per permissions call
  EXPECT_EQ(app["remaining_today"], 10000 - used);
  const int64_t day = toUnixSeconds(clock_.now()) / 86400;
  EXPECT_EQ(app["resets_at"], formatIso8601(fromUnixSeconds((day + 1) * 86400)));
  EXPECT_GE(app["token_calls_today"].get<int>(), 1);
  EXPECT_EQ(app["rate"]["last_minute"], used);  // all of it within the last minute of the test
  EXPECT_GE(app["rate"]["last_second"].get<int>(), 1);
  EXPECT_LE(app["rate"]["last_second"].get<int>(), 4);
  EXPECT_EQ(app["queue"], nlohmann::json({{"interactive", 0}, {"health", 0}, {"background", 0}}));
  ASSERT_EQ(app["top_connections"].size(), 1u) << app.dump();
  EXPECT_EQ(callsOf(app, id), callsOf(was, id) + 3);
  // A health poll the per-second budget put off comes back later: that is no refusal.
  EXPECT_EQ(app["refused_today"], 0);
}

TEST_F(HubBudgetTest, MetricsShowTheBudgetWithoutConnectionIds) {
  const std::string id = connectByDevice("user-1");
  ASSERT_EQ(hubCall("GET", "/api/v1/connections/" + id + "/permissions").status, 200);
  const auto app = hubCall("GET", "/api/v1/budget").body["apps"][0];
  const std::string text = hubCall("GET", "/metrics", nullptr, "").raw.body;
  const auto number = [&app](const char* field) { return std::to_string(app[field].get<int64_t>()); };
  const std::vector<std::string> expected = {
      "liaison_cc_budget_used{app=\"hub-app\",kind=\"api_calls_today\"} " + number("used_today"),
      "liaison_cc_budget_used{app=\"hub-app\",kind=\"remaining_today\"} " + number("remaining_today"),
      "liaison_cc_budget_used{app=\"hub-app\",kind=\"refused_today\"} 0",
      "liaison_cc_budget_limit{app=\"hub-app\",kind=\"api_per_second\"} 4",
      "liaison_cc_budget_limit{app=\"hub-app\",kind=\"api_per_day\"} 10000",
      "liaison_cc_budget_limit{app=\"hub-app\",kind=\"token_per_second\"} 1",
      "liaison_cc_budget_rate{app=\"hub-app\",window=\"1m\"} " + number("used_today"),
      "liaison_cc_budget_queue{app=\"hub-app\",class=\"interactive\"} 0",
      "liaison_cc_budget_queue{app=\"hub-app\",class=\"background\"} 0",
  };
  for (const auto& series : expected) {
    EXPECT_NE(text.find(series + "\n"), std::string::npos) << series << "\n" << text;
  }
  EXPECT_EQ(text.find(id), std::string::npos) << "a series per connection";
}

}  // namespace
}  // namespace liaison::testing
