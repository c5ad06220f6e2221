// sync_bench's seed and change phases. The data (N = --contacts):
//  - CC: N contacts, all in "Customers" (the sync's scope), the first 20,000 also in
//    "Newsletter" and the next 20,000 in "VIP"; names and job titles; every 2,000th unsubscribed.
//  - The app's table `users`: N rows; rows 0 … N/2-1 share their address with CC contacts
//    0 … N/2-1, the other half on each side is new to the other. Of the shared half, 1 in 20 has
//    no job title in CC and another 1 in 20 none in the table (the first sync fills each from the
//    other side); one in 5,000 is unsubscribed in the table (carried to CC), and one in 500 of
//    the app's own rows is (kept out of CC).
//  - The sync: CC (the scope list, or all contacts) ↔ the table, full_name ↔ first/last name,
//    job_title, unsubscribed as a boolean column, updated_at as the table's change time.
#include <span>

#include "core/encoding.h"
#include "core/random.h"
#include "hub/store/hub_database.h"
#include "storage/database.h"
#include "sync/model/definition_json.h"
#include "sync/runner/sync_store.h"
#include "sync_bench.h"

namespace liaison::bench {

namespace {

constexpr int64_t kSeedImportRows = 20000;  // about 2.2 MB of request: under CC's 4 MB
const char* const kLists[] = {kScopeList, "Newsletter", "VIP"};

std::string ccTitle(int64_t i, int64_t n) { return i < n / 2 && i % 20 == 1 ? "" : jobTitle(i); }
std::string appTitle(int64_t k, int64_t n) { return k < n / 2 && k % 20 == 2 ? "" : jobTitle(k); }
bool ccUnsubscribed(int64_t i) { return i % 2000 == 7; }
bool appUnsubscribed(int64_t k, int64_t n) { return k < n / 2 ? k % 5000 == 3 : k % 500 == 3; }

void seedCc(Sandbox& cc, int64_t n, json& state) {
  json lists = json::object();
  for (const char* name : kLists)
    lists[name] = cc.must("POST", "/v3/contact_lists", {{"name", name}})["list_id"];
  for (int64_t from = 0, batch = 0; from < n; from += kSeedImportRows, ++batch) {
    json rows = json::array();
    for (int64_t i = from; i < std::min(n, from + kSeedImportRows); ++i) {
      json row = {{"email", ccEmail(i, n)}, {"first_name", firstName(i)}, {"last_name", lastName(i)}};
      if (!ccTitle(i, n).empty()) row["job_title"] = ccTitle(i, n);
      rows.push_back(std::move(row));
    }
    json list_ids = {lists[kScopeList]};
    if (batch == 1) list_ids.push_back(lists["Newsletter"]);
    if (batch == 2) list_ids.push_back(lists["VIP"]);
    json started = cc.must("POST", "/v3/activities/contacts_json_import",
                           {{"import_data", rows}, {"list_ids", list_ids}});
    cc.awaitActivity(started.at("activity_id"));
  }
  json counted = cc.must("GET", "/v3/contacts?status=all&limit=1&include_count=true");
  if (counted.value("contacts_count", int64_t{0}) != n)
    die("the account holds " + counted.value("contacts_count", json()).dump() + " contacts, not " +
        std::to_string(n));
  // CC has no bulk unsubscribe: one lookup and one PUT each.
  int64_t unsubscribed = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (!ccUnsubscribed(i)) continue;
    json found = cc.must("GET", "/v3/contacts?status=all&email=" + percentEncode(ccEmail(i, n)));
    if (found["contacts"].empty()) die("contact " + ccEmail(i, n) + " was not imported");
    json put = {{"email_address", {{"address", ccEmail(i, n)}, {"permission_to_send", "unsubscribed"}}},
                {"first_name", firstName(i)},
                {"last_name", lastName(i)},
                {"update_source", "Contact"}};
    if (!ccTitle(i, n).empty()) put["job_title"] = ccTitle(i, n);
    cc.must("PUT", "/v3/contacts/" + found["contacts"][0]["contact_id"].get<std::string>(), put);
    ++unsubscribed;
  }
  state["lists"] = lists;
  state["cc_unsubscribed"] = unsubscribed;
}

void seedTable(const std::string& path, int64_t n, const std::string& stamp, json& state) {
  storage::Database app(path, std::span<const storage::Migration>{});
  app.exec(
      "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL, full_name TEXT,"
      " job_title TEXT, unsubscribed INTEGER NOT NULL DEFAULT 0, updated_at TEXT)");
  int64_t unsubscribed = 0;
  app.begin();
  storage::Statement insert(app,
                            "INSERT INTO users (email, full_name, job_title, unsubscribed, updated_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5)");
  for (int64_t k = 0; k < n; ++k) {
    insert.bind(1, appEmail(k, n)).bind(2, firstName(k) + " " + lastName(k));
    if (appTitle(k, n).empty()) {
      insert.bindNull(3);
    } else {
      insert.bind(3, appTitle(k, n));
    }
    insert.bind(4, int64_t{appUnsubscribed(k, n) ? 1 : 0}).bind(5, stamp);
    insert.step();
    insert.reset();
    unsubscribed += appUnsubscribed(k, n) ? 1 : 0;
  }
  app.commit();
  state["app_unsubscribed"] = unsubscribed;
}

}  // namespace

