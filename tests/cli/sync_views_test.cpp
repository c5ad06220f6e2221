// The text of `liaison sync`: a preview's plan, a run's outcome, the progress line and its ETA,
// the history table and a refused definition's problems, from the hub's JSON.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/sync_views.h"

namespace liaison::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

json counts(int read, int created, int updated, int deleted, int unsubscribed, int skipped) {
  return {{"read", read},       {"created", created},           {"updated", updated},
          {"deleted", deleted}, {"unsubscribed", unsubscribed}, {"skipped", skipped}};
}

json plan() {
  return {{"held", false},
          {"guard", {{"limit", 50}, {"deletions_and_unsubscribes", 2}}},
          {"counts", {{"a", counts(3, 1, 1, 1, 0, 0)}, {"b", counts(4, 0, 1, 0, 1, 1)}}},
          {"conflicts",
           {{{"a_id", "c1"},
             {"b_id", "r1"},
             {"field", "first_name"},
             {"a_value", "Ann"},
             {"b_value", "Anne"},
             {"rule", "last_writer_wins"},
             {"winner", "b"}}}},
          {"skipped", {{{"side", "b"}, {"id", "r7"}, {"reason", "no email address"}}}},
          {"issues",
           {{{"to", "a"},
             {"id", "c2"},
             {"from_id", "r2"},
             {"field", "phone:mobile"},
             {"value", "call me"},
             {"action", "skipped"},
             {"why", "not a phone number"}}}},
          {"notes", {"r3 cleared its unsubscribe flag: it stays unsubscribed"}},
          {"writes",
           {{"a",
             {{{"kind", "create"},
               {"values", {{"first_name", "New"}, {"email", "new@example.com"}}},
               {"add", {{"lists", {"Customers"}}}}},
              {{"kind", "update"},
               {"id", "c1"},
               {"values", {{"first_name", "Anne"}}},
               {"add", {{"tags", {"vip"}}}},
               {"remove", {{"lists", {"Old"}}}}},
              {{"kind", "delete"}, {"id", "c0"}}}},
            {"b",
             {{{"kind", "update"}, {"id", "r2"}, {"values", {{"last_name", "Smith"}}}},
              {{"kind", "unsubscribe"}, {"id", "r3"}}}}}}};
}

TEST(SyncViews, APlanShowsCountsEveryKindOfWriteConflictsSkipsAndNotes) {
  EXPECT_EQ(cli::renderPlan(plan()),
            "              A (CC)  B\n"
            "read          3       4\n"
            "created       1       0\n"
            "updated       1       1\n"
            "deleted       1       0\n"
            "unsubscribed  0       1\n"
            "skipped       0       1\n"
            "\n"
            "Creates in a (CC) (1):\n"
            "  + email=\"new@example.com\", first_name=\"New\", lists +\"Customers\"\n"
            "\n"
            "Updates in a (CC) (1):\n"
            "  ~ c1: first_name=\"Anne\", tags +\"vip\", lists -\"Old\"\n"
            "\n"
            "Deletes in a (CC) (1):\n"
            "  - c0\n"
            "\n"
            "Updates in b (1):\n"
            "  ~ r2: last_name=\"Smith\"\n"
            "\n"
            "Unsubscribes in b (1):\n"
            "  - r3\n"
            "\n"
            "Conflicts (1):\n"
            "  c1 / r1  first_name: a \"Ann\", b \"Anne\" -> b wins (last_writer_wins)\n"
            "\n"
            "Skipped (1):\n"
            "  b r7: no email address\n"
            "\n"
            "Values not carried as they were (1):\n"
            "  to a c2 phone:mobile \"call me\": skipped, not a phone number\n"
            "\n"
            "Notes (1):\n"
            "  r3 cleared its unsubscribe flag: it stays unsubscribed\n");
}

TEST(SyncViews, AHeldPlanSaysWhyFirstAndAQuietOneSaysThereIsNothingToWrite) {
  json held = plan();
  held["held"] = true;
  held["held_reason"] = "60 deletions and unsubscribes exceed the guard of 50";
  EXPECT_THAT(cli::renderPlan(held),
              StartsWith("This run would be held: 60 deletions and unsubscribes exceed the guard of 50.\n"
                         "  A run writes nothing until a person approves it.\n\n"));
  json quiet = {{"counts", {{"a", counts(3, 0, 0, 0, 0, 0)}, {"b", counts(3, 0, 0, 0, 0, 0)}}},
                {"writes", {{"a", json::array()}, {"b", json::array()}}}};
  EXPECT_THAT(cli::renderPlan(quiet), HasSubstr("\nNothing to write: both sides agree.\n"));
}

TEST(SyncViews, ALongPartIsCutWithACountAndTextCannotDriveTheTerminal) {
  json report = plan();
  report["writes"]["b"] = json::array();
  for (int i = 0; i < 25; ++i)
    report["writes"]["b"].push_back({{"kind", "delete"}, {"id", "r" + std::to_string(i)}});
  report["writes"]["a"][0]["values"]["first_name"] = "Evil\x1b[2J";
  const std::string text = cli::renderPlan(report);
  EXPECT_THAT(text, HasSubstr("Deletes in b (25):\n  - r0\n"));
  EXPECT_THAT(text, HasSubstr("  - r19\n  ... and 5 more (--json lists them all)\n"));
  EXPECT_THAT(text, Not(HasSubstr("r20")));
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
}

