// The runner over the hub's store (SQLite and PostgreSQL): runs end in the history with their
// reports, links and cursor move together, a held run writes nothing until approved, runs of one
// sync never overlap, and a run that fails part-way loses and duplicates nothing on replay.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/random.h"
#include "support/temp_dir.h"
#include "support/test_store.h"
#include "sync/model/definition_json.h"
#include "sync/planner/memory_sides.h"
#include "sync/runner/sync_runner.h"

namespace liaison::sync {
namespace {

using nlohmann::json;
using testing::MemorySide;

// A side kept in memory that can be told to fail.
class FakeSide final : public SyncSide {
 public:
  FakeSide(MemorySide& side, const TimePoint& now) : side_(side), now_(now) {}
  Result<Catalog> catalog() override {
    if (!side_.cc) return Catalog::table({{"email", ""}, {"first_name", ""}, {"last_name", ""}}, false);
    return Catalog::cc({});
  }
  Result<SideRead> read(const std::optional<sync::ReadCursor>& from) override {
    if (reads) reads->push_back(from);
    return side_.read();
  }
  Result<ApplyOutcome> apply(const std::vector<Write>& writes, const SideRead& read) override {
    ++calls_;
    if (applied_with) applied_with->push_back(read.records.size());
    if (fail_apply) return makeError(ErrorCode::BadGateway, "upstream.no_answer", "no answer");
    ApplyOutcome outcome;
    outcome.own_window = own_window;
    std::vector<Write> accepted;
    std::vector<size_t> index;
    for (size_t i = 0; i < writes.size(); ++i) {
      if (!refuse_id.empty() && writes[i].id == refuse_id) {
        outcome.failed.push_back({i, "refused by the side"});
      } else {
        accepted.push_back(writes[i]);
        index.push_back(i);
      }
    }
    int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now_.time_since_epoch()).count();
    for (const auto& [i, id] : side_.apply(accepted, ms)) outcome.created[index[i]] = id;
    return outcome;
  }
  int64_t calls() const override { return calls_; }

  bool fail_apply = false;
  std::string refuse_id;
  std::vector<std::optional<ReadCursor>>* reads = nullptr;  // each read's cursor
  std::optional<TimeWindow> own_window;                     // what each apply reports
  std::vector<size_t>* applied_with = nullptr;              // the records each apply was given

 private:
  MemorySide& side_;
  const TimePoint& now_;
  int64_t calls_ = 0;
};

class Factory final : public SideFactory {
 public:
  Factory(MemorySide& a, MemorySide& b, const TimePoint& now) : a_(a), b_(b), now_(now) {}
  Result<std::unique_ptr<SyncSide>> open(const std::string&, const SideSpec& spec) override {
    // Side b is another CC account when its connection is "conn-b".
    const bool is_a = spec.type == SideType::Cc && spec.connection_id != "conn-b";
    auto side = std::make_unique<FakeSide>(is_a ? a_ : b_, now_);
    if (!is_a) side->applied_with = &b_applied_with;
    side->fail_apply = is_a ? fail_a : false;
    side->refuse_id = is_a ? refuse_a : std::string();
    if (is_a) {
      side->reads = &a_reads;
      side->own_window = a_window;
    }
    return std::unique_ptr<SyncSide>(std::move(side));
  }
  bool fail_a = false;
  std::string refuse_a;
  std::vector<std::optional<ReadCursor>> a_reads;
  std::optional<TimeWindow> a_window;
  std::vector<size_t> b_applied_with;

