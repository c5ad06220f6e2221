#include "sync/runner/sync_store.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "storage/database.h"
#include "sync/model/definition_json.h"
#include "sync/model/id_key.h"
#include "sync/runner/link_state.h"

namespace liaison::sync {

const char* const kSyncSchemaSql = R"sql(
CREATE TABLE syncs (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  definition TEXT NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  next_run_at BIGINT NOT NULL,
  a_cursor BIGINT NOT NULL DEFAULT 0,
  last_full_at BIGINT NOT NULL DEFAULT 0,
  run_id TEXT,
  run_owner TEXT,
  run_lease_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX syncs_app ON syncs (app_id, created_at);
CREATE INDEX syncs_due ON syncs (next_run_at);
CREATE TABLE sync_links (
  sync_id TEXT NOT NULL,
  a_id TEXT NOT NULL,
  b_id TEXT NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (sync_id, a_id)
);
CREATE INDEX sync_links_b ON sync_links (sync_id, b_id);
CREATE TABLE sync_runs (
  id TEXT PRIMARY KEY,
  sync_id TEXT NOT NULL,
  state TEXT NOT NULL,
  run_trigger TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL DEFAULT 0,
  report TEXT NOT NULL DEFAULT '{}',
  progress TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sync_runs_sync ON sync_runs (sync_id, started_at);
)sql";

const char* const kSyncReadSkipSql = R"sql(
ALTER TABLE syncs ADD COLUMN a_skip TEXT NOT NULL DEFAULT '';
)sql";

const char* const kSyncLinksUnindexedSql = R"sql(
DROP INDEX sync_links_b;
)sql";

namespace {

using hub::fromMillis;
using hub::toMillis;
using nlohmann::json;
using storage::Database;
using storage::Statement;

const char* kSyncColumns =
    "id, app_id, definition, paused, created_at, updated_at, next_run_at, a_cursor, last_full_at, a_skip";

// ReadCursor::skip as stored: [[from_ms, to_ms], ...]. Text that is not that reads as no spans:
// a span only saves reads, so losing one costs calls, never changes.
std::vector<TimeWindow> skipFromText(const std::string& text) {
  std::vector<TimeWindow> out;
  json parsed = json::parse(text, nullptr, false);
  if (!parsed.is_array()) return out;
  for (const auto& pair : parsed) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_integer() || !pair[1].is_number_integer())
      return {};
    out.push_back({pair[0].get<int64_t>(), pair[1].get<int64_t>()});
  }
  return out;
}

std::string skipText(const std::vector<TimeWindow>& skip) {
  json out = json::array();
  for (const auto& w : skip) out.push_back({w.from_ms, w.to_ms});
  return out.dump();
}

StoredSync readSync(Statement& row) {
  StoredSync s;
  s.id = row.columnText(0);
  s.app_id = row.columnText(1);
  auto parsed = parseDefinition(json::parse(row.columnText(2), nullptr, false));
  if (std::holds_alternative<SyncDefinition>(parsed)) s.definition = std::get<SyncDefinition>(parsed);
  s.paused = row.columnInt(3) != 0;
  s.created_at = fromMillis(row.columnInt(4));
  s.updated_at = fromMillis(row.columnInt(5));
  s.next_run_at = fromMillis(row.columnInt(6));
  s.a_cursor = fromMillis(row.columnInt(7));
  s.last_full_at = fromMillis(row.columnInt(8));
  s.a_skip = skipFromText(row.columnText(9));
  return s;
}

const char* kRunColumns = "id, sync_id, state, run_trigger, started_at, finished_at, report, progress";

RunState runStateNamed(const std::string& name) {
  if (name == "held") return RunState::Held;
  if (name == "finished") return RunState::Finished;
  if (name == "failed") return RunState::Failed;
  return RunState::Running;
}

RunRecord readRun(Statement& row) {
  RunRecord r;
  r.id = row.columnText(0);
  r.sync_id = row.columnText(1);
  r.state = runStateNamed(row.columnText(2));
  r.trigger = row.columnText(3);
  r.started_at = fromMillis(row.columnInt(4));
  r.finished_at = fromMillis(row.columnInt(5));
  r.report_json = row.columnText(6);
  r.progress_json = row.columnText(7);
  return r;
}

// A link by one of its ids, in the ids' byte order.
struct Keyed {
  IdKey key;
  const Link* link;

