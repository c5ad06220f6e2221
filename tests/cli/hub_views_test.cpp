// `liaison connections`, `status` and `disconnect` against a scripted hub: tables, --json, errors.
#include "cli/cli_fixture.h"
#include "cli/table.h"

namespace liaison::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

json connection(const std::string& id, const std::string& user, const std::string& organization,
                const std::string& status, const json& expires) {
  return {{"id", id},
          {"end_user_id", user},
          {"account", {{"encoded_account_id", "a1"}, {"organization_name", organization}}},
          {"scopes", {"account_read"}},
          {"status", status},
          {"created_at", "2026-03-01T10:00:00.000Z"},
          {"updated_at", "2026-03-01T10:00:00.000Z"},
          {"access_token_expires_at", expires}};
}

json profile(const std::string& id, const std::string& name, const std::string& network, bool connected,
             bool accessible) {
  return {{"profile_id", id},
          {"name", name},
          {"network", network},
          {"connected", connected},
          {"accessible", accessible}};
}

json health() {
  return {{"status", "degraded"},
          {"checked_at", "2026-03-01T10:00:00.000Z"},
          {"remedy", "Reconnect to grant contact_data."},
          {"cc",
           {{"has_token", true},
            {"token_is_valid", true},
            {"token_has_scopes", false},
            {"missing_scopes", {"contact_data", "campaign_data"}},
            {"is_active_user", true},
            {"rate_limited", false},
            {"last_refresh", {{"at", "2026-03-01T09:00:00.000Z"}, {"outcome", "ok"}}},
            {"remedy", "Reconnect to grant contact_data."}}},
          {"social",
           {{{"network", "facebook"},
             {"network_account_id", "fb1"},
             {"display_name", "Bakery FB"},
             {"connection_status", {{"state", "ok"}}},
             {"profiles", {profile("p1", "Bakery Page", "facebook", true, true)}},
             {"healthy", true},
             {"blocked", json::array()}},
            {{"network", "instagram"},
             {"network_account_id", "ig1"},
             {"display_name", "Bakery IG"},
             {"connection_status", {{"state", "ok"}}},
             {"profiles",
              {profile("p2", "Bakery Insta", "instagram", true, false),
               profile("p3", "", "instagram", false, false)}},
             {"healthy", false},
             {"remedy", "Re-authorize both profiles in CC."},
             {"blocked", {"posts to Bakery Insta", "posts to p3"}}}}}};
}

class ViewsTest : public CliTest {};

