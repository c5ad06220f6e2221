// `liaison sync …` against a scripted hub: what each verb asks and prints, how `run` follows a
// run to its end (a line redrawn on a terminal, one every 10 s elsewhere), and the exit codes.
#include <fstream>

#include "cli/cli_fixture.h"
#include "support/temp_dir.h"

namespace liaison::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kRunPath = "/api/v1/syncs/sync_1/runs/run_1";

json run(const std::string& state, const json& progress = json::object(),
         const json& report = json::object()) {
  return {{"id", "run_1"},
          {"sync_id", "sync_1"},
          {"state", state},
          {"trigger", "manual"},
          {"started_at", "2026-03-01T10:00:00.000Z"},
          {"finished_at", state == "running" ? json(nullptr) : json("2026-03-01T10:00:09.000Z")},
          {"progress", progress},
          {"report", report}};
}

json writing(int written) {
  return {{"phase", "writing"}, {"read", 7}, {"planned", 100}, {"written", written}, {"cc_calls", 2}};
}

json finishedReport() {
  json side = {{"read", 3},    {"created", 1},      {"updated", 0},
               {"deleted", 0}, {"unsubscribed", 0}, {"skipped", 0}};
  return {{"counts", {{"a", side}, {"b", side}}},
          {"cc_calls", 4},
          {"duration_ms", 9000},
          {"failed", json::array()}};
}

json sync(bool paused = false) {
  return {{"id", "sync_1"},
          {"name", "Users"},
          {"paused", paused},
          {"definition",
           {{"name", "Users"},
            {"a", {{"type", "cc"}, {"connection_id", "conn_1"}}},
            {"b", {{"type", "sql"}, {"url", "app.db"}, {"table", "users"}, {"key", "id"}}},
            {"interval", 3600}}},
          {"created_at", "2026-03-01T09:00:00.000Z"},
          {"updated_at", "2026-03-01T09:00:00.000Z"},
          {"next_run_at", paused ? json(nullptr) : json("2026-03-01T11:00:00.000Z")},
          {"last_run", nullptr}};
}

class SyncCommandTest : public CliTest {
 protected:
  int sync(const std::string& action, const std::string& id = "sync_1", bool is_tty = false,
           bool no_wait = false) {
    cli::SyncCommand command{access(), action};
    command.sync_id = id;
    command.no_wait = no_wait;
    command.file = file_;
    command.run_id = "run_1";
    auto t = terminal(is_tty);
    return cli::runSync(hub_, command, t);
  }
  void runsThen(const std::vector<json>& polls) {
    http_.answer("POST", "/api/v1/syncs/sync_1/runs", 202,
                 run("running", {{"phase", "reading"}, {"written", 0}}));
    for (const auto& p : polls) http_.answer("GET", kRunPath, 200, p);
  }

  TempDir dir_;
  std::string file_;
};

TEST_F(SyncCommandTest, CreateSendsTheFilesDefinitionAndNamesTheNewSync) {
  const json definition = {{"name", "Users"}, {"a", {{"type", "cc"}, {"connection_id", "conn_1"}}}};
  file_ = (dir_.path() / "sync.json").string();
  std::ofstream(file_) << definition.dump();
  http_.answer("POST", "/api/v1/syncs", 201, ::liaison::testing::sync());
  EXPECT_EQ(sync("create", ""), cli::kExitOk);
  EXPECT_EQ(json::parse(http_.requests.at(0).body), definition);
  EXPECT_EQ(out_.str(),
            "Created sync sync_1 (Users).\n  See what its first run would do with `liaison sync preview "
            "sync_1`.\n");
}