 private:
  MemorySide& a_;
  MemorySide& b_;
  const TimePoint& now_;
};

Record contact(const std::string& id, const std::string& email, const std::string& first) {
  return testing::recordFromJson(json{{"id", id}, {"email", email}, {"first_name", first}}, true);
}
Record row(const std::string& id, const std::string& email, const std::string& first) {
  return testing::recordFromJson(json{{"id", id}, {"email", email}, {"first_name", first}, {"last_name", ""}}, false);
}

class SyncRunnerTest : public ::testing::Test {
 protected:
  SyncRunnerTest()
      : clock_(fromUnixSeconds(1'800'000'000)),
        db_(liaison::testing::testStoreLocation(dir_.path() / "hub.db"), migrations()),
        store_(db_, clock_, random_) {
    a_.cc = true;
    a_.id_prefix = "c-new-";
    b_.cc = false;
    b_.id_prefix = "r-new-";
    for (int i = 0; i < 3; ++i) {
      std::string n = std::to_string(i);
      a_.records["c" + n] = contact("c" + n, "p" + n + "@example.com", "P" + n);
      b_.records["r" + n] = row("r" + n, "p" + n + "@example.com", "P" + n);
    }
    b_.records["r9"] = row("r9", "new@example.com", "New");
  }
  static std::span<const storage::Migration> migrations() {
    static const storage::Migration extra[] = {
        {2, kSyncSchemaSql}, {3, kSyncReadSkipSql}, {4, kSyncLinksUnindexedSql}};
    return extra;
  }
  StoredSync create() {
    auto parsed = parseDefinition(json::parse(R"({"name": "Users", "a": {"type": "cc", "connection_id": "conn"},
        "b": {"type": "sql", "url": "app.db", "table": "users"}, "deletions": {"from_b": "soft_delete"}})"));
    auto sync = store_.create("app", std::get<SyncDefinition>(parsed));
    EXPECT_TRUE(sync.ok());
    return *sync;
  }
  StoredSync reload(const StoredSync& sync) { return *store_.get("app", sync.id); }
  RunRecord runNow(const StoredSync& sync, bool approved = false) {
    now_ = clock_.now();
    auto run = runner_.run(reload(sync), "manual", approved);
    EXPECT_TRUE(run.ok()) << (run.ok() ? "" : run.error().message);
    clock_.advance(std::chrono::minutes(1));
    return run.ok() ? *run : RunRecord{};
  }
  json report(const RunRecord& run) { return json::parse(run.report_json); }

  liaison::testing::TempDir dir_;
  ManualClock clock_;
  CryptoRandom random_;
  hub::HubDatabase db_;
  SyncStore store_;
  MemorySide a_, b_;
  TimePoint now_{};
  Factory factory_{a_, b_, now_};
  std::vector<std::string> events_;
  SyncRunner runner_{store_, factory_, clock_, RunnerSettings{},
                     [this](const std::string& type, const StoredSync&, const RunRecord&) { events_.push_back(type); }};
};

TEST_F(SyncRunnerTest, RunsSettleAndAQuietRunWritesNothing) {
  StoredSync sync = create();
  RunRecord first = runNow(sync);
  EXPECT_EQ(first.state, RunState::Finished);
  EXPECT_EQ(report(first)["counts"]["a"]["created"], 1);
  EXPECT_EQ(a_.records.size(), 4u);
  ASSERT_EQ(store_.links(sync.id)->size(), 4u);
  EXPECT_GT(reload(sync).a_cursor, TimePoint{});

  RunRecord second = runNow(sync);
  EXPECT_EQ(report(second)["counts"]["a"]["updated"], 0);
  EXPECT_EQ(report(second)["counts"]["b"]["updated"], 0);
  EXPECT_EQ(report(second)["cc_calls"], 2) << "one apply call per side, each with nothing to do";
  auto history = store_.runs(sync.id, 10);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].id, second.id);
  EXPECT_EQ(events_, (std::vector<std::string>{"sync.run_finished", "sync.run_finished"}));
}

TEST_F(SyncRunnerTest, CcsSpanOfTheRunsOwnWritesIsSkippedByLaterReadsUntilADayHasPassed) {
  StoredSync sync = create();
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch()).count();
  const TimeWindow own{now_ms + 1000, now_ms + 2000};
  factory_.a_window = own;
  runNow(sync);  // the first run: a complete read, and a contact created in CC
  factory_.a_window.reset();
  auto stored = reload(sync).a_skip;
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].from_ms, own.from_ms);
  EXPECT_EQ(stored[0].to_ms, own.to_ms);

  b_.records["r1"].text["first_name"] = "Changed";
  runNow(sync);
  ASSERT_EQ(factory_.a_reads.size(), 2u);
  EXPECT_FALSE(factory_.a_reads[0]) << "the first run reads CC whole";
  ASSERT_TRUE(factory_.a_reads[1]);
  ASSERT_EQ(factory_.a_reads[1]->skip.size(), 1u);
  EXPECT_EQ(factory_.a_reads[1]->skip[0].to_ms, own.to_ms);
  EXPECT_EQ(reload(sync).a_skip.size(), 1u) << "kept while later reads may still start before it";

  clock_.advance(std::chrono::hours(25));
  runNow(sync);
  EXPECT_TRUE(reload(sync).a_skip.empty()) << "a day old: no read starts that early";
}

