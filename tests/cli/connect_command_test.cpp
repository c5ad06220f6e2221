// `liaison connect` against a scripted hub: what it prints, how it polls, and its exit codes.
#include <algorithm>

#include "cli/cli_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSessionPath = "/api/v1/connect-sessions/cs_1";

json session(const std::string& status, const json& extra = json::object()) {
  json s = {{"id", "cs_1"},
            {"flow", "device"},
            {"status", status},
            {"end_user_id", "u1"},
            {"expires_at", "2026-03-01T10:05:00.000Z"},
            {"connect_url", "http://hub.test:8700/connect/cs_1"},
            {"user_code", "ABCD-EFGH"},
            {"verification_uri", "http://cc.test/device"},
            {"verification_uri_complete", "http://cc.test/device?user_code=ABCD-EFGH"},
            {"interval", 5}};
  s.update(extra);
  return s;
}

class ConnectTest : public CliTest {
 protected:
  int connect(bool is_tty = false, bool device = true) {
    auto t = terminal(is_tty);
    return cli::runConnect(hub_, cli::ConnectCommand{access(), "u1", device}, t);
  }
  void pendingThen(int pending_polls, const json& last) {
    http_.answer("POST", "/api/v1/connect-sessions", 201, session("pending"));
    for (int i = 0; i < pending_polls; ++i) http_.answer("GET", kSessionPath, 200, session("pending"));
    http_.answer("GET", kSessionPath, 200, last);
  }
  void connectionIs(const std::string& organization) {
    http_.answer(
        "GET", "/api/v1/connections/conn_1", 200,
        {{"id", "conn_1"}, {"account", {{"organization_name", organization}}}, {"status", "active"}});
  }
};

TEST_F(ConnectTest, PrintsWhereToApprovePollsAtTheIntervalAndNamesTheConnectedAccount) {
  pendingThen(4, session("connected", {{"connection_id", "conn_1"}}));
  connectionIs("Sandbox Bakery");
  EXPECT_EQ(connect(), cli::kExitOk);
  EXPECT_EQ(out_.str(),
            "Open this link to approve the connection:\n"
            "  http://cc.test/device?user_code=ABCD-EFGH\n"
            "Or go to http://cc.test/device and enter the code: ABCD-EFGH\n"
            // Polls at 5, 10, 15 and 20 s say pending; a line at most every 10 s.
            "waiting for approval (295 s left)\n"
            "waiting for approval (285 s left)\n"
            "Connected: Sandbox Bakery (connection conn_1)\n");
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(http_.count("GET", kSessionPath), 5);
  EXPECT_EQ(waits_, std::vector<std::chrono::seconds>(5, std::chrono::seconds(5)));

  const auto& created = http_.requests.front();
  EXPECT_EQ(created.method, "POST");
  EXPECT_EQ(created.url, "http://hub.test:8700/api/v1/connect-sessions");
  EXPECT_EQ(json::parse(created.body), json({{"end_user_id", "u1"}, {"flow", "device"}}));
  for (const auto& request : http_.requests) {
    EXPECT_EQ(request.headers.get("Authorization"), "Bearer " + std::string(kKey));
  }
}

TEST_F(ConnectTest, OnATerminalACountdownIsRedrawnEverySecondAndPollsKeepTheirInterval) {
  pendingThen(1, session("connected", {{"connection_id", "conn_1"}}));
  connectionIs("Sandbox Bakery");
  EXPECT_EQ(connect(true), cli::kExitOk);
  const std::string out = out_.str();
  EXPECT_THAT(out, HasSubstr("\r\x1b[KWaiting for approval: 5:00 left"));
  EXPECT_THAT(out, HasSubstr("\r\x1b[KWaiting for approval: 4:59 left"));
  EXPECT_THAT(out, HasSubstr("\r\x1b[KWaiting for approval: 4:51 left"));
  EXPECT_THAT(out, Not(HasSubstr("waiting for approval (")));
  EXPECT_THAT(out, EndsWith("\r\x1b[KConnected: Sandbox Bakery (connection conn_1)\n"));
  EXPECT_EQ(http_.count("GET", kSessionPath), 2);  // at 5 s and 10 s
  EXPECT_EQ(waits_, std::vector<std::chrono::seconds>(10, std::chrono::seconds(1)));
}

TEST_F(ConnectTest, DeniedExitsThreeWithTheReason) {
  pendingThen(0, session("denied", {{"error", "The account's user denied access."}}));
  EXPECT_EQ(connect(), cli::kExitDenied);
  EXPECT_EQ(err_.str(), "Denied: The account's user denied access.\n");
  EXPECT_THAT(out_.str(), Not(HasSubstr("Connected")));
}

TEST_F(ConnectTest, ExpiredExitsFour) {
  pendingThen(2, session("expired", {{"error", "The code expired before it was approved."}}));
  EXPECT_EQ(connect(), cli::kExitExpired);
  EXPECT_THAT(err_.str(), HasSubstr("Expired: The code expired before it was approved."));
  EXPECT_THAT(err_.str(), HasSubstr("liaison connect"));
}

TEST_F(ConnectTest, FailedExitsFive) {
  pendingThen(0, session("failed", {{"error", "Constant Contact refused the device authorization (x)."}}));
  EXPECT_EQ(connect(), cli::kExitFailed);
  EXPECT_EQ(err_.str(), "Failed: Constant Contact refused the device authorization (x).\n");
}