TEST_F(SyncCommandTest, ARefusedDefinitionListsEveryProblemAndABadFileIsNeverSent) {
  file_ = (dir_.path() / "sync.json").string();
  std::ofstream(file_) << "{}";
  http_.answer(
      "POST", "/api/v1/syncs", 400,
      {{"error",
        {{"code", "sync.invalid_definition"},
         {"message", "The sync definition was refused: name is required (and 1 more, listed in problems)."},
         {"problems",
          {{{"field", "name"}, {"value", ""}, {"why", "is required"}},
           {{"field", "mapping[1].b"}, {"value", "title"}, {"why", "is not a column of side b"}}}}}}});
  EXPECT_EQ(sync("create", ""), cli::kExitRejected);
  EXPECT_THAT(err_.str(), HasSubstr("refused: name is required"));
  EXPECT_THAT(err_.str(),
              EndsWith("  name: is required\n  mapping[1].b (title): is not a column of side b\n"));

  std::ofstream(file_) << "[1, 2";
  err_.str("");
  EXPECT_EQ(sync("create", ""), cli::kExitRejected);
  EXPECT_THAT(err_.str(), HasSubstr("does not hold a JSON object"));
  EXPECT_EQ(http_.requests.size(), 1u);
}

TEST_F(SyncCommandTest, ListShowAndHistoryReadTheHub) {
  http_.answer("GET", "/api/v1/syncs", 200, {{"syncs", {::liaison::testing::sync()}}});
  EXPECT_EQ(sync("list", ""), cli::kExitOk);
  EXPECT_EQ(out_.str(),
            "ID      NAME   B    PAUSED  LAST RUN  NEXT RUN\n"
            "sync_1  Users  sql  no      -         2026-03-01T11:00:00.000Z\n");
  out_.str("");
  http_.answer("GET", "/api/v1/syncs/sync_1", 200, ::liaison::testing::sync(true));
  EXPECT_EQ(sync("show"), cli::kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("B         SQL app.db table users\n"));
  EXPECT_THAT(out_.str(), HasSubstr("Paused    yes (runs by hand only)\n"));
  EXPECT_THAT(out_.str(), HasSubstr("\n      \"table\": \"users\",\n"));
  out_.str("");
  http_.answer("GET", "/api/v1/syncs/sync_1/runs?limit=20", 200, {{"runs", json::array()}});
  EXPECT_EQ(sync("history"), cli::kExitOk);
  EXPECT_EQ(out_.str(), "No runs yet.\n");
  EXPECT_EQ(sync("show", "sync_nope"), cli::kExitRejected) << "unscripted: the hub's 404";
}

TEST_F(SyncCommandTest, PreviewPrintsThePlan) {
  http_.answer(
      "POST", "/api/v1/syncs/sync_1/preview", 200,
      {{"counts", finishedReport()["counts"]}, {"writes", {{"a", json::array()}, {"b", json::array()}}}});
  EXPECT_EQ(sync("preview"), cli::kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("Plan for sync sync_1 (nothing is written):\n              A (CC)  B\n"));
  EXPECT_THAT(out_.str(), HasSubstr("Nothing to write: both sides agree.\n"));
}

TEST_F(SyncCommandTest, RunFollowsTheRunEverySecondAndPrintsTheCounts) {
  runsThen({run("running", writing(0)), run("running", writing(50)), run("running", writing(50)),
            run("finished", writing(100), finishedReport())});
  EXPECT_EQ(sync("run"), cli::kExitOk);
  EXPECT_EQ(waits_, std::vector<seconds>(4, seconds(1)));
  EXPECT_EQ(http_.count("GET", kRunPath), 4);
  EXPECT_THAT(out_.str(), HasSubstr("Run run_1 started (Ctrl-C stops following; the run goes on).\n"
                                    "reading, 0:00 elapsed\n"
                                    "Run run_1 finished in 0:09 (4 CC calls, 0 conflicts settled).\n"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("writing"))) << "one line every 10 s without a terminal";
  EXPECT_EQ(err_.str(), "");
}

TEST_F(SyncCommandTest, OnATerminalTheProgressLineIsRedrawnWithAnEta) {
  runsThen({run("running", writing(0)), run("running", writing(50)),
            run("finished", writing(100), finishedReport())});
  EXPECT_EQ(sync("run", "sync_1", true), cli::kExitOk);
  const std::string out = out_.str();
  EXPECT_THAT(out, HasSubstr("\r\x1b[Kreading, 0:00 elapsed"));
  EXPECT_THAT(out, HasSubstr("\r\x1b[Kwriting, read 7, written 0/100, 2 CC calls, 0:01 elapsed"));
  // 50 written in the second since writing began: the other 50 take another second.
  EXPECT_THAT(out, HasSubstr("\r\x1b[Kwriting, read 7, written 50/100, 2 CC calls, 0:02 elapsed, ETA 0:01"));
  EXPECT_THAT(out, HasSubstr("\r\x1b[KRun run_1 finished")) << "the line is cleared before the outcome";
}