TEST_F(SyncRunnerTest, ARunStoresOnlyTheLinksItChanged) {
  StoredSync sync = create();
  runNow(sync);
  // The stored state of every pair, re-spelled (same meaning, other text): a run that rewrote a
  // link would spell it its own way again.
  auto respell = [&](const std::string& a_id, const std::string& state) {
    ASSERT_TRUE(db_.transaction([&](storage::Database& db) -> Status {
                     storage::Statement st(db, "UPDATE sync_links SET state = ?2 WHERE a_id = ?1");
                     st.bind(1, a_id).bind(2, state).step();
                     return okStatus();
                   })
                    .ok());
  };
  auto stateOf = [&](const std::string& a_id) {
    std::string state;
    EXPECT_TRUE(db_.read([&](storage::Database& db) -> Status {
                     storage::Statement st(db, "SELECT state FROM sync_links WHERE a_id = ?1");
                     st.bind(1, a_id);
                     if (st.step()) state = st.columnText(0);
                     return okStatus();
                   })
                    .ok());
    return state;
  };
  std::vector<Link> before = *store_.links(sync.id);
  for (const auto& link : before) {
    nlohmann::ordered_json state = json::parse(stateOf(link.a_id));
    respell(link.a_id, state.dump(1));
  }
  const std::string c1_before = stateOf("c1"), c2_before = stateOf("c2");

  b_.records["r2"].text["first_name"] = "Pat";  // one pair changes
  b_.records["r2"].changed_at_ms += 1;
  runNow(sync);
  EXPECT_EQ(stateOf("c1"), c1_before) << "an unchanged pair is not written again";
  EXPECT_NE(stateOf("c2"), c2_before) << "the changed pair is stored";
  EXPECT_NE(stateOf("c2").find("\"Pat\""), std::string::npos) << stateOf("c2");
  EXPECT_EQ(store_.links(sync.id)->size(), before.size());
}