TEST(SyncViews, ARunEndsFinishedHeldOrFailed) {
  json finished = {
      {"id", "run_1"},
      {"state", "finished"},
      {"report",
       {{"counts", {{"a", counts(3, 1, 0, 0, 0, 0)}, {"b", counts(4, 0, 0, 0, 0, 0)}}},
        {"conflicts", json::array()},
        {"cc_calls", 4},
        {"cc_calls_minimum", 3},
        {"duration_ms", 65'000},
        {"failed", {{{"side", "a"}, {"id", "c1"}, {"kind", "update"}, {"reason", "CC refused it"}}}}}}};
  EXPECT_EQ(cli::renderOutcome("sync_1", finished),
            "Run run_1 finished in 1:05 (4 CC calls (fewest possible 3), 0 conflicts settled).\n"
            "              A (CC)  B\n"
            "read          3       4\n"
            "created       1       0\n"
            "updated       0       0\n"
            "deleted       0       0\n"
            "unsubscribed  0       0\n"
            "skipped       0       0\n"
            "\n"
            "Writes refused (retried next run) (1):\n"
            "  a c1 update: CC refused it\n");
  json held = {{"id", "run_2"}, {"state", "held"}, {"report", {{"held_reason", "side b reads empty"}}}};
  EXPECT_EQ(cli::renderOutcome("sync_1", held),
            "Run run_2 is held: side b reads empty. Nothing was written.\n"
            "  See what it would do with `liaison sync preview sync_1`, then approve it with "
            "`liaison sync approve sync_1 run_2`.\n");
  json failed = {{"id", "run_3"}, {"state", "failed"}, {"report", {{"error", "CC did not answer"}}}};
  EXPECT_THAT(cli::renderOutcome("sync_1", failed), StartsWith("Run run_3 failed: CC did not answer.\n"));
}

TEST(SyncViews, TheProgressLineEstimatesTheTimeLeftFromTheWriteRate) {
  const json reading = {{"phase", "reading"}, {"written", 0}};
  EXPECT_EQ(cli::progressLine(reading, seconds(3), std::nullopt), "reading, 0:03 elapsed");
  EXPECT_EQ(cli::estimateRemaining(reading, 0, seconds(3)), std::nullopt);

  const json writing = {
      {"phase", "writing"}, {"read", 7}, {"planned", 100}, {"written", 50}, {"cc_calls", 2}};
  // 40 written in the 8 s since 10 were: 5 a second, so the 50 left take 10 s.
  EXPECT_EQ(cli::estimateRemaining(writing, 10, seconds(8)), seconds(10));
  EXPECT_EQ(cli::progressLine(writing, seconds(12), seconds(10)),
            "writing, read 7, written 50/100, 2 CC calls, 0:12 elapsed, ETA 0:10");
  EXPECT_EQ(cli::estimateRemaining(writing, 50, seconds(8)), std::nullopt) << "no rate yet";
  EXPECT_EQ(cli::estimateRemaining(writing, 0, seconds(0)), std::nullopt);
  EXPECT_EQ(cli::progressLine(json::object(), seconds(3725), std::nullopt), "starting, 1:02:05 elapsed");
}

TEST(SyncViews, HistoryIsATableWithEachSidesChangesAndWhyARunDidNotFinish) {
  const json runs = {{{"id", "run_3"},
                      {"state", "held"},
                      {"trigger", "schedule"},
                      {"started_at", "2026-03-01T11:00:00.000Z"},
                      {"finished_at", "2026-03-01T11:00:02.000Z"},
                      {"report",
                       {{"counts", {{"a", counts(3, 0, 0, 0, 0, 0)}, {"b", counts(0, 0, 0, 0, 0, 0)}}},
                        {"held_reason", "side b reads empty"}}}},
                     {{"id", "run_2"},
                      {"state", "finished"},
                      {"trigger", "manual"},
                      {"started_at", "2026-03-01T10:00:00.000Z"},
                      {"finished_at", "2026-03-01T10:00:05.000Z"},
                      {"report",
                       {{"counts", {{"a", counts(3, 1, 2, 1, 1, 0)}, {"b", counts(4, 0, 1, 0, 0, 0)}}},
                        {"cc_calls", 309},
                        {"cc_calls_minimum", 8},
                        {"failed", {{{"id", "c1"}}}}}}},
                     {{"id", "run_1"},
                      {"state", "running"},
                      {"trigger", "manual"},
                      {"started_at", "2026-03-01T09:00:00.000Z"},
                      {"finished_at", nullptr},
                      {"report", json::object()}}};
  EXPECT_EQ(
      cli::renderHistory(runs),
      "RUN    STATE     TRIGGER   STARTED                   FINISHED                  A (CC)    B         "
      "CC CALLS        NOTE\n"
      "run_3  held      schedule  2026-03-01T11:00:00.000Z  2026-03-01T11:00:02.000Z  +0 ~0 -0  +0 ~0 -0  "
      "-               side b reads empty\n"
      "run_2  finished  manual    2026-03-01T10:00:00.000Z  2026-03-01T10:00:05.000Z  +1 ~2 -2  +0 ~1 -0  "
      "309 (fewest 8)  1 writes refused\n"
      "run_1  running   manual    2026-03-01T09:00:00.000Z  -                         +0 ~0 -0  +0 ~0 -0  -\n"
      "(+ created, ~ updated, - deleted or unsubscribed)\n");
  EXPECT_EQ(cli::renderHistory(json::array()), "No runs yet.\n");
}

TEST(SyncViews, ProblemsAreOneLineEach) {
  const json problems = {
      {{"field", "b.encoding"}, {"value", "ebcdic"}, {"why", "must be one of utf-8, latin-1"}},
      {{"field", "name"}, {"value", ""}, {"why", "is required"}}};
  EXPECT_EQ(cli::renderProblems(problems),
            "  b.encoding (ebcdic): must be one of utf-8, latin-1\n"
            "  name: is required\n");
}

}  // namespace
}  // namespace liaison::testing
