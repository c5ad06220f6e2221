#include "sync/runner/sync_runner.h"

#include <algorithm>
#include <set>

#include "hub/store/hub_database.h"
#include "sync/mapping/mapping.h"
#include "sync/planner/planner.h"
#include "sync/runner/agreed_records.h"
#include "sync/runner/report_json.h"

namespace liaison::sync {

using nlohmann::json;

struct SyncRunner::Prepared {
  std::unique_ptr<SyncSide> a, b;
  SideRead read_a, read_b;
  int64_t records_read = 0;  // both sides (read_a also gains the partial records it writes to)
  int64_t planned = 0;       // writes on both sides (the run lets each side's go once applied)
  bool full_read = false;
  TimePoint read_started{};
  Plan plan;
};

namespace {

// Frees a vector's memory now (clear() keeps its capacity).
template <typename T>
void release(std::vector<T>& items) {
  std::vector<T>().swap(items);
}

// The spans of CC's change times the next incremental reads skip: this run's own, and earlier
// ones still near where those reads start. A span dropped only costs reads, so a few suffice.
std::vector<TimeWindow> skipAfter(std::vector<TimeWindow> skip, const std::optional<TimeWindow>& own,
                                  TimePoint cursor) {
  constexpr size_t kKept = 8;
  const int64_t oldest = hub::toMillis(cursor - std::chrono::hours(24));
  if (own) skip.push_back(*own);
  std::erase_if(skip, [&](const TimeWindow& w) { return w.to_ms < oldest; });
  std::sort(skip.begin(), skip.end(),
            [](const TimeWindow& x, const TimeWindow& y) { return x.to_ms > y.to_ms; });
  if (skip.size() > kKept) skip.resize(kKept);
  return skip;
}

Error mappingError(const Problems& problems) {
  std::string message = "the sync's mapping does not fit its sides:";
  for (const auto& p : problems) message += " " + p.field + " (" + p.value + ") " + p.why + ";";
  return makeError(ErrorCode::Unprocessable, "sync.mapping_invalid", message);
}

}  // namespace

Result<SyncRunner::Prepared> SyncRunner::prepare(const StoredSync& sync, bool approved) {
  Prepared p;
  const SyncDefinition& d = sync.definition;
  auto a = sides_.open(sync.app_id, d.a);
  if (!a) return a.error();
  auto b = sides_.open(sync.app_id, d.b);
  if (!b) return b.error();
  p.a = std::move(*a);
  p.b = std::move(*b);
  auto catalog_a = p.a->catalog();
  if (!catalog_a) return catalog_a.error();
  auto catalog_b = p.b->catalog();
  if (!catalog_b) return catalog_b.error();
  auto mapping = resolveMapping(d, *catalog_a, *catalog_b);
  if (std::holds_alternative<Problems>(mapping)) return mappingError(std::get<Problems>(mapping));
  auto links = store_.links(sync.id);
  if (!links) return links.error();

  p.read_started = clock_.now();
  p.full_read = sync.a_cursor == TimePoint{} || links->empty() ||
                p.read_started - sync.last_full_at >= settings_.full_read_every;
  auto read_a = p.a->read(p.full_read ? std::nullopt
                                      : std::optional<ReadCursor>(ReadCursor{sync.a_cursor, sync.a_skip}));
  if (!read_a) return read_a.error();
  auto read_b = p.b->read(std::nullopt);
  if (!read_b) return read_b.error();
  p.read_a = std::move(*read_a);
  p.read_b = std::move(*read_b);
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(p.read_started.time_since_epoch()).count();
  p.plan = planSync(PlanInput{d, std::get<ResolvedMapping>(mapping), p.read_a, p.read_b, *links, now_ms, approved});
  p.records_read = static_cast<int64_t>(p.read_a.records.size() + p.read_b.records.size());
  addAgreedRecords(p.plan.a_writes, *links, p.read_a);
  p.planned = static_cast<int64_t>(p.plan.a_writes.size() + p.plan.b_writes.size());
  return p;
}

Result<json> SyncRunner::preview(const StoredSync& sync) {
  auto prepared = prepare(sync, false);
  if (!prepared) return prepared.error();
  json out = planJson(prepared->plan, true);
  out["cc_calls"] = prepared->a->calls() + prepared->b->calls();
  return out;
}

Result<RunRecord> SyncRunner::run(const StoredSync& sync, const std::string& trigger, bool approved) {
  auto begun = store_.beginRun(sync.id, settings_.owner, trigger, settings_.lease, settings_.owner_gone);
  if (!begun) return begun.error();
  return carryOut(sync, std::move(*begun), approved);
}

Result<RunRecord> SyncRunner::start(const StoredSync& sync, const std::string& trigger, bool approved,
                                    const std::function<void(std::function<void()>)>& background) {
  auto begun = store_.beginRun(sync.id, settings_.owner, trigger, settings_.lease, settings_.owner_gone);
  if (!begun) return begun.error();
  background([this, sync, run = *begun, approved]() { (void)carryOut(sync, run, approved); });
  return begun;
}

Result<RunRecord> SyncRunner::carryOut(const StoredSync& sync, RunRecord run, bool approved) {
  Stopwatch watch;
  std::chrono::seconds gap(sync.definition.interval_seconds);
  if (settings_.budget_gap) gap = std::max(gap, settings_.budget_gap());
  TimePoint next_run = clock_.now() + gap;
  auto finish = [&](RunState state, json report, const std::vector<Link>& links,
                    std::optional<ReadCursor> cursor, bool full_read,
                    const Prepared* p) -> Result<RunRecord> {
    run.state = state;
    report["cc_calls"] = p ? p->a->calls() + p->b->calls() : 0;
    report["cc_calls_minimum"] = p ? p->a->fewestCalls() + p->b->fewestCalls() : 0;
    report["duration_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(watch.elapsed()).count();
    run.report_json = report.dump();
    auto ended = store_.endRun(run, settings_.owner, links, cursor, full_read, next_run);
    if (!ended) {
      // Nothing of the run is agreed; its writes are reconciled by the next run, which need not
      // wait for the lease when the store takes this smaller write.
      if (ended.error().key != "sync.lease_lost") {
        const std::string why =
            "the run's end could not be stored (the hub's store refused the write); "
            "the next run reconciles what it wrote";
        auto closed = store_.abandonRun(run, settings_.owner, why);
        if (closed.ok() && *closed && listener_) {
          run.state = RunState::Failed;
          run.report_json = json{{"error", why}}.dump();
          run.finished_at = clock_.now();
          listener_("sync.run_failed", sync, run);
        }
      }
      return ended.error();
    }
    run.finished_at = clock_.now();
    const char* event = state == RunState::Held ? "sync.run_held"
                        : state == RunState::Failed ? "sync.run_failed" : "sync.run_finished";
    if (listener_) listener_(event, sync, run);
    return run;
  };

  // Progress for whoever watches (GET …/runs/{id}, the CLI's progress line); the heartbeat also
  // keeps the run's lease alive between phases.
  auto progress = [&](const char* phase, const Prepared* p, int64_t written) {
    json out = {{"phase", phase}, {"written", written}};
    if (p != nullptr) {
      out["read"] = p->records_read;
      out["planned"] = p->planned;
      out["cc_calls"] = p->a->calls() + p->b->calls();
    }
    run.progress_json = out.dump();
    (void)store_.heartbeat(run, settings_.owner, settings_.lease);  // a lost lease shows at endRun
  };
  progress("reading", nullptr, 0);
  auto prepared = prepare(sync, approved);
  if (!prepared) {
    return finish(RunState::Failed, json{{"error", prepared.error().message}}, {}, std::nullopt, false,
                  nullptr);
  }
  Prepared& p = *prepared;
  if (p.plan.held) {
    return finish(RunState::Held, planJson(p.plan, false), {}, std::nullopt, false, &p);
  }

  // What the run holds is let go as soon as it is done with: the table's records once planned (a
  // table's writes name their rows by key), each side's writes once applied, CC's records once
  // CC's writes are made (a write to a contact starts from what was read of it, on either side).
  if (sync.definition.b.type != SideType::Cc) release(p.read_b.records);
  keepWrittenRecords(p.plan.a_writes, p.read_a);
  keepWrittenRecords(p.plan.b_writes, p.read_b);
  std::vector<Link> links = std::move(p.plan.links);
  std::set<std::string> unsettled;  // links (by a or b id) whose write failed: they keep their old state
  json failed = json::array();
  int64_t failed_a = 0, failed_b = 0;
  auto record = [&](const std::vector<Write>& writes, const ApplyOutcome& outcome, Side side) {
    for (const auto& [index, id] : outcome.created) {
      int link = writes[index].link;
      if (link >= 0) (side == Side::A ? links[static_cast<size_t>(link)].a_id : links[static_cast<size_t>(link)].b_id) = id;
    }
    for (const auto& [index, why] : outcome.failed) {
      const Write& w = writes[index];
      if (!w.id.empty()) unsettled.insert(w.id);
      failed.push_back({{"side", sideName(side)}, {"id", w.id}, {"kind", toString(w.kind)}, {"reason", why}});
      ++(side == Side::A ? failed_a : failed_b);
    }
  };
  int64_t written = 0;
  std::optional<TimeWindow> own_window;  // CC's span of this run's imports, when only they changed it
  for (Side side : {Side::B, Side::A}) {
    const auto& writes = side == Side::A ? p.plan.a_writes : p.plan.b_writes;
    progress("writing", &p, written);
    auto outcome = (side == Side::A ? p.a : p.b)->apply(writes, side == Side::A ? p.read_a : p.read_b);
    if (!outcome) {
      // Nothing of this run is agreed: the next run reads what did get written and settles it.
      json report = planJson(p.plan, false);
      report["error"] = outcome.error().message;
      return finish(RunState::Failed, report, {}, std::nullopt, false, &p);
    }
    record(writes, *outcome, side);
    if (side == Side::A) own_window = outcome->own_window;
    written += static_cast<int64_t>(writes.size());
    release(side == Side::A ? p.plan.a_writes : p.plan.b_writes);
    release(side == Side::A ? p.read_a.records : p.read_b.records);
  }
  progress("done", &p, written);
  std::vector<Link> settled;  // the plan's links are those it touched: a quiet run stores none
  for (auto& link : links) {
    if (unsettled.count(link.a_id) == 0 && unsettled.count(link.b_id) == 0) settled.push_back(std::move(link));
  }
  json report = planJson(p.plan, false);
  report["failed"] = failed;  // the run's error ledger: retried by later runs
  report["counts"]["a"]["failed"] = failed_a;
  report["counts"]["b"]["failed"] = failed_b;
  return finish(RunState::Finished, report, settled,
                ReadCursor{p.read_started, skipAfter(sync.a_skip, own_window, p.read_started)}, p.full_read,
                &p);
}

}  // namespace liaison::sync