TEST_F(SyncRunnerTest, T23AnotherAccountBehindTheConnectionOrAnEmptyAccountIsHeld) {
  for (int i = 10; i < 70; ++i) {
    std::string n = std::to_string(i);
    a_.records["c" + n] = contact("c" + n, "p" + n + "@example.com", "P" + n);
    b_.records["r" + n] = row("r" + n, "p" + n + "@example.com", "P" + n);
  }
  StoredSync sync = create();
  ASSERT_EQ(runNow(sync).state, RunState::Finished);
  const auto rows_before = b_.records;
  const size_t links_before = store_.links(sync.id)->size();
  ASSERT_EQ(links_before, 64u);

  // The connection now reaches another account: none of the linked contacts, others instead.
  const auto first_account = a_.records;
  a_.records.clear();
  for (int i = 0; i < 80; ++i) {
    std::string n = std::to_string(i);
    a_.records["x" + n] = contact("x" + n, "other" + n + "@example.org", "O" + n);
  }
  RunRecord switched = runNow(sync);
  EXPECT_EQ(switched.state, RunState::Held);
  EXPECT_NE(report(switched)["held_reason"].get<std::string>().find("left the sync's scope"),
            std::string::npos)
      << report(switched)["held_reason"];
  EXPECT_EQ(report(switched)["guard"]["left_scope"], 64);
  EXPECT_EQ(b_.records.size(), rows_before.size()) << "no row made for the other account's contacts";
  EXPECT_EQ(a_.records.size(), 80u) << "no contact made in the other account";

  // An account that reads empty is held the same way.
  a_.records.clear();
  RunRecord empty = runNow(sync);
  EXPECT_EQ(empty.state, RunState::Held);
  EXPECT_NE(report(empty)["held_reason"].get<std::string>().find("side a (CC) reads empty"),
            std::string::npos);

  // The right account again: nothing was lost.
  a_.records = first_account;
  RunRecord back = runNow(sync);
  EXPECT_EQ(back.state, RunState::Finished);
  EXPECT_EQ(b_.records.size(), rows_before.size());
  EXPECT_EQ(report(back)["counts"]["b"]["created"], 0);
  EXPECT_EQ(store_.links(sync.id)->size(), links_before);
}

TEST_F(SyncRunnerTest, AHeldRunWritesNothingUntilApproved) {
  StoredSync sync = create();
  runNow(sync);
  sync.definition.guard = Guard{1, 0};
  ASSERT_TRUE(store_.update("app", sync.id, sync.definition).ok());
  b_.records.erase("r0");
  b_.records.erase("r1");
  RunRecord held = runNow(sync);
  EXPECT_EQ(held.state, RunState::Held);
  EXPECT_EQ(report(held)["held"], true);
  EXPECT_FALSE(a_.records["c0"].deleted);
  EXPECT_EQ(events_.back(), "sync.run_held");

  RunRecord approved = runNow(sync, /*approved=*/true);
  EXPECT_EQ(approved.state, RunState::Finished);
  EXPECT_TRUE(a_.records["c0"].deleted);
  EXPECT_TRUE(a_.records["c1"].deleted);
  EXPECT_FALSE(a_.records["c2"].deleted);
}

TEST_F(SyncRunnerTest, RunsOfOneSyncNeverOverlap) {
  StoredSync sync = create();
  auto holder = store_.beginRun(sync.id, "other-process", "schedule", std::chrono::minutes(10));
  ASSERT_TRUE(holder.ok());
  auto refused = runner_.run(reload(sync), "manual");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().key, "sync.run_in_progress");
  EXPECT_TRUE(store_.due(clock_.now(), 10)->empty()) << "a sync with a live run is not due";
  // The other process dies: once its lease runs out the sync is taken, and its run is closed.
  clock_.advance(std::chrono::minutes(11));
  RunRecord run = runNow(sync);
  EXPECT_EQ(run.state, RunState::Finished);
  EXPECT_EQ(store_.getRun(sync.id, holder->id)->state, RunState::Failed);
}

TEST_F(SyncRunnerTest, ARunOfAnOwnerKnownToBeDeadIsTakenOverAtOnce) {
  StoredSync sync = create();
  auto dead = store_.beginRun(sync.id, "host:1", "schedule", std::chrono::minutes(10));
  ASSERT_TRUE(dead.ok());
  std::vector<std::string> asked;
  auto gone = [&](const std::string& owner) {
    asked.push_back(owner);
    return owner == "host:1";
  };
  auto taken = store_.beginRun(sync.id, "host:2", "manual", std::chrono::minutes(10), gone);
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  EXPECT_EQ(asked, std::vector<std::string>{"host:1"});
  EXPECT_EQ(store_.getRun(sync.id, dead->id)->state, RunState::Failed);
  // host:2 is alive: a third process waits for its lease.
  auto refused = store_.beginRun(sync.id, "host:3", "manual", std::chrono::minutes(10), gone);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().key, "sync.run_in_progress");
  auto ended = store_.endRun(*taken, "host:2", {}, std::nullopt, false, clock_.now());
  EXPECT_TRUE(ended.ok()) << "the taken-over run ends as its own";
}