TEST_F(ConnectTest, AHubStillSayingPendingLongAfterExpiryCountsAsExpired) {
  pendingThen(0, session("pending"));
  EXPECT_EQ(connect(), cli::kExitExpired);
  // expires_at is 300 s away; the grace is 30 s; polls are 5 s apart.
  EXPECT_EQ(http_.count("GET", kSessionPath), 67);
  EXPECT_THAT(err_.str(), HasSubstr("Expired:"));
}

TEST_F(ConnectTest, ABadKeyExitsTwoWithTheHubsMessageAndRemedyAndNeverTheKey) {
  http_.answer("POST", "/api/v1/connect-sessions", 401,
               {{"error",
                 {{"code", "unauthorized"},
                  {"message", "The hub API key is not valid or was revoked."},
                  {"remedy", "Create one with `liaison keys create --name NAME`."}}}});
  EXPECT_EQ(connect(), cli::kExitNoHub);
  EXPECT_EQ(err_.str(),
            "liaison: The hub API key is not valid or was revoked.\n"
            "  Create one with `liaison keys create --name NAME`.\n");
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(http_.count("GET", kSessionPath), 0);
}

TEST_F(ConnectTest, NoKeyAtAllPointsAtTheEnvironmentVariable) {
  cli::HubClient keyless(http_, kHub, "");
  http_.answer("POST", "/api/v1/connect-sessions", 401,
               {{"error", {{"code", "unauthorized"}, {"message", "A hub API key is required."}}}});
  auto t = terminal();
  EXPECT_EQ(cli::runConnect(keyless, cli::ConnectCommand{cli::HubAccess{kHub, "", false}, "u1", true}, t),
            cli::kExitNoHub);
  EXPECT_THAT(err_.str(), AllOf(HasSubstr("A hub API key is required."), HasSubstr("LIAISON_API_KEY")));
  EXPECT_FALSE(http_.requests.front().headers.get("Authorization"));
}

TEST_F(ConnectTest, AnUnreachableHubExitsTwoAndSaysWhereItLooked) {
  http_.refuse("POST", "/api/v1/connect-sessions");
  EXPECT_EQ(connect(), cli::kExitNoHub);
  EXPECT_THAT(err_.str(), HasSubstr("Could not reach the hub at http://hub.test:8700 (Connection refused)"));
  EXPECT_THAT(err_.str(), HasSubstr("liaison serve"));
}

TEST_F(ConnectTest, TheHubGoingAwayWhileWaitingExitsTwo) {
  http_.answer("POST", "/api/v1/connect-sessions", 201, session("pending"));
  http_.answer("GET", kSessionPath, 200, session("pending"));
  http_.refuse("GET", kSessionPath);
  EXPECT_EQ(connect(true), cli::kExitNoHub);
  EXPECT_THAT(err_.str(), HasSubstr("Could not reach the hub"));
  EXPECT_THAT(out_.str(), EndsWith("\r\x1b[K"));  // the countdown line was cleared first
}

TEST_F(ConnectTest, AKeyOnTheCommandLineIsWarnedAboutAndNeverPrinted) {
  pendingThen(0, session("connected", {{"connection_id", "conn_1"}}));
  connectionIs("Sandbox Bakery");
  auto t = terminal();
  EXPECT_EQ(cli::runConnect(hub_, cli::ConnectCommand{access(true), "u1", true}, t), cli::kExitOk);
  EXPECT_THAT(err_.str(), HasSubstr("--key is visible to other users"));
  EXPECT_THAT(err_.str(), HasSubstr("LIAISON_API_KEY"));
  const std::string err = err_.str();
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1);
  EXPECT_THAT(err_.str() + out_.str(), Not(HasSubstr(kKey)));
}

TEST_F(ConnectTest, WithoutDeviceTheConnectLinkIsShown) {
  http_.answer("POST", "/api/v1/connect-sessions", 201, session("pending", {{"flow", "redirect"}}));
  http_.answer("GET", kSessionPath, 200, session("connected", {{"connection_id", "conn_1"}}));
  connectionIs("Sandbox Bakery");
  EXPECT_EQ(connect(false, false), cli::kExitOk);
  EXPECT_EQ(json::parse(http_.requests.front().body)["flow"], "redirect");
  EXPECT_THAT(out_.str(), HasSubstr("in a browser to connect the Constant Contact account:\n"
                                    "  http://hub.test:8700/connect/cs_1\n"));
}

TEST_F(ConnectTest, AnAnswerThatIsNotASessionExitsTwo) {
  http_.answerText("POST", "/api/v1/connect-sessions", 201, "<html>hello</html>");
  EXPECT_EQ(connect(), cli::kExitNoHub);
  EXPECT_THAT(err_.str(), HasSubstr("not understood"));
}

TEST_F(ConnectTest, ControlCharactersFromTheHubAreNotPassedToTheTerminal) {
  pendingThen(0, session("connected", {{"connection_id", "conn_1"}}));
  connectionIs("Evil\x1b]0;pwned\x07 Bakery");
  EXPECT_EQ(connect(), cli::kExitOk);
  EXPECT_THAT(out_.str(), Not(HasSubstr("\x1b")));
  EXPECT_THAT(out_.str(), HasSubstr("Connected: Evil"));
}

}  // namespace
}  // namespace liaison::testing