std::span<const storage::Migration> storeMigrations() {
  static const storage::Migration extra[] = {
      {2, sync::kSyncSchemaSql}, {3, sync::kSyncReadSkipSql}, {4, sync::kSyncLinksUnindexedSql}};
  return extra;
}

void seedPhase(Sandbox& cc, const BenchOptions& o) {
  const int64_t n = o.contacts;
  Stopwatch watch;
  json state = {{"contacts", n}, {"round", 0}, {"cc_changed", 0}, {"b_changed", 0}, {"filter", o.filter}};
  seedCc(cc, n, state);
  // The app's rows were last changed a day ago.
  seedTable(o.dir + "/app.db", n, formatIso8601(cc.clock().now() - std::chrono::hours(24)), state);

  hub::HubDatabase db(o.dir + "/hub.db", storeMigrations());
  CryptoRandom random;
  sync::SyncStore store(db, cc.clock(), random);
  json filter = o.filter == "all" ? json{{"all", true}} : json{{"lists", {o.filter}}};
  auto parsed =
      sync::parseDefinition(json{{"name", "App users (bench)"},
                                 {"a", {{"type", "cc"}, {"connection_id", "bench"}, {"filter", filter}}},
                                 {"b",
                                  {{"type", "sql"},
                                   {"url", o.dir + "/app.db"},
                                   {"table", "users"},
                                   {"key", "id"},
                                   {"updated_at", "updated_at"}}},
                                 {"unsubscribes", {{"column", "unsubscribed"}, {"format", "boolean"}}}});
  if (!std::holds_alternative<sync::SyncDefinition>(parsed)) die("the bench's sync definition was refused");
  auto created = store.create(kApp, std::get<sync::SyncDefinition>(parsed));
  if (!created) die("storing the sync: " + created.error().message);
  state["sync_id"] = created->id;
  // The first sync runs an hour after the seeding, not the moment after: the engine reads
  // "changed since" with a 5-minute overlap, and real data was not all written just now.
  cc.advance(3600);
  saveState(o.dir, state);
  printResult({{"phase", "seed"},
               {"label", o.label},
               {"contacts", n},
               {"seed_calls", cc.tally.calls},
               {"errors", cc.tally.errors},
               {"wall_s", std::chrono::duration<double>(watch.elapsed()).count()}});
  if (cc.tally.errors > 0) die("seeding saw error answers: " + cc.tally.first_error);
}

// 1 % of N changed on each side, an hour after the last run (--advance): in CC by one import
// (first names or job titles, every contact named is in the scope list already), in the table
// by UPDATEs of full names or job titles with a new updated_at. The two sets do not overlap,
// so there is no conflict to settle.
void changePhase(Sandbox& cc, const BenchOptions& o) {
  json state = loadState(o.dir);
  const int64_t n = state["contacts"];
  const int64_t round = state.value("round", 0) + 1;
  const int64_t cc_pick = (42 + round) % 100, app_pick = (58 + round) % 100;
  const std::string r = std::to_string(round);
  json rows = json::array();
  for (int64_t i = cc_pick; i < n; i += 100) {
    json row = {{"email", ccEmail(i, n)}};
    if ((i / 100) % 2 == 0) {
      row["first_name"] = firstName(i) + " R" + r;
    } else {
      row["job_title"] = jobTitle(i) + " R" + r;
    }
    rows.push_back(std::move(row));
  }
  json started = cc.must("POST", "/v3/activities/contacts_json_import",
                         {{"import_data", rows}, {"list_ids", {state["lists"][kScopeList]}}});
  cc.awaitActivity(started.at("activity_id"));

  storage::Database app(o.dir + "/app.db", std::span<const storage::Migration>{});
  const std::string stamp = cc.nowIso();
  int64_t table_changes = 0;
  app.begin();
  storage::Statement name(app, "UPDATE users SET full_name = ?1, updated_at = ?2 WHERE id = ?3");
  storage::Statement title(app, "UPDATE users SET job_title = ?1, updated_at = ?2 WHERE id = ?3");
  for (int64_t k = app_pick; k < n; k += 100) {
    storage::Statement& update = (k / 100) % 2 == 0 ? name : title;
    update.bind(
        1, (k / 100) % 2 == 0 ? firstName(k) + " " + lastName(k) + "-R" + r : jobTitle(k) + " app R" + r);
    update.bind(2, stamp).bind(3, k + 1);
    update.step();
    update.reset();
    if (app.changes() != 1) die("row " + std::to_string(k + 1) + " of the table is missing");
    ++table_changes;
  }
  app.commit();
  state["round"] = round;
  state["cc_changed"] = state.value("cc_changed", 0) + static_cast<int64_t>(rows.size());
  state["b_changed"] = state.value("b_changed", 0) + table_changes;
  saveState(o.dir, state);
  printResult(
      {{"phase", "change"}, {"label", o.label}, {"cc_changed", rows.size()}, {"b_changed", table_changes}});
  if (cc.tally.errors > 0) die("changing CC saw error answers: " + cc.tally.first_error);
}

}  // namespace liaison::bench