  Keyed(std::string_view id, const Link* of) : key(id), link(of) {}
  bool operator<(const Keyed& other) const { return key < other.key; }
};

// The entries of `sorted` keyed by `id`.
std::pair<std::vector<Keyed>::const_iterator, std::vector<Keyed>::const_iterator> equalIds(
    const std::vector<Keyed>& sorted, std::string_view id) {
  return std::equal_range(sorted.begin(), sorted.end(), Keyed(id, nullptr));
}

void upsertLinks(Database& db, const std::string& sync_id, const std::vector<Link>& links) {
  // A pair is keyed by its CC contact, and a b record belongs to one contact: a b record newly
  // linked to another contact moves with it (a table that reuses a deleted row's key, say), and
  // of a b record twice in one batch the contact last in key order keeps it.
  std::vector<Keyed> by_a, by_b;  // by a id: the B-tree pages each write touches stay warm
  by_a.reserve(links.size());
  by_b.reserve(links.size());
  for (const auto& link : links) {
    if (link.a_id.empty() || link.b_id.empty()) continue;  // a create that did not complete
    by_a.emplace_back(link.a_id, &link);
    by_b.emplace_back(link.b_id, &link);
  }
  std::sort(by_a.begin(), by_a.end());
  std::sort(by_b.begin(), by_b.end(), [](const Keyed& x, const Keyed& y) {
    return x < y || (!(y < x) && x.link->a_id < y.link->a_id);  // a b id's last is its keeper
  });

  // Rows that lose their b record: a batch's contact that another one outranks, and a stored
  // contact outside the batch whose b record the batch gives to another. Stored rows are found by
  // one pass over the sync's pairs instead of an index on b ids, which a sync's first 100,000s of
  // links would have to be inserted into in random order; a first run has no stored row to pass.
  std::unordered_set<const Link*> outranked;
  std::vector<std::string> drop;
  for (size_t i = 0; i + 1 < by_b.size(); ++i) {
    if (by_b[i].key == by_b[i + 1].key && by_b[i].link->a_id != by_b[i + 1].link->a_id) {
      outranked.insert(by_b[i].link);
      drop.push_back(by_b[i].link->a_id);
    }
  }
  {
    Statement pairs(db, "SELECT a_id, b_id FROM sync_links WHERE sync_id = ?1");
    pairs.bind(1, sync_id);
    while (!by_a.empty() && pairs.step()) {
      auto [first, end] = equalIds(by_b, pairs.columnText(1));
      if (first == end) continue;
      std::string a_id = pairs.columnText(0);
      auto in_batch = equalIds(by_a, a_id);
      if (std::prev(end)->link->a_id != a_id && in_batch.first == in_batch.second)
        drop.push_back(std::move(a_id));
    }
  }
  Statement remove(db, "DELETE FROM sync_links WHERE sync_id = ?1 AND a_id = ?2");
  for (const auto& a_id : drop) {
    remove.reset();
    remove.bind(1, sync_id).bind(2, a_id).step();
  }
  Statement put(db,
                "INSERT INTO sync_links (sync_id, a_id, b_id, state) VALUES (?1, ?2, ?3, ?4) "
                "ON CONFLICT (sync_id, a_id) DO UPDATE SET b_id = excluded.b_id, state = excluded.state");
  // Every state is written out first, in the order the links lie in memory, into one buffer:
  // read in key order instead, each link's fields were a fetch from a cold part of the heap.
  std::string states;
  states.reserve(links.size() * 128);  // a state with a handful of fields is about 110 bytes
  std::vector<size_t> ends(links.size());
  for (size_t i = 0; i < links.size(); ++i) {
    if (!links[i].a_id.empty() && !links[i].b_id.empty()) appendLinkState(states, links[i]);
    ends[i] = states.size();
  }
  for (const Keyed& each : by_a) {
    const Link& link = *each.link;
    if (!outranked.empty() && outranked.count(&link) != 0) continue;
    const auto i = static_cast<size_t>(&link - links.data());
    const size_t begin = i == 0 ? 0 : ends[i - 1];
    put.reset();
    put.bindBorrowed(1, sync_id).bindBorrowed(2, link.a_id).bindBorrowed(3, link.b_id);
    put.bindBorrowed(4, std::string_view(states).substr(begin, ends[i] - begin));
    put.step();
  }
}

