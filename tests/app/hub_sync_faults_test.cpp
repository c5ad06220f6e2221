// The sync against a CC that misbehaves (reliability-bar.md): T26, CC carries out a write and the
// answer is lost on 10 % of calls: runs fail and are run again until one finishes, and no contact
// or row exists twice; T28, the day's budget has no room for background work: the run stops without agreeing
// anything, and the next day's run completes; 429 bursts on reads are retried.
#include <gtest/gtest.h>

#include <map>

#include "hub_sync_fixture.h"

namespace liaison::testing {
namespace {

using HubSyncFaultsTest = HubSyncFixture;

void expectNoDuplicates(const std::vector<json>& contacts) {
  std::map<std::string, int> seen;
  for (const auto& c : contacts) ++seen[c["email_address"]["address"].get<std::string>()];
  for (const auto& [email, count] : seen) EXPECT_EQ(count, 1) << email;
}

TEST_F(HubSyncFaultsTest, T26LostAnswersNeverDuplicateAContactOrARow) {
  // New rows on both sides, so the first runs create many records through imports.
  for (int i = 0; i < 30; ++i) {
    app_db_->exec("INSERT INTO users (email, full_name) VALUES ('new" + std::to_string(i) +
                  "@app.example', 'New " + std::to_string(i) + "')");
  }
  ASSERT_EQ(sandboxCall("POST", "/__sandbox/faults",
                        {{"probability", 0.1}, {"seed", 26}, {"action", {{"type", "drop_after_commit"}}}})
                .status,
            201);
  int runs = 0, failed = 0;
  for (; runs < 30; ++runs) {
    json report = run();
    if (report["state"] == "finished") break;
    ++failed;
  }
  ASSERT_LT(runs, 30) << "no run finished";
  ASSERT_EQ(sandboxCall("DELETE", "/__sandbox/faults").status / 100, 2);
  json settled = run();
  ASSERT_EQ(settled["state"], "finished") << settled.dump();
  std::vector<json> contacts = allContacts();
  expectNoDuplicates(contacts);
  int app_users = 0;
  for (const auto& c : contacts)
    app_users += c["email_address"]["address"].get<std::string>().ends_with("@app.example");
  EXPECT_EQ(app_users, 32) << "Ada, Grace and the 30 new rows; Alan opted out in the app";
  storage::Statement twice(*app_db_, "SELECT email, COUNT(*) FROM users GROUP BY email HAVING COUNT(*) > 1");
  EXPECT_FALSE(twice.step()) << "row for " << twice.columnText(0) << " twice";
  RecordProperty("runs_failed_by_lost_answers", failed);
}

TEST_F(HubSyncFaultsTest, T28TheDaysQuotaStopsARunAndTheNextDayCompletesIt) {
  // Bursts of 429 on reads are waited out by the caller.
  ASSERT_EQ(
      sandboxCall(
          "POST", "/__sandbox/faults",
          {{"operation", "getContacts"}, {"count", 3}, {"action", {{"type", "status"}, {"status", 429}}}})
          .status,
      201);
  // Five calls left today, all of them within the reserve kept for interactive calls: background
  // work has no room.
  const int64_t used = parts().governor.usage("hub-app").api_calls_today;
  requests_per_day_ = static_cast<int>(used) + 5;
  startHub();
  json stopped = run();
  EXPECT_EQ(stopped["state"], "failed") << stopped.dump();
  EXPECT_NE(stopped.value("error", "").find("budget"), std::string::npos) << stopped.dump();
  EXPECT_TRUE(parts().sync_store->links(sync_id_)->empty()) << "nothing agreed by the stopped run";
  EXPECT_EQ(rows(), 3) << "nothing written to the table";
  requests_per_day_ = 10000;
  startHub();
  clock_.advance(std::chrono::hours(24));
  json done = run();
  EXPECT_EQ(done["state"], "finished") << done.dump();
  EXPECT_FALSE(contactByEmail("ada@app.example").is_null());
}

}  // namespace
}  // namespace liaison::testing