TEST_F(SyncRunnerTest, ARecordOfBLinkedAnewMovesWithItsContact) {
  StoredSync sync = create();
  auto pairs = [&] {
    std::vector<std::pair<std::string, std::string>> out;
    auto links = store_.links(sync.id);
    EXPECT_TRUE(links.ok());
    if (links.ok()) {
      for (const auto& link : *links) out.emplace_back(link.a_id, link.b_id);
    }
    return out;
  };
  // The first batch of a sync (nothing stored yet), with b1 twice: the contact last in key order keeps it.
  ASSERT_TRUE(store_.saveLinks(sync.id, {Link{"a2", "b1"}, Link{"a1", "b1"}, Link{"a3", "b3"}}).ok());
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(pairs(), (Pairs{{"a2", "b1"}, {"a3", "b3"}}));
  // Links stored: b3 moves from a3 to a4, and a2 takes b5 with its state.
  Link moved{"a2", "b5"};
  moved.agreed = {{"email", "two@example.com"}};
  ASSERT_TRUE(store_.saveLinks(sync.id, {Link{"a4", "b3"}, moved}).ok());
  EXPECT_EQ(pairs(), (Pairs{{"a2", "b5"}, {"a4", "b3"}}));
  EXPECT_EQ(store_.links(sync.id)->front().agreed, moved.agreed);
  // Two stored contacts trade their b records: both pairs stay.
  ASSERT_TRUE(store_.saveLinks(sync.id, {Link{"a4", "b5"}, Link{"a2", "b3"}}).ok());
  EXPECT_EQ(pairs(), (Pairs{{"a2", "b3"}, {"a4", "b5"}}));
  // A b record twice in a later batch while a third contact holds it: the contact last in key
  // order keeps it, and the other two pairs go (a4's stored one with b5 included).
  ASSERT_TRUE(store_.saveLinks(sync.id, {Link{"a9", "b3"}, Link{"a4", "b3"}, Link{"a6", "b6"}}).ok());
  EXPECT_EQ(pairs(), (Pairs{{"a6", "b6"}, {"a9", "b3"}}));
}

TEST_F(SyncRunnerTest, AnotherCcAccountsWritesStartFromTheContactsReadThisRun) {
  // Two CC accounts: b's records are contacts, and a write to one starts from what was read of it
  // (else the CC side reads each again, a call per contact).
  b_.cc = true;
  b_.records.clear();
  for (int i = 0; i < 3; ++i) {
    std::string n = std::to_string(i);
    b_.records["k" + n] = contact("k" + n, "p" + n + "@example.com", "P" + n);
  }
  auto parsed =
      parseDefinition(json::parse(R"({"name": "Agency", "a": {"type": "cc", "connection_id": "conn"},
      "b": {"type": "cc", "connection_id": "conn-b"}})"));
  ASSERT_TRUE(std::holds_alternative<SyncDefinition>(parsed));
  StoredSync sync = *store_.create("app", std::get<SyncDefinition>(parsed));
  runNow(sync);
  a_.records["c1"].text["first_name"] = "Renamed";
  a_.records["c1"].changed_at_ms += 120'000;
  factory_.b_applied_with.clear();
  RunRecord second = runNow(sync);
  EXPECT_EQ(b_.records["k1"].field("first_name"), "Renamed");
  ASSERT_EQ(factory_.b_applied_with.size(), 1u) << second.report_json;
  EXPECT_EQ(factory_.b_applied_with[0], 1u) << "b's apply was given the contact it writes to, as read";
}