Error notFound(const std::string& what) {
  return makeError(ErrorCode::NotFound, "sync.not_found", what + " not found");
}

}  // namespace

const char* toString(RunState state) {
  switch (state) {
    case RunState::Running:
      return "running";
    case RunState::Held:
      return "held";
    case RunState::Finished:
      return "finished";
    case RunState::Failed:
      return "failed";
  }
  return "running";
}

Result<StoredSync> SyncStore::create(const std::string& app_id, const SyncDefinition& definition) {
  StoredSync s{"sync_" + random_.token(12), app_id, definition};
  s.created_at = s.updated_at = s.next_run_at = clock_.now();
  auto status = db_.transaction([&](Database& db) -> Status {
    Statement insert(db,
                     "INSERT INTO syncs (id, app_id, definition, created_at, updated_at, next_run_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?4, ?4)");
    insert.bind(1, s.id)
        .bind(2, app_id)
        .bind(3, toJson(definition).dump())
        .bind(4, toMillis(s.created_at))
        .step();
    return okStatus();
  });
  if (!status) return status.error();
  return s;
}

Result<std::vector<StoredSync>> SyncStore::list(const std::string& app_id) {
  std::vector<StoredSync> out;
  auto status = db_.read([&](Database& db) -> Status {
    Statement q(
        db, std::string("SELECT ") + kSyncColumns + " FROM syncs WHERE app_id = ?1 ORDER BY created_at, id");
    q.bind(1, app_id);
    while (q.step()) out.push_back(readSync(q));
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

Result<StoredSync> SyncStore::get(const std::string& app_id, const std::string& id) {
  std::optional<StoredSync> found;
  auto status = db_.read([&](Database& db) -> Status {
    Statement q(db, std::string("SELECT ") + kSyncColumns + " FROM syncs WHERE app_id = ?1 AND id = ?2");
    q.bind(1, app_id).bind(2, id);
    if (q.step()) found = readSync(q);
    return okStatus();
  });
  if (!status) return status.error();
  if (!found) return notFound("sync " + id);
  return *found;
}

Status SyncStore::update(const std::string& app_id, const std::string& id, const SyncDefinition& definition) {
  return db_.transaction([&](Database& db) -> Status {
    Statement u(db, "UPDATE syncs SET definition = ?3, updated_at = ?4 WHERE app_id = ?1 AND id = ?2");
    u.bind(1, app_id).bind(2, id).bind(3, toJson(definition).dump()).bind(4, toMillis(clock_.now())).step();
    if (db.changes() == 0) return notFound("sync " + id);
    return okStatus();
  });
}

Status SyncStore::setPaused(const std::string& app_id, const std::string& id, bool paused) {
  return db_.transaction([&](Database& db) -> Status {
    Statement u(
        db, "UPDATE syncs SET paused = ?3, updated_at = ?4, next_run_at = ?4 WHERE app_id = ?1 AND id = ?2");
    u.bind(1, app_id).bind(2, id).bind(3, paused ? 1 : 0).bind(4, toMillis(clock_.now())).step();
    if (db.changes() == 0) return notFound("sync " + id);
    return okStatus();
  });
}

Status SyncStore::remove(const std::string& app_id, const std::string& id) {
  return db_.transaction([&](Database& db) -> Status {
    Statement d(db, "DELETE FROM syncs WHERE app_id = ?1 AND id = ?2");
    d.bind(1, app_id).bind(2, id).step();
    if (db.changes() == 0) return notFound("sync " + id);
    for (const char* table : {"sync_links", "sync_runs"}) {
      Statement rest(db, std::string("DELETE FROM ") + table + " WHERE sync_id = ?1");
      rest.bind(1, id).step();
    }
    return okStatus();
  });
}

Result<RunRecord> SyncStore::beginRun(const std::string& sync_id, const std::string& owner,
                                      const std::string& trigger, std::chrono::milliseconds lease,
                                      const std::function<bool(const std::string&)>& gone) {
  RunRecord run{"run_" + random_.token(12), sync_id, RunState::Running, trigger, clock_.now()};
  int64_t now = toMillis(run.started_at);
  auto status = db_.transaction([&](Database& db) -> Status {
    // The claim is one compare-and-swap: only a sync with no live run is taken.
    Statement claim(db,
                    "UPDATE syncs SET run_id = ?2, run_owner = ?3, run_lease_until = ?4 "
                    "WHERE id = ?1 AND (run_id IS NULL OR run_lease_until <= ?5)");
    claim.bind(1, sync_id).bind(2, run.id).bind(3, owner).bind(4, now + lease.count()).bind(5, now).step();
    bool claimed = db.changes() > 0;
    if (!claimed && gone) {
      Statement holder(db, "SELECT run_owner FROM syncs WHERE id = ?1 AND run_id IS NOT NULL");
      holder.bind(1, sync_id);
      const std::string dead = holder.step() && !holder.columnIsNull(0) ? holder.columnText(0) : "";
      if (!dead.empty() && dead != owner && gone(dead)) {
        Statement take(db,
                       "UPDATE syncs SET run_id = ?2, run_owner = ?3, run_lease_until = ?4 "
                       "WHERE id = ?1 AND run_owner = ?5");
        take.bind(1, sync_id)
            .bind(2, run.id)
            .bind(3, owner)
            .bind(4, now + lease.count())
            .bind(5, dead)
            .step();
        claimed = db.changes() > 0;
      }
    }
    if (!claimed) {
      Statement exists(db, "SELECT 1 FROM syncs WHERE id = ?1");
      exists.bind(1, sync_id);
      if (!exists.step()) return notFound("sync " + sync_id);
      return makeError(ErrorCode::Conflict, "sync.run_in_progress", "a run of this sync is in progress");
    }
    // A run whose process died is closed as failed, so its history says what happened.
    Statement stale(db,
                    "UPDATE sync_runs SET state = 'failed', finished_at = ?2, "
                    "report = '{\"error\":\"the run stopped before it ended (its process went away)\"}' "
                    "WHERE sync_id = ?1 AND state = 'running'");
    stale.bind(1, sync_id).bind(2, now).step();
    Statement insert(db,
                     "INSERT INTO sync_runs (id, sync_id, state, run_trigger, started_at) VALUES (?1, ?2, "
                     "'running', ?3, ?4)");
    insert.bind(1, run.id).bind(2, sync_id).bind(3, trigger).bind(4, now).step();
    return okStatus();
  });
  if (!status) return status.error();
  return run;
}

Status SyncStore::heartbeat(const RunRecord& run, const std::string& owner, std::chrono::milliseconds lease) {
  return db_.transaction([&](Database& db) -> Status {
    int64_t now = toMillis(clock_.now());
    Statement renew(db,
                    "UPDATE syncs SET run_lease_until = ?4 WHERE id = ?1 AND run_id = ?2 AND run_owner = ?3");
    renew.bind(1, run.sync_id).bind(2, run.id).bind(3, owner).bind(4, now + lease.count()).step();
    if (db.changes() == 0)
      return makeError(ErrorCode::Conflict, "sync.lease_lost", "the run lost its claim on the sync");
    Statement progress(db, "UPDATE sync_runs SET progress = ?2 WHERE id = ?1");
    progress.bind(1, run.id).bind(2, run.progress_json).step();
    return okStatus();
  });
}

Status SyncStore::endRun(const RunRecord& run, const std::string& owner, const std::vector<Link>& links,
                         const std::optional<ReadCursor>& a_cursor, bool full_read, TimePoint next_run_at) {
  return db_.transaction([&](Database& db) -> Status {
    int64_t now = toMillis(clock_.now());
    // Fenced: a run that lost its lease (another took over) writes nothing.
    Statement free(db,
                   "UPDATE syncs SET run_id = NULL, run_owner = NULL, run_lease_until = 0, next_run_at = ?4 "
                   "WHERE id = ?1 AND run_id = ?2 AND run_owner = ?3");
    free.bind(1, run.sync_id).bind(2, run.id).bind(3, owner).bind(4, toMillis(next_run_at)).step();
    if (db.changes() == 0)
      return makeError(ErrorCode::Conflict, "sync.lease_lost", "the run lost its claim on the sync");
    upsertLinks(db, run.sync_id, links);
    if (a_cursor) {
      Statement cursor(db, "UPDATE syncs SET a_cursor = ?2, a_skip = ?3 WHERE id = ?1");
      cursor.bind(1, run.sync_id).bind(2, toMillis(a_cursor->since)).bind(3, skipText(a_cursor->skip)).step();
    }
    if (full_read) {
      Statement full(db, "UPDATE syncs SET last_full_at = ?2 WHERE id = ?1");
      // From the read's start: "daily" counts from what the complete read saw, not when it ended.
      full.bind(1, run.sync_id).bind(2, a_cursor ? toMillis(a_cursor->since) : now).step();
    }
    Statement end(
        db, "UPDATE sync_runs SET state = ?2, finished_at = ?3, report = ?4, progress = ?5 WHERE id = ?1");
    end.bind(1, run.id)
        .bind(2, toString(run.state))
        .bind(3, now)
        .bind(4, run.report_json)
        .bind(5, run.progress_json)
        .step();
    return okStatus();
  });
}

Result<bool> SyncStore::abandonRun(const RunRecord& run, const std::string& owner, const std::string& why) {
  bool closed = false;
  auto status = db_.transaction([&](Database& db) -> Status {
    closed = false;  // a retried transaction starts over
    Statement free(db,
                   "UPDATE syncs SET run_id = NULL, run_owner = NULL, run_lease_until = 0 "
                   "WHERE id = ?1 AND run_id = ?2 AND run_owner = ?3");
    free.bind(1, run.sync_id).bind(2, run.id).bind(3, owner).step();
    if (db.changes() == 0) return okStatus();  // another process took it over: its run now
    Statement end(db, "UPDATE sync_runs SET state = 'failed', finished_at = ?2, report = ?3 WHERE id = ?1");
    end.bind(1, run.id).bind(2, toMillis(clock_.now())).bind(3, nlohmann::json{{"error", why}}.dump()).step();
    closed = true;
    return okStatus();
  });
  if (!status) return status.error();
  return closed;
}

Status SyncStore::saveLinks(const std::string& sync_id, const std::vector<Link>& links) {
  return db_.transaction([&](Database& db) -> Status {
    upsertLinks(db, sync_id, links);
    return okStatus();
  });
}

Result<std::vector<Link>> SyncStore::links(const std::string& sync_id) {
  std::vector<Link> out;
  auto status = db_.read([&](Database& db) -> Status {
    Statement q(db, "SELECT a_id, b_id, state FROM sync_links WHERE sync_id = ?1 ORDER BY a_id");
    q.bind(1, sync_id);
    while (q.step()) {
      Link& link = out.emplace_back(Link{q.columnText(0), q.columnText(1)});
      readLinkState(q.columnText(2), link);
    }
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

Result<std::vector<RunRecord>> SyncStore::runs(const std::string& sync_id, int limit) {
  std::vector<RunRecord> out;
  auto status = db_.read([&](Database& db) -> Status {
    Statement q(db, std::string("SELECT ") + kRunColumns +
                        " FROM sync_runs WHERE sync_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2");
    q.bind(1, sync_id).bind(2, static_cast<int64_t>(std::clamp(limit, 1, 1000)));
    while (q.step()) out.push_back(readRun(q));
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

Result<RunRecord> SyncStore::getRun(const std::string& sync_id, const std::string& run_id) {
  std::optional<RunRecord> found;
  auto status = db_.read([&](Database& db) -> Status {
    Statement q(db, std::string("SELECT ") + kRunColumns + " FROM sync_runs WHERE sync_id = ?1 AND id = ?2");
    q.bind(1, sync_id).bind(2, run_id);
    if (q.step()) found = readRun(q);
    return okStatus();
  });
  if (!status) return status.error();
  if (!found) return notFound("run " + run_id);
  return *found;
}

Result<int64_t> SyncStore::countActive() {
  int64_t count = 0;
  auto status = db_.read([&](Database& db) -> Status {
    Statement q(db, "SELECT COUNT(*) FROM syncs WHERE paused = 0");
    if (q.step()) count = q.columnInt(0);
    return okStatus();
  });
  if (!status) return status.error();
  return count;
}

Result<std::vector<StoredSync>> SyncStore::due(TimePoint now, int limit) {
  std::vector<StoredSync> out;
  auto status = db_.read([&](Database& db) -> Status {
    Statement q(
        db,
        std::string("SELECT ") + kSyncColumns +
            " FROM syncs WHERE paused = 0 AND next_run_at <= ?1 AND (run_id IS NULL OR run_lease_until <= ?1)"
            " ORDER BY next_run_at LIMIT ?2");
    q.bind(1, toMillis(now)).bind(2, static_cast<int64_t>(limit));
    while (q.step()) out.push_back(readSync(q));
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

}  // namespace liaison::sync
