// sync_bench's run phase: one run of the sync with the real runner (SyncRunner; CcSyncSide over
// the sandbox, TableSyncSide over the SQLite table), its CPU time and peak RSS, the CC calls by
// kind (counted here, checked against the sandbox's journal and the run's own report) and the
// fewest calls that run could have made, term by term.
#include <cmath>
#include <map>
#include <thread>

#include "core/random.h"
#include "hub/store/hub_database.h"
#include "sync/connectors/sql_table.h"
#include "sync/runner/cc_sync_side.h"
#include "sync/runner/sync_runner.h"
#include "sync/runner/table_sync_side.h"
#include "sync_bench.h"

namespace liaison::bench {

namespace {

constexpr int64_t kPage = 500;               // contacts in one GET /v3/contacts page
constexpr int64_t kImportBytes = 4'194'304;  // CC: an import's request is under 4 MB
constexpr int64_t kImportRows = 40'000;

// The CC side owns its caller; the sandbox client outlives it and keeps the tally.
class CallerRef final : public sync::CcCaller {
 public:
  explicit CallerRef(Sandbox& cc) : cc_(cc) {}
  Result<sync::CcAnswer> call(const sync::CcCall& call) override { return cc_.call(call); }

 private:
  Sandbox& cc_;
};

// Where a run's CPU time and memory go: each side's calls timed (getrusage: the process is
// single-threaded), with the resident set after each; what is left is the runner's own (the
// store's links, the plan, the run's end). The CC side also tells the sandbox client which part
// of the run each CC call belongs to.
struct Parts {
  std::map<std::string, double> cpu_s;
  std::map<std::string, double> rss_mb_after;
  void add(const std::string& part, const Usage& before) {
    cpu_s[part] += usage().cpu_s - before.cpu_s;
    rss_mb_after[part] = residentMb();
  }
};

class TimedSide final : public sync::SyncSide {
 public:
  TimedSide(std::unique_ptr<sync::SyncSide> inner, std::string name, Parts& parts, Sandbox* cc)
      : inner_(std::move(inner)), name_(std::move(name)), parts_(parts), cc_(cc) {}
  Result<sync::Catalog> catalog() override {
    const Usage before = usage();
    auto out = inner_->catalog();
    parts_.add(name_ + ".catalog", before);
    return out;
  }
  Result<sync::SideRead> read(const std::optional<sync::ReadCursor>& from) override {
    if (cc_) cc_->phase = "read";
    const Usage before = usage();
    auto out = inner_->read(from);
    parts_.add(name_ + ".read", before);
    return out;
  }
  Result<sync::ApplyOutcome> apply(const std::vector<sync::Write>& writes,
                                   const sync::SideRead& current) override {
    if (cc_) cc_->phase = "write";
    const Usage before = usage();
    auto out = inner_->apply(writes, current);
    parts_.add(name_ + ".apply", before);
    return out;
  }
  int64_t calls() const override { return inner_->calls(); }

 private:
  std::unique_ptr<sync::SyncSide> inner_;
  std::string name_;
  Parts& parts_;
  Sandbox* cc_;
};

// The sides as the hub opens them, the CC one over the sandbox. Activity polling really waits
// (the sandbox finishes imports at once, so the engine's first wait of 1 s is all it waits).
class BenchSides final : public sync::SideFactory {
 public:
  explicit BenchSides(Sandbox& cc) : cc_(cc) {}
  Result<std::unique_ptr<sync::SyncSide>> open(const std::string&, const sync::SideSpec& spec) override {
    const Usage before = usage();
    if (spec.type == sync::SideType::Sql) {
      auto table = sync::SqlTable::open({spec.url, spec.table, spec.key, spec.updated_at, spec.where});
      if (!table) return table.error();
      parts.add("table.open", before);
      return std::unique_ptr<sync::SyncSide>(std::make_unique<TimedSide>(
          std::make_unique<sync::TableSyncSide>(std::move(*table), false), "table", parts, nullptr));
    }
    if (spec.type != sync::SideType::Cc)
      return makeError(ErrorCode::InvalidRequest, "bench", "CC and SQL sides only");
    sync::CcSideOptions options;
    options.filter = spec.filter;
    cc_.phase = "open";
    auto side = sync::CcSyncSide::open(
        std::make_unique<CallerRef>(cc_), cc_.clock(),
        [this](std::chrono::milliseconds wait) {
          waited_ms += wait.count();
          std::this_thread::sleep_for(wait);
        },
        options);
    if (!side) return side.error();
    parts.add("cc.open", before);
    return std::unique_ptr<sync::SyncSide>(std::make_unique<TimedSide>(std::move(*side), "cc", parts, &cc_));
  }
  Parts parts;
  int64_t waited_ms = 0;

