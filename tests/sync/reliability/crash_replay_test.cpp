// T20 in the engine's own terms: a run stops dead after its k-th record write, at 50 points
// spread over a 10,000-contact first sync (both sides' writes, tables in batches, CC partially
// applied), then the sync simply runs again. Must: the final state of both sides equals a run
// that never stopped (0 lost, 0 duplicated, 0 field differences); the figure is the extra writes
// the replay cost. The store is the hub's (SQLite); a stop is what a kill -9 leaves
// behind: the writes made so far and no agreed state for this run (endRun never happened).
#include <gtest/gtest.h>

#include <random>

#include "core/random.h"
#include "support/temp_dir.h"
#include "sync/model/definition_json.h"
#include "sync/planner/memory_sides.h"
#include "sync/runner/sync_runner.h"

namespace liaison::sync::testing {
namespace {

using nlohmann::json;

// Writes land one by one until the shared budget of writes is spent; then the "process" dies.
struct CrashBudget {
  int64_t left = -1;  // -1: never
  int64_t written = 0;
};

class CrashingSide final : public SyncSide {
 public:
  CrashingSide(MemorySide& side, CrashBudget& budget, const int64_t& now)
      : side_(side), budget_(budget), now_(now) {}
  Result<Catalog> catalog() override {
    if (side_.cc) return Catalog::cc({});
    return Catalog::table({{"email", ""}, {"full_name", ""}, {"job_title", ""}, {"unsubscribed", ""}}, false);
  }
  Result<SideRead> read(std::optional<TimePoint>) override { return side_.read(); }
  Result<ApplyOutcome> apply(const std::vector<Write>& writes, const SideRead&) override {
    std::vector<Write> landed = writes;
    bool dies = budget_.left >= 0 && static_cast<int64_t>(writes.size()) > budget_.left;
    if (dies) landed.resize(static_cast<size_t>(budget_.left));
    if (budget_.left >= 0) budget_.left -= static_cast<int64_t>(landed.size());
    budget_.written += static_cast<int64_t>(landed.size());
    ApplyOutcome outcome;
    outcome.created = side_.apply(landed, now_);
    if (dies) return makeError(ErrorCode::Unavailable, "test.killed", "the process was killed");
    return outcome;
  }

 private:
  MemorySide& side_;
  CrashBudget& budget_;
  const int64_t& now_;
};

class Sides final : public SideFactory {
 public:
  Sides(MemorySide& a, MemorySide& b, CrashBudget& budget, const int64_t& now)
      : a_(a), b_(b), budget_(budget), now_(now) {}
  Result<std::unique_ptr<SyncSide>> open(const std::string&, const SideSpec& spec) override {
    return std::unique_ptr<SyncSide>(
        std::make_unique<CrashingSide>(spec.type == SideType::Cc ? a_ : b_, budget_, now_));
  }

