// T20 in the engine's own terms: a run stops dead after its k-th record write, at 50 points
// spread over a 10,000-contact first sync (both sides' writes, tables in batches, CC partially
// applied), then the sync simply runs again. Must: the final state of both sides equals a run
// that never stopped (0 lost, 0 duplicated, 0 field differences); the figure is the extra writes
// the replay cost. The store is the hub's (SQLite); a stop is what a kill -9 leaves
// behind: the writes made so far and no agreed state for this run (endRun never happened).
// Below it, T21: the store's own writes failing at every point of a run.
#include <gtest/gtest.h>

#include <spdlog/spdlog.h>

#include <random>

#include "core/random.h"
#include "support/faulty_vfs.h"
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
  Result<SideRead> read(const std::optional<sync::ReadCursor>&) override { return side_.read(); }
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

// 60 % of `contacts` in CC, 60 % as rows, 20 % the same people with different details.
void seed(MemorySide& a, MemorySide& b, int contacts) {
  a.cc = true;
  a.id_prefix = "a-";
  b.cc = false;
  b.id_prefix = "b-";
  for (int i = 0; i < contacts; ++i) {
    std::string n = std::to_string(i), email = "p" + n + "@example.com";
    if (i < contacts * 6 / 10) {
      Record r{"c" + n,
               {{"email", email},
                {"first_name", "First" + n},
                {"last_name", "Last"},
                {"job_title", i % 3 ? "" : "Dev"}}};
      r.unsubscribed = i % 17 == 0;
      a.records[r.id] = r;
    }
    if (i >= contacts * 4 / 10) {
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
  std::vector<std::pair<std::string, std::string>> events;  // type, run id
  SyncRunner runner{
      store, sides, clock, {}, [this](const std::string& type, const StoredSync&, const RunRecord& run) {
        events.emplace_back(type, run.id);
      }};
  std::string sync_id;

  static std::span<const storage::Migration> migrations() {
    static const storage::Migration extra[] = {
        {2, kSyncSchemaSql}, {3, kSyncReadSkipSql}, {4, kSyncLinksUnindexedSql}};
    return extra;
  }
  explicit World(int contacts = kContacts) {
    seed(a, b, contacts);
    auto parsed = parseDefinition(json::parse(R"({"name": "t", "a": {"type": "cc", "connection_id": "c"},
        "b": {"type": "sql", "url": "app.db", "table": "users"}, "unsubscribes": {"column": "unsubscribed"}})"));
    sync_id = store.create("app", std::get<SyncDefinition>(parsed))->id;
  }
  RunState runOnce(bool must_begin = true) {
    clock.advance(std::chrono::minutes(1));
    now_ms += 60'000;
    auto sync = store.get("app", sync_id);
    if (!sync) {
      EXPECT_FALSE(must_begin) << sync.error().message;
      return RunState::Failed;
    }
    // Approved: the first sync carries hundreds of unsubscribes, which the guard would hold.
    auto run = runner.run(*sync, "approval", /*approved=*/true);
    EXPECT_TRUE(run.ok() || !must_begin) << run.error().message;
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

// With a real process killed: tests/integration/process_sync_kill_test.cpp (and, at the
// reliability bar's scale, bench/sync_kill.sh).
// Under the sanitizers two cases (10 points) exercise the same code; the release build runs all 50.
#if defined(__SANITIZE_ADDRESS__)
INSTANTIATE_TEST_SUITE_P(Points, CrashReplay, ::testing::Range(1, 3));
#else
INSTANTIATE_TEST_SUITE_P(Points, CrashReplay, ::testing::Range(1, 11));
#endif

// T21: the hub store's writes fail at the Nth write, fsync or truncate of a run (its claim, its
// heartbeats, its end with the links and the cursor), for every N the run makes, once or from
// then on, as an I/O error or a full disk. Must: no exception and no hang; the database passes
// PRAGMA integrity_check; once the disk behaves, two runs end where a run without faults ends
// (0 lost, 0 duplicated) and a third writes nothing.
constexpr int kFaultContacts = 300;

struct FaultCase {
  liaison::testing::FaultyVfs::Mode mode;
  liaison::testing::FaultyVfs::Kind kind;
  const char* name;
};

void PrintTo(const FaultCase& c, std::ostream* out) { *out << c.name; }

class CheckpointFaults : public ::testing::TestWithParam<FaultCase> {};

std::string integrityOf(hub::HubDatabase& db) {
  storage::Statement check(db.raw(), "PRAGMA integrity_check");
  return check.step() ? check.columnText(0) : "no answer";
}

TEST_P(CheckpointFaults, EveryFaultPointLeavesAConsistentStoreAndTheSyncConverges) {
  liaison::testing::FaultyVfs vfs;
  World reference(kFaultContacts);
  vfs.arm(0);  // counting only
  ASSERT_EQ(reference.runOnce(), RunState::Finished);
  const int64_t points = vfs.operations();
  ASSERT_GT(points, 3) << "a run writes its claim, its progress and its end";
  ASSERT_EQ(reference.runOnce(), RunState::Finished);
  const auto want_a = World::state(reference.a), want_b = World::state(reference.b);

  spdlog::set_level(spdlog::level::off);  // every fault logs the store's error
  std::map<std::string, int> first_runs;
  int lease_waits = 0;
  for (int64_t n = 1; n <= points; ++n) {
    SCOPED_TRACE("fault at operation " + std::to_string(n) + " of " + std::to_string(points));
    World world(kFaultContacts);
    vfs.arm(n, GetParam().mode, GetParam().kind);
    const RunState first = world.runOnce(/*must_begin=*/false);
    const int64_t failed = vfs.failures();
    vfs.disarm();
    ++first_runs[failed == 0 ? "no_fault_reached" : toString(first)];
    EXPECT_EQ(integrityOf(world.db), "ok");
    // A run whose end and release both failed holds the sync until its lease runs out. Any other
    // run ended as the store shows it, and its webhook event says so: once, and only for it.
    auto latest = world.store.runs(world.sync_id, 1);
    if (latest.ok() && !latest->empty()) {
      const RunRecord& run = latest->front();
      std::vector<std::pair<std::string, std::string>> want;
      if (run.state != RunState::Running)
        want.emplace_back(std::string("sync.run_") + toString(run.state), run.id);
      EXPECT_EQ(world.events, want);
      if (run.state == RunState::Running) {
        ++lease_waits;
        world.clock.advance(std::chrono::minutes(10));
      }
    }
    for (int run = 0; run < 2; ++run) ASSERT_EQ(world.runOnce(), RunState::Finished);
    EXPECT_EQ(World::state(world.a), want_a);
    EXPECT_EQ(World::state(world.b), want_b);
    const int64_t written = world.budget.written;
    ASSERT_EQ(world.runOnce(), RunState::Finished);
    EXPECT_EQ(world.budget.written, written) << "a run after convergence writes nothing";
  }
  for (const auto& [how, count] : first_runs) {
    std::printf("[ figure   ] t21.%s.first_run_%s = %d\n", GetParam().name, how.c_str(), count);
  }
  std::printf("[ figure   ] t21.%s.fault_points = %lld\n", GetParam().name, static_cast<long long>(points));
  std::printf("[ figure   ] t21.%s.waited_for_the_lease = %d\n", GetParam().name, lease_waits);
  spdlog::set_level(spdlog::level::info);
}

using Vfs = liaison::testing::FaultyVfs;
INSTANTIATE_TEST_SUITE_P(T21, CheckpointFaults,
                         ::testing::Values(FaultCase{Vfs::Mode::Once, Vfs::Kind::IoError, "io_once"},
                                           FaultCase{Vfs::Mode::Forever, Vfs::Kind::IoError, "io_forever"},
                                           FaultCase{Vfs::Mode::Forever, Vfs::Kind::DiskFull,
                                                     "full_forever"}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace liaison::sync::testing