TEST_F(ViewsTest, ConnectionsAreATableWithAlignedColumns) {
  http_.answer("GET", "/api/v1/connections?limit=1000", 200,
               {{"connections",
                 {connection("conn_1", "u1", "Sandbox Bakery", "active", "2026-03-01T11:00:00.000Z"),
                  connection("conn_22", "user-two", "Café", "disconnected", nullptr)}}});
  auto t = terminal();
  EXPECT_EQ(cli::runConnections(hub_, cli::ConnectionsCommand{access(), "", false}, t), cli::kExitOk);
  EXPECT_EQ(out_.str(),
            "ID       END USER  ORGANIZATION    STATUS        TOKEN EXPIRES\n"
            "conn_1   u1        Sandbox Bakery  active        2026-03-01T11:00:00.000Z\n"
            "conn_22  user-two  Café            disconnected  -\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(ViewsTest, ConnectionsOfOneEndUserAskTheHubForThemAndSayWhenThereAreNone) {
  http_.answer("GET", "/api/v1/connections?limit=1000&end_user_id=user%201", 200,
               {{"connections", json::array()}});
  auto t = terminal();
  EXPECT_EQ(cli::runConnections(hub_, cli::ConnectionsCommand{access(), "user 1", false}, t), cli::kExitOk);
  EXPECT_EQ(out_.str(), "No connections for end user user 1.\n");
}

TEST_F(ViewsTest, ConnectionsFollowNextAfterUntilTheLastPage) {
  const std::string cursor = "YzEuMTc4.Njg/+=";  // sent back percent-encoded, as the hub gave it
  http_.answer("GET", "/api/v1/connections?limit=1000&end_user_id=u1", 200,
               {{"connections",
                 {connection("conn_3", "u1", "Three", "active", nullptr),
                  connection("conn_2", "u1", "Two", "active", nullptr)}},
                {"next_after", cursor}});
  http_.answer(
      "GET", "/api/v1/connections?limit=1000&end_user_id=u1&after=YzEuMTc4.Njg%2F%2B%3D", 200,
      {{"connections", {connection("conn_1", "u1", "One", "active", nullptr)}}, {"next_after", nullptr}});
  auto t = terminal();
  EXPECT_EQ(cli::runConnections(hub_, cli::ConnectionsCommand{access(), "u1", false}, t), cli::kExitOk);
  EXPECT_EQ(out_.str(),
            "ID      END USER  ORGANIZATION  STATUS  TOKEN EXPIRES\n"
            "conn_3  u1        Three         active  -\n"
            "conn_2  u1        Two           active  -\n"
            "conn_1  u1        One           active  -\n");
  EXPECT_EQ(http_.requests.size(), 2u);
}

TEST_F(ViewsTest, ConnectionsAsJsonAreEveryPageInOneList) {
  http_.answer(
      "GET", "/api/v1/connections?limit=1000", 200,
      {{"connections", {connection("conn_2", "u", "Two", "active", nullptr)}}, {"next_after", "c2"}});
  http_.answer("GET", "/api/v1/connections?limit=1000&after=c2", 200,
               {{"connections", {connection("conn_1", "u", "One", "active", nullptr)}}});
  auto t = terminal();
  EXPECT_EQ(cli::runConnections(hub_, cli::ConnectionsCommand{access(), "", true}, t), cli::kExitOk);
  EXPECT_EQ(json::parse(out_.str()), json({{"connections",
                                            {connection("conn_2", "u", "Two", "active", nullptr),
                                             connection("conn_1", "u", "One", "active", nullptr)}}}));
  EXPECT_EQ(out_.str().back(), '\n');
}

TEST_F(ViewsTest, ConnectionsStopAtAFailingPageOrACursorHandedOutTwice) {
  http_.answer(
      "GET", "/api/v1/connections?limit=1000", 200,
      {{"connections", {connection("conn_2", "u", "Two", "active", nullptr)}}, {"next_after", "c2"}});
  http_.answer(
      "GET", "/api/v1/connections?limit=1000&after=c2", 400,
      {{"error",
        {{"code", "invalid_request"}, {"message", "after must be the next_after of an earlier page."}}}});
  auto t = terminal();
  EXPECT_EQ(cli::runConnections(hub_, cli::ConnectionsCommand{access(), "", false}, t), cli::kExitRejected);
  EXPECT_EQ(out_.str(), "") << "no partial table";
  EXPECT_EQ(err_.str(), "liaison: after must be the next_after of an earlier page.\n");

  // A hub that keeps answering with a cursor it already gave would be paged forever.
  ScriptedHttpClient looping;
  cli::HubClient hub(looping, kHub, kKey);
  looping.answer("GET", "/api/v1/connections?limit=1000", 200,
                 {{"connections", json::array()}, {"next_after", "c1"}});
  looping.answer("GET", "/api/v1/connections?limit=1000&after=c1", 200,
                 {{"connections", json::array()}, {"next_after", "c1"}});
  out_.str("");
  err_.str("");
  EXPECT_EQ(cli::runConnections(hub, cli::ConnectionsCommand{access(), "", false}, t), cli::kExitNoHub);
  EXPECT_EQ(looping.requests.size(), 2u);
  EXPECT_THAT(err_.str(), HasSubstr("not understood"));
  EXPECT_EQ(out_.str(), "");
}

TEST_F(ViewsTest, StatusShowsTheOverallStatusTheCcLinkAndEachSocialLink) {
  http_.answer("GET", "/api/v1/connections/conn_1/health", 200, health());
  auto t = terminal();
  EXPECT_EQ(cli::runStatus(hub_, cli::StatusCommand{access(), "conn_1", false, false}, t), cli::kExitOk);
  EXPECT_EQ(out_.str(),
            "Connection  conn_1\n"
            "Status      degraded\n"
            "Checked at  2026-03-01T10:00:00.000Z\n"
            "Remedy      Reconnect to grant contact_data.\n"
            "\n"
            "Constant Contact link\n"
            "  has_token         yes\n"
            "  token_is_valid    yes\n"
            "  token_has_scopes  no\n"
            "  missing_scopes    contact_data, campaign_data\n"
            "  is_active_user    yes\n"
            "  rate_limited      no\n"
            "  last_refresh      2026-03-01T09:00:00.000Z (ok)\n"
            "  remedy            Reconnect to grant contact_data.\n"
            "\n"
            "Social links\n"
            "  NETWORK    DISPLAY NAME  HEALTHY  REMEDY                             BLOCKED\n"
            "  facebook   Bakery FB     yes      -                                  -\n"
            "    profile  Bakery Page   facebook   can publish\n"
            "  instagram  Bakery IG     no       Re-authorize both profiles in CC.  posts to Bakery Insta; "
            "posts to p3\n"
            "    profile  Bakery Insta  instagram  cannot publish (not accessible)\n"
            "    profile  p3            instagram  cannot publish (not connected, not accessible)\n");
}

TEST_F(ViewsTest, StatusSaysWhenALinkHasNoProfilesAndShowsNoneForAReportFromBeforeProfiles) {
  json h = health();
  h["social"][0]["profiles"] = json::array();
  h["social"][1].erase("profiles");
  h["social"][1]["healthy"] = true;
  h["social"][1].erase("remedy");
  h["social"][1]["blocked"] = json::array();
  http_.answer("GET", "/api/v1/connections/conn_1/health", 200, h);
  auto t = terminal();
  EXPECT_EQ(cli::runStatus(hub_, cli::StatusCommand{access(), "conn_1", false, false}, t), cli::kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("\nSocial links\n"
                                    "  NETWORK    DISPLAY NAME  HEALTHY  REMEDY  BLOCKED\n"
                                    "  facebook   Bakery FB     yes      -       -\n"
                                    "    no profiles\n"
                                    "  instagram  Bakery IG     yes      -       -\n"));
  EXPECT_TRUE(out_.str().ends_with("  instagram  Bakery IG     yes      -       -\n"));
}

TEST_F(ViewsTest, StatusShowsAProfileWhoseStateIsNotGivenAsUnknownAndNeverRunsItsName) {
  json h = health();
  h["social"] = {h["social"][0]};
  h["social"][0]["profiles"] = {{{"profile_id", "p9"}, {"name", "Evil\x1b[2J"}, {"network", "facebook"}}};
  http_.answer("GET", "/api/v1/connections/conn_1/health", 200, h);
  auto t = terminal();
  EXPECT_EQ(cli::runStatus(hub_, cli::StatusCommand{access(), "conn_1", false, false}, t), cli::kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("    profile  Evil\xEF\xBF\xBD[2J  facebook  publishing unknown\n"));
  EXPECT_EQ(out_.str().find('\x1b'), std::string::npos);
}

TEST_F(ViewsTest, StatusOfAHealthyLinkWithoutSocialLinksOrRefreshSaysSo) {
  json h = health();
  h["status"] = "healthy";
  h.erase("remedy");
  h["cc"].erase("remedy");
  h["cc"]["last_refresh"] = {{"at", nullptr}, {"outcome", ""}};
  h["cc"]["missing_scopes"] = json::array();
  h["social"] = json::array();
  http_.answer("GET", "/api/v1/connections/conn_1/health", 200, h);
  auto t = terminal();
  EXPECT_EQ(cli::runStatus(hub_, cli::StatusCommand{access(), "conn_1", false, false}, t), cli::kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("Status      healthy\nChecked at"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("Remedy")));
  EXPECT_THAT(out_.str(), HasSubstr("  missing_scopes    -\n"));
  EXPECT_THAT(out_.str(), HasSubstr("  last_refresh      never\n"));
  EXPECT_THAT(out_.str(), HasSubstr("\nSocial links: none\n"));
}

TEST_F(ViewsTest, StatusFreshAsksForAFreshCheckAndJsonPrintsTheBody) {
  http_.answer("GET", "/api/v1/connections/conn_1/health?fresh=true", 200, health());
  auto t = terminal();
  EXPECT_EQ(cli::runStatus(hub_, cli::StatusCommand{access(), "conn_1", true, true}, t), cli::kExitOk);
  EXPECT_EQ(json::parse(out_.str()), health());
}

TEST_F(ViewsTest, StatusOfAnUnknownConnectionExitsOneWithTheHubsMessage) {
  http_.answer("GET", "/api/v1/connections/nope%2F..%2Fx/health", 404,
               {{"error", {{"code", "not_found"}, {"message", "No connection has the id 'nope/../x'."}}}});
  auto t = terminal();
  EXPECT_EQ(cli::runStatus(hub_, cli::StatusCommand{access(), "nope/../x", false, false}, t),
            cli::kExitRejected);
  EXPECT_EQ(err_.str(), "liaison: No connection has the id 'nope/../x'.\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(ViewsTest, AHubFailureExitsTwoEvenWithoutAnErrorBody) {
  http_.answerText("GET", "/api/v1/connections?limit=1000", 502, "Bad Gateway");
  auto t = terminal();
  EXPECT_EQ(cli::runConnections(hub_, cli::ConnectionsCommand{access(), "", false}, t), cli::kExitNoHub);
  EXPECT_EQ(err_.str(), "liaison: The hub answered HTTP 502 without saying why.\n");
}

TEST_F(ViewsTest, DisconnectSaysWhatItDisconnected) {
  http_.answerText("DELETE", "/api/v1/connections/conn_1", 204, "");
  auto t = terminal();
  EXPECT_EQ(cli::runDisconnect(hub_, cli::DisconnectCommand{access(), "conn_1"}, t), cli::kExitOk);
  EXPECT_EQ(out_.str(), "Disconnected conn_1\n");
  EXPECT_EQ(http_.count("DELETE", "/api/v1/connections/conn_1"), 1);
}

TEST_F(ViewsTest, DisconnectOfAnUnknownConnectionExitsOne) {
  auto t = terminal();  // unscripted: the scripted hub answers 404
  EXPECT_EQ(cli::runDisconnect(hub_, cli::DisconnectCommand{access(), "conn_9"}, t), cli::kExitRejected);
  EXPECT_EQ(out_.str(), "");
  EXPECT_THAT(err_.str(), HasSubstr("liaison: unscripted"));
}

TEST(Table, ColumnsFitTheirWidestCellAndControlCharactersAreReplaced) {
  EXPECT_EQ(cli::renderTable({"A", "LONG HEADER"}, {{"wide cell", "x"}, {"b\x1b[31m", ""}}),
            "A          LONG HEADER\n"
            "wide cell  x\n"
            "b\xEF\xBF\xBD[31m\n");
  EXPECT_EQ(cli::renderTable({}, {{"k", "v"}, {"key", "value"}}), "k    v\nkey  value\n");
}

}  // namespace
}  // namespace liaison::testing