 private:
  MemorySide &a_, &b_;
  CrashBudget& budget_;
  const int64_t& now_;
};

constexpr int kContacts = 10000;
// 10 cases × 5 points = 50 kill points; a case stays well inside CTest's timeout under ASan.
constexpr int kPointsPerCase = 5;

// 6,000 CC contacts, 6,000 rows, 2,000 of them the same people with different details.
void seed(MemorySide& a, MemorySide& b) {
  a.cc = true;
  a.id_prefix = "a-";
  b.cc = false;
  b.id_prefix = "b-";
  for (int i = 0; i < kContacts; ++i) {
    std::string n = std::to_string(i), email = "p" + n + "@example.com";
    if (i < 6000) {
      Record r{"c" + n,
               {{"email", email},
                {"first_name", "First" + n},
                {"last_name", "Last"},
                {"job_title", i % 3 ? "" : "Dev"}}};
      r.unsubscribed = i % 17 == 0;
      a.records[r.id] = r;
    }
    if (i >= 4000) {
      Record r{"r" + n,
               {{"email", email},
                {"full_name", "First" + n + " Other"},
                {"job_title", i % 5 ? "Ops" : ""},
                {"unsubscribed", i % 19 == 0 ? "1" : "0"}}};
      b.records[r.id] = r;
    }
  }
}

struct World {
  liaison::testing::TempDir dir;
  ManualClock clock{fromUnixSeconds(1'800'000'000)};
  CryptoRandom random;
  hub::HubDatabase db{(dir.path() / "hub.db").string(), migrations()};
  SyncStore store{db, clock, random};
  MemorySide a, b;
  CrashBudget budget;
  int64_t now_ms = 1'800'000'000'000;
  Sides sides{a, b, budget, now_ms};
  SyncRunner runner{store, sides, clock};
  std::string sync_id;

  static std::span<const storage::Migration> migrations() {
    static const storage::Migration extra[] = {{2, kSyncSchemaSql}};
    return extra;
  }
  World() {
    seed(a, b);
    auto parsed = parseDefinition(json::parse(R"({"name": "t", "a": {"type": "cc", "connection_id": "c"},
        "b": {"type": "sql", "url": "app.db", "table": "users"}, "unsubscribes": {"column": "unsubscribed"}})"));
    sync_id = store.create("app", std::get<SyncDefinition>(parsed))->id;
  }
  RunState runOnce() {
    clock.advance(std::chrono::minutes(1));
    now_ms += 60'000;
    // Approved: the first sync carries hundreds of unsubscribes, which the guard would hold.
    auto run = runner.run(*store.get("app", sync_id), "approval", /*approved=*/true);
    EXPECT_TRUE(run.ok());
    return run.ok() ? run->state : RunState::Failed;
  }
  // Every record by email: its fields and flags, as the comparison sees them.
  static std::map<std::string, std::string> state(const MemorySide& side) {
    std::map<std::string, std::string> out;
    for (const auto& [id, r] : side.records) {
      std::string line;
      for (const auto& [field, value] : r.text) line += field + "=" + value + ";";
      line += r.unsubscribed ? "unsub;" : "";
      std::string email = r.field("email");
      EXPECT_EQ(out.count(email), 0u) << email << " twice on one side";
      out[email] = line;
    }
    return out;
  }
};

class CrashReplay : public ::testing::TestWithParam<int> {};

TEST_P(CrashReplay, ARunKilledAnywhereEndsLikeARunThatWasNot) {
  World reference;
  ASSERT_EQ(reference.runOnce(), RunState::Finished);
  ASSERT_EQ(reference.runOnce(), RunState::Finished);
  const int64_t reference_writes = reference.budget.written;
  ASSERT_GT(reference_writes, 5000);
  auto want_a = World::state(reference.a), want_b = World::state(reference.b);

  std::mt19937 draws(static_cast<unsigned>(GetParam()));
  int64_t extra = 0;
  for (int point = 0; point < kPointsPerCase; ++point) {
    World world;
    world.budget.left = std::uniform_int_distribution<int64_t>(0, reference_writes - 1)(draws);
    const int64_t killed_at = world.budget.left;
    EXPECT_EQ(world.runOnce(), RunState::Failed) << "killed after " << killed_at << " writes";
    world.budget.left = -1;
    for (int run = 0; run < 3; ++run) ASSERT_EQ(world.runOnce(), RunState::Finished);
    EXPECT_EQ(World::state(world.a), want_a) << "killed after " << killed_at << " writes";
    EXPECT_EQ(World::state(world.b), want_b) << "killed after " << killed_at << " writes";
    extra += world.budget.written - reference_writes;
  }
  RecordProperty("extra_writes_per_replay", static_cast<int>(extra / kPointsPerCase));
  std::printf("seed %d: %.1f %% extra writes per replay (of %lld)\n", GetParam(),
              100.0 * static_cast<double>(extra) / kPointsPerCase / static_cast<double>(reference_writes),
              static_cast<long long>(reference_writes));
}

// The reliability bar's full form (1,000 points on 100,000 contacts, a real process killed) is
// not written yet.
// Under the sanitizers two cases (10 points) exercise the same code; the release build runs all 50.
#if defined(__SANITIZE_ADDRESS__)
INSTANTIATE_TEST_SUITE_P(Points, CrashReplay, ::testing::Range(1, 3));
#else
INSTANTIATE_TEST_SUITE_P(Points, CrashReplay, ::testing::Range(1, 11));
#endif

}  // namespace
}  // namespace liaison::sync::testing