TEST_F(SyncCommandTest, AHeldRunEndsWithHowToApproveIt) {
  runsThen({run("held", writing(0), {{"held", true}, {"held_reason", "side b reads empty"}})});
  EXPECT_EQ(sync("run"), cli::kExitHeld);
  EXPECT_THAT(err_.str(), HasSubstr("Run run_1 is held: side b reads empty."));
  EXPECT_THAT(err_.str(), HasSubstr("`liaison sync approve sync_1 run_1`"));
}

TEST_F(SyncCommandTest, AFailedRunSaysWhy) {
  runsThen({run("running", writing(0)), run("failed", writing(0), {{"error", "CC did not answer"}})});
  EXPECT_EQ(sync("run"), cli::kExitFailed);
  EXPECT_THAT(err_.str(), HasSubstr("Run run_1 failed: CC did not answer."));
}

TEST_F(SyncCommandTest, ApproveStartsTheApprovingRunAndAConflictIsRejected) {
  const std::string path = "/api/v1/syncs/sync_1/runs/run_1/approve";
  http_.answer("POST", path, 202, run("finished", writing(100), finishedReport()));
  http_.answer("POST", path, 409,
               {{"error", {{"code", "sync.run_not_held"}, {"message", "Run run_1 is finished, not held."}}}});
  EXPECT_EQ(sync("approve"), cli::kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("Run run_1 finished"));
  EXPECT_TRUE(waits_.empty()) << "a run already ended is not polled";
  EXPECT_EQ(sync("approve"), cli::kExitRejected);
  EXPECT_THAT(err_.str(), HasSubstr("liaison: Run run_1 is finished, not held.\n"));
}

TEST_F(SyncCommandTest, NoWaitPrintsTheBegunRunAndReturns) {
  runsThen({run("finished")});
  EXPECT_EQ(sync("run", "sync_1", false, true), cli::kExitOk);
  EXPECT_EQ(out_.str(),
            "Started run run_1 of sync sync_1.\n  Follow it with `liaison sync history sync_1`.\n");
  EXPECT_EQ(http_.count("GET", kRunPath), 0);
}

TEST_F(SyncCommandTest, PauseAndResumeSayWhatTheyMean) {
  http_.answer("POST", "/api/v1/syncs/sync_1/pause", 200, ::liaison::testing::sync(true));
  http_.answer("POST", "/api/v1/syncs/sync_1/resume", 200, ::liaison::testing::sync(false));
  EXPECT_EQ(sync("pause"), cli::kExitOk);
  EXPECT_EQ(sync("resume"), cli::kExitOk);
  EXPECT_EQ(out_.str(),
            "Paused sync sync_1: the schedule leaves it alone (`liaison sync run sync_1` still runs it).\n"
            "Resumed sync sync_1: it runs on its schedule again, next at 2026-03-01T11:00:00.000Z.\n");
}

TEST_F(SyncCommandTest, AHubThatGoesAwayMidRunIsExit2AndTheLineIsCleared) {
  http_.answer("POST", "/api/v1/syncs/sync_1/runs", 202, run("running", writing(0)));
  http_.refuse("GET", kRunPath);
  EXPECT_EQ(sync("run", "sync_1", true), cli::kExitNoHub);
  EXPECT_THAT(out_.str(), EndsWith("\r\x1b[K"));
  EXPECT_THAT(err_.str(), HasSubstr("Could not reach the hub"));

  http_.answer("GET", "/api/v1/syncs", 200, {{"syncs", "not a list"}});
  EXPECT_EQ(sync("list", ""), cli::kExitNoHub) << "an answer of the wrong shape";
}

}  // namespace
}  // namespace liaison::testing