TEST_F(SyncRunnerTest, AnAbandonedRunFreesTheSyncAtOnceUnlessAnotherTookItOver) {
  StoredSync sync = create();
  auto run = store_.beginRun(sync.id, "host:2", "manual", std::chrono::minutes(10));
  ASSERT_TRUE(run.ok());
  auto not_mine = store_.abandonRun(*run, "host:9", "not mine");
  ASSERT_TRUE(not_mine.ok());
  EXPECT_FALSE(*not_mine);
  EXPECT_EQ(store_.getRun(sync.id, run->id)->state, RunState::Running) << "fenced: another owner";
  auto mine = store_.abandonRun(*run, "host:2", "its end could not be stored");
  ASSERT_TRUE(mine.ok());
  EXPECT_TRUE(*mine);
  auto closed = store_.getRun(sync.id, run->id);
  EXPECT_EQ(closed->state, RunState::Failed);
  EXPECT_NE(closed->report_json.find("could not be stored"), std::string::npos);
  EXPECT_TRUE(store_.beginRun(sync.id, "host:3", "manual", std::chrono::minutes(10)).ok())
      << "no lease to wait for";
}

TEST_F(SyncRunnerTest, AFailedRunAgreesNothingAndTheNextRunNeitherLosesNorDuplicates) {
  StoredSync sync = create();
  runNow(sync);
  b_.records["r0"].text["first_name"] = "Changed";
  b_.records["r5"] = row("r5", "five@example.com", "Five");
  factory_.fail_a = true;  // CC's answer is lost: the import may or may not have happened
  RunRecord failed = runNow(sync);
  EXPECT_EQ(failed.state, RunState::Failed);
  EXPECT_EQ(events_.back(), "sync.run_failed");
  factory_.fail_a = false;
  RunRecord replay = runNow(sync);
  EXPECT_EQ(replay.state, RunState::Finished);
  EXPECT_EQ(a_.records["c0"].field("first_name"), "Changed");
  int fives = 0;
  for (const auto& [id, r] : a_.records) fives += r.field("email") == "five@example.com";
  EXPECT_EQ(fives, 1);
  RunRecord quiet = runNow(sync);
  EXPECT_EQ(report(quiet)["counts"]["a"]["created"], 0);
  EXPECT_EQ(report(quiet)["counts"]["a"]["updated"], 0);
}

TEST_F(SyncRunnerTest, ARecordThatFailsIsListedAndRetriedNextRun) {
  StoredSync sync = create();
  runNow(sync);
  b_.records["r1"].text["first_name"] = "Retry";
  factory_.refuse_a = "c1";
  RunRecord run = runNow(sync);
  ASSERT_EQ(report(run)["failed"].size(), 1u);
  EXPECT_EQ(report(run)["failed"][0]["id"], "c1");
  EXPECT_EQ(report(run)["counts"]["a"]["failed"], 1);
  EXPECT_EQ(report(run)["counts"]["b"]["failed"], 0);
  EXPECT_EQ(a_.records["c1"].field("first_name"), "P1");
  factory_.refuse_a.clear();
  RunRecord retry = runNow(sync);
  EXPECT_EQ(report(retry)["counts"]["a"]["updated"], 1);
  EXPECT_EQ(a_.records["c1"].field("first_name"), "Retry");
}

TEST_F(SyncRunnerTest, TheSharedBudgetStretchesTheGapBetweenScheduledRuns) {
  StoredSync sync = create();  // interval: 1 hour
  RunnerSettings settings;
  std::chrono::seconds gap{0};
  settings.budget_gap = [&gap] { return gap; };
  SyncRunner runner(store_, factory_, clock_, settings);
  ASSERT_TRUE(runner.run(reload(sync), "schedule").ok());
  EXPECT_EQ(reload(sync).next_run_at, clock_.now() + std::chrono::hours(1));
  gap = std::chrono::hours(6);  // many syncs share the day's calls
  ASSERT_TRUE(runner.run(reload(sync), "schedule").ok());
  EXPECT_EQ(reload(sync).next_run_at, clock_.now() + std::chrono::hours(6));
  EXPECT_TRUE(store_.due(clock_.now() + std::chrono::hours(5), 10)->empty());
  EXPECT_EQ(*store_.countActive(), 1);
}

}  // namespace
}  // namespace liaison::sync
