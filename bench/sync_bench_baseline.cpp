// sync_bench's baseline phase: the same two-way sync done the straightforward way, one contact at
// a time, as Zapier-style tools do. App → CC: for every row (on a later pass, every row changed
// since the last one) look the contact up by address (GET ?email=) and PUT it, or POST it when CC
// lacks it. CC → app: page through the scope's contacts (on a later pass, those updated since the
// last one) with one UPDATE, or INSERT, per contact. Only its CC calls are compared with the
// engine's; the table is its own copy (in its own --dir), indexed by email so the per-contact
// UPDATEs do not scan it.
#include <span>

#include "core/encoding.h"
#include "sync_bench.h"

namespace liaison::bench {

namespace {

struct Row {
  std::string email, full_name, job_title;
  bool unsubscribed = false;
};

// "Mary Ann Smith" → "Mary Ann", "Smith": the last word is the last name.
std::pair<std::string, std::string> splitName(const std::string& full) {
  const size_t space = full.rfind(' ');
  if (space == std::string::npos) return {full, ""};
  return {full.substr(0, space), full.substr(space + 1)};
}

std::string permission(const json& contact) {
  return contact.value("email_address", json::object()).value("permission_to_send", "");
}

std::vector<Row> changedRows(storage::Database& app, const std::string& since) {
  storage::Statement select(app, std::string("SELECT email, COALESCE(full_name, ''), COALESCE(job_title, ''),"
                                             " unsubscribed FROM users") +
                                     (since.empty() ? "" : " WHERE updated_at > ?1") + " ORDER BY id");
  if (!since.empty()) select.bind(1, since);
  std::vector<Row> rows;
  while (select.step()) {
    rows.push_back(
        {select.columnText(0), select.columnText(1), select.columnText(2), select.columnInt(3) != 0});
  }
  return rows;
}

// App → CC: a lookup and a write per row.
void appToCc(Sandbox& cc, const std::vector<Row>& rows, const std::string& list_id) {
  for (const Row& row : rows) {
    json found =
        cc.must("GET", "/v3/contacts?status=all&include=list_memberships&email=" + percentEncode(row.email));
    auto [first, last] = splitName(row.full_name);
    if (!found["contacts"].empty()) {
      const json& contact = found["contacts"][0];
      // A PUT replaces the whole contact: what the row lacks is carried over from CC.
      json put = {{"email_address", {{"address", row.email}}},
                  {"first_name", first},
                  {"last_name", last},
                  {"update_source", "Account"}};
      const std::string title = row.job_title.empty() ? contact.value("job_title", "") : row.job_title;
      if (!title.empty()) put["job_title"] = title;
      if (contact.contains("list_memberships")) put["list_memberships"] = contact["list_memberships"];
      if (row.unsubscribed && permission(contact) != "unsubscribed") {
        put["email_address"]["permission_to_send"] = "unsubscribed";
        put["update_source"] = "Contact";
      }
      cc.must("PUT", "/v3/contacts/" + contact["contact_id"].get<std::string>(), put);
    } else if (!row.unsubscribed) {
      json post = {{"email_address", {{"address", row.email}, {"permission_to_send", "implicit"}}},
                   {"first_name", first},
                   {"last_name", last},
                   {"create_source", "Account"},
                   {"list_memberships", {list_id}}};
      if (!row.job_title.empty()) post["job_title"] = row.job_title;
      cc.must("POST", "/v3/contacts", post);
    }
  }
}

// CC → app: pages of 500, a statement per contact.
int64_t ccToApp(Sandbox& cc, storage::Database& app, const std::string& list_id, const std::string& since) {
  storage::Statement update(
      app,
      "UPDATE users SET full_name = ?1, job_title = ?2, unsubscribed = MAX(unsubscribed, ?3)"
      " WHERE email = ?4");
  storage::Statement insert(
      app, "INSERT INTO users (full_name, job_title, unsubscribed, email) VALUES (?1, ?2, ?3, ?4)");
  std::string next = "/v3/contacts?status=all&include=list_memberships&limit=500&lists=" + list_id +
                     (since.empty() ? "" : "&updated_after=" + since);
  int64_t contacts = 0;
  while (!next.empty()) {
    json page = cc.must("GET", next);
    app.begin();  // a transaction per page: the baseline's SQLite time is not what is compared
    for (const auto& contact : page["contacts"]) {
      std::string full = contact.value("first_name", "");
      const std::string last = contact.value("last_name", "");
      if (!full.empty() && !last.empty()) full += ' ';
      full += last;
      const std::string email = toLower(contact["email_address"].value("address", ""));
      const int64_t unsubscribed = permission(contact) == "unsubscribed" ? 1 : 0;
      update.bind(1, full).bind(2, contact.value("job_title", "")).bind(3, unsubscribed).bind(4, email);
      update.step();
      update.reset();
      if (app.changes() == 0) {
        insert.bind(1, full).bind(2, contact.value("job_title", "")).bind(3, unsubscribed).bind(4, email);
        insert.step();
        insert.reset();
      }
      ++contacts;
    }
    app.commit();
    next = page.contains("_links") && page["_links"].contains("next")
               ? page["_links"]["next"].value("href", "")
               : "";
  }
  return contacts;
}

}  // namespace

void baselinePhase(Sandbox& cc, const BenchOptions& o) {
  json state = loadState(o.dir);
  const bool first = o.pass == "first";
  if (!first && !state.contains("baseline_cursor")) die("the baseline's next pass needs a first pass");
  const std::string since = first ? "" : state["baseline_cursor"].get<std::string>();
  const std::string list_id = state["lists"][kScopeList];
  storage::Database app(o.dir + "/app.db", std::span<const storage::Migration>{});
  app.exec("CREATE INDEX IF NOT EXISTS users_email ON users (email)");
  const std::vector<Row> rows = changedRows(app, since);

  cc.tally = Tally{};
  const Usage before = usage();
  Stopwatch watch;
  appToCc(cc, rows, list_id);
  const int64_t contacts = ccToApp(cc, app, list_id, since);
  const double wall_s = std::chrono::duration<double>(watch.elapsed()).count();
  const Usage after = usage();
  state["baseline_cursor"] = cc.nowIso();  // the next pass asks for what changed after this one
  saveState(o.dir, state);
  printResult({{"phase", "baseline"},
               {"label", o.label},
               {"pass", o.pass},
               {"calls", cc.tally.calls},
               {"kinds", cc.tally.kinds},
               {"rows_to_cc", rows.size()},
               {"contacts_to_app", contacts},
               {"api_bound_s", cc.tally.calls / 4.0},
               {"wall_s", wall_s},
               {"cpu_s", after.cpu_s - before.cpu_s},
               {"errors", cc.tally.errors}});
  if (cc.tally.errors > 0) die("the per-contact baseline saw error answers: " + cc.tally.first_error);
}

}  // namespace liaison::bench