 private:
  Sandbox& cc_;
};

int64_t pages(int64_t records) { return (records + kPage - 1) / kPage; }
int64_t kind(const Tally& t, const std::string& name) {
  auto it = t.kinds.find(name);
  return it == t.kinds.end() ? 0 : it->second;
}

// The fewest CC calls that carry this run's outcome (explained in docs/PERFORMANCE.md):
//  catalogue  1 page each of lists, tags and custom fields (the engine needs their names);
//  make_list  a list the engine had to make (the import list of an "all" sync, once);
//  read       a full read: ⌈contacts in scope / 500⌉; an incremental one: ⌈contacts changed in CC
//             since the last run / 500⌉ (at least 1) plus 1 page of optout_after (CC leaves
//             updated_at alone on an unsubscribe, so it needs a pass of its own);
//  imports    ⌈import bytes / 4 MB⌉ or ⌈rows / 40,000⌉, whichever is more, for every create and
//             field update (rows and bytes as the engine encoded them);
//  polls      one per import: CC answers an import's POST "initialized", so it is polled once;
//  read_back  ⌈contacts created in CC / 500⌉: an import answers counts, not ids
//             (created_after would return exactly them);
//  puts       one per unsubscribe carried to CC (CC has no bulk unsubscribe).
json minimum(const json& counts, const Tally& t, bool full_read, int64_t cc_changed) {
  const json& a = counts["a"];
  json m;
  m["catalogue"] = 3;
  m["make_list"] = kind(t, "open:make_list") + kind(t, "write:make_list");
  m["read"] = full_read ? pages(a["read"].get<int64_t>()) : std::max<int64_t>(1, pages(cc_changed)) + 1;
  const int64_t imports = std::max((t.import_bytes + kImportBytes - 1) / kImportBytes,
                                   (t.import_rows + kImportRows - 1) / kImportRows);
  m["imports"] = imports;
  m["polls"] = imports;
  m["read_back"] = pages(a["created"].get<int64_t>());
  m["puts"] = a["unsubscribed"];
  int64_t total = 0;
  for (const auto& [term, value] : m.items()) total += value.get<int64_t>();
  m["total"] = total;
  return m;
}

// The /v3 calls the sandbox journaled since `mark`, and those answered 4xx or 5xx. The journal
// shows the last 1,000 calls: a run with more can only be confirmed as "at least".
std::pair<int64_t, int64_t> journaled(Sandbox& cc, const std::string& mark) {
  int64_t calls = 0, errors = 0;
  for (const auto& entry : cc.control("GET", "/__sandbox/journal?limit=1000")) {
    if (entry.value("at", "") < mark || !entry.value("path", "").starts_with("/v3/")) continue;
    ++calls;
    if (entry.value("status", 0) >= 400 || entry.value("status", 0) == 0) ++errors;
  }
  return {calls, errors};
}

// The sides' parts, and the rest: the runner's own work (links read from and written to the
// store, the plan).
json cpuByPart(const Parts& parts, double total) {
  json out = parts.cpu_s;
  double sides = 0;
  for (const auto& [part, cpu] : parts.cpu_s) sides += cpu;
  out["runner"] = total - sides;
  return out;
}

int64_t tableRows(const std::string& path) {
  storage::Database app(path, std::span<const storage::Migration>{});
  storage::Statement count(app, "SELECT COUNT(*) FROM users");
  count.step();
  return count.columnInt(0);
}

}  // namespace

void runPhase(Sandbox& cc, const BenchOptions& o) {
  json state = loadState(o.dir);
  hub::HubDatabase db(o.dir + "/hub.db", storeMigrations());
  CryptoRandom random;
  sync::SyncStore store(db, cc.clock(), random);
  auto sync = store.get(kApp, state["sync_id"]);
  if (!sync) die("the bench's sync is not in " + o.dir + "/hub.db");
  // The runner's own rule (sync_runner.cpp): a complete read on the first run and once a day.
  // The links are counted, not loaded: the engine's memory is the figure.
  int64_t links = 0;
  auto counted = db.read([&](storage::Database& raw) -> Status {
    storage::Statement q(raw, "SELECT COUNT(*) FROM sync_links WHERE sync_id = ?1");
    q.bind(1, sync->id);
    if (q.step()) links = q.columnInt(0);
    return okStatus();
  });
  if (!counted) die("counting the sync's links: " + counted.error().message);
  const bool full_read = sync->a_cursor == TimePoint{} || links == 0 ||
                         cc.clock().now() - sync->last_full_at >= std::chrono::hours(24);
  const int64_t cc_before =
      cc.must("GET", "/v3/contacts?status=all&limit=1&include_count=true")["contacts_count"];
  BenchSides sides(cc);
  sync::RunnerSettings settings;
  settings.owner = "bench";
  sync::SyncRunner runner(store, sides, cc.clock(), settings);

  cc.tally = Tally{};
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the count above is journaled before the mark
  const std::string mark = cc.nowIso();
  const Usage before = usage();
  Stopwatch watch;
  auto run = runner.run(*sync, "manual");
  const double wall_s = std::chrono::duration<double>(watch.elapsed()).count();
  const Usage after = usage();
  const Tally tally = cc.tally;
  cc.phase = "bench";

  if (!run) die("the run did not start: " + run.error().message);
  json report = json::parse(run->report_json);
  auto [journal_calls, journal_errors] = journaled(cc, mark);
  json counts = report["counts"];
  json m = minimum(counts, tally, full_read, state.value("cc_changed", 0));
  const int64_t calls = tally.calls;
  json result = {{"phase", "run"},
                 {"label", o.label},
                 {"state", sync::toString(run->state)},
                 {"full_read", full_read},
                 {"counts", counts},
                 {"calls", calls},
                 {"report_cc_calls", report.value("cc_calls", -1)},
                 {"journal_calls", journal_calls},
                 {"kinds", tally.kinds},
                 {"import_bytes", tally.import_bytes},
                 {"import_rows", tally.import_rows},
                 {"minimum", m},
                 {"ratio", static_cast<double>(calls) / m["total"].get<double>()},
                 {"over_minimum", calls - m["total"].get<int64_t>()},
                 {"cpu_s", after.cpu_s - before.cpu_s},
                 {"cpu_by_part", cpuByPart(sides.parts, after.cpu_s - before.cpu_s)},
                 {"rss_mb_after", sides.parts.rss_mb_after},
                 {"max_rss_mb", after.max_rss_mb},
                 {"wall_s", wall_s},
                 {"waited_s", sides.waited_ms / 1000.0},
                 {"api_bound_s", calls / 4.0},
                 {"duration_ms", report.value("duration_ms", -1)},
                 {"errors", tally.errors},
                 {"throttled", tally.throttled},
                 {"failed_writes", report.value("failed", json::array()).size()},
                 {"conflicts", report.value("conflicts", json::array()).size()},
                 {"skipped", report.value("skipped", json::array()).size()}};
  printResult(result);

  // What makes the figures worthless: say so and exit non-zero.
  std::vector<std::string> problems;
  if (run->state != sync::RunState::Finished)
    problems.push_back(std::string("the run ended ") + sync::toString(run->state) + ": " +
                       report.value("error", ""));
  if (tally.errors > 0)
    problems.push_back(std::to_string(tally.errors) + " CC answers 4xx/5xx, first: " + tally.first_error);
  if (journal_errors > 0)
    problems.push_back(std::to_string(journal_errors) + " error answers in the sandbox's journal");
  if (!report.value("failed", json::array()).empty())
    problems.push_back("writes refused: " + report["failed"].dump().substr(0, 300));
  if (report.value("cc_calls", int64_t{-1}) != calls)
    problems.push_back("the run reports " + report.value("cc_calls", json()).dump() +
                       " CC calls, the bench saw " + std::to_string(calls));
  if (calls < 1000 ? journal_calls != calls : journal_calls < 1000)
    problems.push_back("the sandbox journaled " + std::to_string(journal_calls) + " calls, the bench saw " +
                       std::to_string(calls));
  // The written records are there: CC gained what the run created, the table likewise.
  const int64_t cc_after =
      cc.must("GET", "/v3/contacts?status=all&limit=1&include_count=true")["contacts_count"];
  if (run->state == sync::RunState::Finished && cc_after != cc_before + counts["a"]["created"].get<int64_t>())
    problems.push_back("CC holds " + std::to_string(cc_after) + " contacts, expected " +
                       std::to_string(cc_before + counts["a"]["created"].get<int64_t>()));
  if (!state.contains("table_rows")) state["table_rows"] = state["contacts"];
  const int64_t rows = tableRows(o.dir + "/app.db");
  if (rows != state["table_rows"].get<int64_t>() + counts["b"]["created"].get<int64_t>())
    problems.push_back(
        "the table holds " + std::to_string(rows) + " rows, expected " +
        std::to_string(state["table_rows"].get<int64_t>() + counts["b"]["created"].get<int64_t>()));
  state["table_rows"] = rows;
  state["cc_changed"] = 0;
  state["b_changed"] = 0;
  saveState(o.dir, state);
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += "\n  " + p;
    die("run " + o.label + ":" + all);
  }
}

}  // namespace liaison::bench
