// T20 (reliability-bar.md) with real processes: `liaison serve` (SQLite store) syncs the
// sandbox's demo account (a process of its own) with an app's side of 10,000 people (a SQLite
// table, a CSV file, or a second CC account: an agency's and a client's), and is killed with
// SIGKILL at a random moment of a run: the first sync, then runs carrying edits made on both
// sides (renames, new people, unsubscribes and deletions on the app's side). A new hub process
// then runs the sync again. Must hold after that one run: every person once on each side (0
// lost, 0 duplicated), the sides equal on name, consent and deletion, and the run after it quiet
// (0 writes). Points: 5 table cases, 3 CSV cases and 2 CC-to-CC cases × 10 kills (one case of
// each with 2 kills under the sanitizers, whose hubs are slower); bench/sync_kill.sh runs more
// people and points.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>

#include "core/csv.h"
#include "core/encoding.h"
#include "integration/hub_process.h"
#include "storage/database.h"

namespace liaison::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Kills per case, and cases per kind of app side (each case its own random draws).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr int kPoints = 2;
constexpr int kTableCases = 1, kCsvCases = 1, kCcCases = 1;
#else
constexpr int kPoints = 10;
constexpr int kTableCases = 5, kCsvCases = 3, kCcCases = 2;
#endif

// bench/sync_kill.sh runs one case at CC's scale: SYNC_KILL_PEOPLE (10,000 here) and
// SYNC_KILL_POINTS (kPoints here). Not LIAISON_*: the hub refuses settings it does not know.
int fromEnv(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && std::atoi(value) > 0 ? std::atoi(value) : fallback;
}
const int kPeople = fromEnv("SYNC_KILL_PEOPLE", 10000);
// Added to every case's seed: runs of the script with different SYNC_KILL_SEEDs draw different
// edits and kill moments, so their points add up instead of repeating one sequence.
const int kSeedOffset = fromEnv("SYNC_KILL_SEED", 0);
const int kShared = kPeople / 2, kCcOnly = kPeople / 4, kAppOnly = kPeople - kShared - kCcOnly;
const int kEdits = std::max(1, kPeople / 50);  // renames per side and point: 2 %
constexpr size_t kImportRows = 20000;          // under CC's 40,000 rows and 4 MB per import

struct Person {
  std::string id;  // a CC contact's
  std::string name;
  bool unsubscribed = false;
  bool deleted = false;
  int copies = 0;
};

// A CSV header's column named `name`; header.size() when there is none.
size_t columnOf(const CsvRow& header, const std::string& name) {
  return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
}

// The app's side: "sql" (a SQLite table) or "csv" (a file keyed by its email column), and the
// case's number (its random seed).
using KillCase = std::tuple<std::string, int>;

// What a person's edit on the app's side does.
struct AppEdits {
  std::vector<std::pair<std::string, std::string>> renames;  // email, new full name
  std::vector<std::string> unsubscribes, deletions;          // emails
  std::vector<std::pair<std::string, std::string>> inserts;  // email, full name
};

class SyncKillTest : public ::testing::TestWithParam<KillCase> {
 protected:
  void SetUp() override {
    http_ = http::makeCurlHttpClient();
    sandbox_ = std::make_unique<ChildProcess>(sandboxArgs({"--profile", "fast", "--seed", "bare"}),
                                              dir_.file("sandbox.err"));
    cc_ = bannerUrl(*sandbox_);
    ASSERT_FALSE(cc_.empty());
    const std::string secret = registerHubApp(*http_, cc_, "kill-app");
    ASSERT_FALSE(secret.empty());
    env_ = std::make_unique<ScopedEnv>(std::vector<std::pair<std::string, std::string>>{
        {"LIAISON_CC_CLIENT_ID", "kill-app"},
        {"LIAISON_CC_CLIENT_SECRET", secret},
        {"LIAISON_CC_BASE_URL", cc_},
        {"LIAISON_SERVER_LOG_LEVEL", "warn"},
        {"LIAISON_BUDGET_REQUESTS_PER_SECOND", "1000000"},  // CC's pace is not what this tests
        {"LIAISON_BUDGET_REQUESTS_PER_DAY", "1000000000"},
        {"LIAISON_SYNC_ACTIVITY_POLL_MS", "100"}});
    key_ = initHubData(dir_, data_);
    ASSERT_FALSE(key_.empty());
    ASSERT_NO_FATAL_FAILURE(startHub());
    connection_ = connectByDevice(*http_, {hub_}, cc_, auth());
    ASSERT_FALSE(connection_.empty());
    if (ccB()) {  // a client's account beside the agency's demo account
      const Answer account =
          send(*http_, "POST", cc_ + "/__sandbox/accounts", {}, {{"organization_name", "Client"}});
      ASSERT_EQ(account.status, 201) << account.raw;
      const Answer user = send(*http_, "POST", cc_ + "/__sandbox/users", {},
                               {{"account_id", account.body["encoded_account_id"]},
                                {"email", "client@kill.example"},
                                {"password", "sandbox"},
                                {"role", "Account Owner"}});
      ASSERT_EQ(user.status, 201) << user.raw;
      connection_b_ = connectByDevice(*http_, {hub_}, cc_, auth(), "client@kill.example", "user-2");
      ASSERT_FALSE(connection_b_.empty());
    }
    ASSERT_NO_FATAL_FAILURE(seed());
    json definition = {{"name", "App users"},
                       {"a", {{"type", "cc"}, {"connection_id", connection_}}},
                       {"unsubscribes", {{"column", "unsubscribed"}}},
                       {"deletions", {{"from_b", "soft_delete"}, {"column", "deleted_at"}}}};
    if (csv()) {
      definition["b"] = {{"type", "csv"}, {"path", table_}};
    } else if (ccB()) {  // consent travels between CC accounts by itself; CC's delete is soft
      definition["b"] = {{"type", "cc"}, {"connection_id", connection_b_}};
      definition.erase("unsubscribes");
      definition["deletions"] = {{"from_b", "soft_delete"}};
    } else {
      definition["b"] = {{"type", "sql"}, {"url", table_}, {"table", "users"}};
    }
    const Answer created = api("POST", "/api/v1/syncs", definition);
    ASSERT_EQ(created.status, 201) << created.raw;
    sync_ = created.body["id"];
    ASSERT_EQ(api("POST", "/api/v1/syncs/" + sync_ + "/pause").status, 200);  // runs only when started
  }

  bool csv() const { return std::get<0>(GetParam()) == "csv"; }
  bool ccB() const { return std::get<0>(GetParam()) == "cc"; }

  std::vector<std::pair<std::string, std::string>> auth() const {
    return {{"Authorization", "Bearer " + key_}};
  }
  Answer api(const std::string& method, const std::string& path, const json& body = nullptr) {
    return send(*http_, method, hub_ + path, auth(), body);
  }
  Answer proxy(const std::string& method, const std::string& path, const json& body = nullptr,
               const std::string& connection = {}) {
    auto headers = auth();
    headers.emplace_back("Liaison-Connection-Id", connection.empty() ? connection_ : connection);
    return send(*http_, method, hub_ + "/proxy" + path, headers, body);
  }

  void startHub() {
    hub_process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"serve", "--data", data_, "--listen", "127.0.0.1:0"},
        dir_.file("hub" + std::to_string(++hubs_started_) + ".err"));
    const std::string line = hub_process_->readLine(60s);
    const auto at = line.find("http://");
    ASSERT_NE(at, std::string::npos) << "the hub did not start: " << line;
    hub_ = line.substr(at);
    while (!hub_.empty() && std::isspace(static_cast<unsigned char>(hub_.back()))) hub_.pop_back();
  }

  // A CC import through the hub's proxy, followed to its end.
  void import(const json& rows, const std::string& connection = {}, const std::string& list = {}) {
    const Answer started =
        proxy("POST", "/v3/activities/contacts_json_import",
              {{"import_data", rows}, {"list_ids", {list.empty() ? list_ : list}}}, connection);
    ASSERT_EQ(started.status, 201) << started.raw;
    for (int i = 0; i < 600; ++i) {
      const Answer state = proxy("GET", "/v3/activities/" + started.body["activity_id"].get<std::string>(),
                                 nullptr, connection);
      if (state.body.value("state", "") == "completed") return;
      ASSERT_NE(state.body.value("state", ""), "failed") << state.raw;
      std::this_thread::sleep_for(20ms);
    }
    FAIL() << "the import did not complete";
  }

  // CC: kShared + kCcOnly contacts; the table: kShared of them (a fifth named differently) and
  // kAppOnly of its own.
  void seed() {
    const Answer list = proxy("POST", "/v3/contact_lists", {{"name", "Customers"}});
    ASSERT_EQ(list.status, 201) << list.raw;
    list_ = list.body["list_id"];
    json rows = json::array();
    for (int i = 0; i < kShared + kCcOnly; ++i) {
      const std::string email = (i < kShared ? "p" : "c") + std::to_string(i) + "@kill.example";
      rows.push_back({{"email", email},
                      {"first_name", "F" + std::to_string(i)},
                      {"last_name", "L" + std::to_string(i)}});
      expected_.insert(email);
      if (rows.size() == kImportRows) {
        ASSERT_NO_FATAL_FAILURE(import(rows));
        rows = json::array();
      }
    }
    if (!rows.empty()) {
      ASSERT_NO_FATAL_FAILURE(import(rows));
    }
    AppEdits rows_of_app;
    for (int i = 0; i < kShared + kAppOnly; ++i) {
      const bool shared = i < kShared;
      const std::string email = (shared ? "p" : "a") + std::to_string(i) + "@kill.example";
      const std::string name = shared && i % 5 != 0 ? "F" + std::to_string(i) + " L" + std::to_string(i)
                                                    : "G" + std::to_string(i) + " H" + std::to_string(i);
      rows_of_app.inserts.emplace_back(email, name);
      expected_.insert(email);
    }
    if (csv()) {
      table_ = dir_.file("app.csv");
      writeCsv({{"email", "full_name", "unsubscribed", "deleted_at"}});
    } else if (ccB()) {
      const Answer list_b = proxy("POST", "/v3/contact_lists", {{"name", "Customers"}}, connection_b_);
      ASSERT_EQ(list_b.status, 201) << list_b.raw;
      list_b_ = list_b.body["list_id"];
    } else {
      table_ = dir_.file("app.db");
      db_ = std::make_unique<storage::Database>(table_, std::span<const storage::Migration>{});
      db_->exec(
          "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT, full_name TEXT,"
          " unsubscribed INTEGER NOT NULL DEFAULT 0, deleted_at TEXT)");
    }
    ASSERT_NO_FATAL_FAILURE(editApp(rows_of_app));
  }

  // The app's side, as the app would change it: SQL statements in one transaction, or the CSV
  // file replaced whole (a new file renamed over it).
  void editApp(const AppEdits& edits) {
    const std::string deleted_at = "2026-12-07T10:00:00Z";
    if (ccB()) {
      ASSERT_NO_FATAL_FAILURE(editClientAccount(edits));
      return;
    }
    if (!csv()) {
      const Status edited = db_->transaction([&](storage::Database& db) -> Status {
        for (const auto& [email, name] : edits.renames) {
          storage::Statement q(db, "UPDATE users SET full_name = ?2 WHERE email = ?1");
          q.bind(1, email).bind(2, name).step();
        }
        for (const auto& email : edits.unsubscribes) {
          storage::Statement q(db, "UPDATE users SET unsubscribed = 1 WHERE email = ?1");
          q.bind(1, email).step();
        }
        for (const auto& email : edits.deletions) {
          storage::Statement q(db, "UPDATE users SET deleted_at = ?2 WHERE email = ?1");
          q.bind(1, email).bind(2, deleted_at).step();
        }
        for (const auto& [email, name] : edits.inserts) {
          storage::Statement q(db, "INSERT INTO users (email, full_name) VALUES (?1, ?2)");
          q.bind(1, email).bind(2, name).step();
        }
        return okStatus();
      });
      ASSERT_TRUE(edited.ok());
      return;
    }
    std::vector<CsvRow> rows = readCsv();
    ASSERT_FALSE(rows.empty());
    for (auto& each : rows) each.resize(std::max(each.size(), rows[0].size()));
    const CsvRow& header = rows[0];
    const size_t email = columnOf(header, "email"), name = columnOf(header, "full_name"),
                 unsubscribed = columnOf(header, "unsubscribed"), deleted = columnOf(header, "deleted_at");
    ASSERT_LT(std::max({email, name, unsubscribed, deleted}), header.size());
    std::map<std::string, CsvRow*> by_email;
    for (size_t i = 1; i < rows.size(); ++i) by_email[rows[i][email]] = &rows[i];
    auto row = [&](const std::string& address) -> CsvRow& { return *by_email.at(address); };
    for (const auto& [address, full_name] : edits.renames) row(address)[name] = full_name;
    for (const auto& address : edits.unsubscribes) row(address)[unsubscribed] = "1";
    for (const auto& address : edits.deletions) row(address)[deleted] = deleted_at;
    std::vector<CsvRow> added;  // appended last: rows' references stay valid until then
    for (const auto& [address, full_name] : edits.inserts) {
      CsvRow& fresh = added.emplace_back(header.size());
      fresh[email] = address;
      fresh[name] = full_name;
      fresh[unsubscribed] = "0";
    }
    rows.insert(rows.end(), added.begin(), added.end());
    writeCsv(rows);
  }
  // The client's CC account as its owner would change it: names and new people by an import,
  // an unsubscribe by a PUT of the contact (the PUT replaces it: its lists are sent back), a
  // deletion by a DELETE.
  void editClientAccount(const AppEdits& edits) {
    json rows = json::array();
    auto nameRow = [](const std::string& email, const std::string& full_name) {
      const auto space = full_name.find(' ');
      return json{{"email", email},
                  {"first_name", full_name.substr(0, space)},
                  {"last_name", space == std::string::npos ? "" : full_name.substr(space + 1)}};
    };
    for (const auto& [email, name] : edits.renames) rows.push_back(nameRow(email, name));
    for (const auto& [email, name] : edits.inserts) rows.push_back(nameRow(email, name));
    for (size_t i = 0; i < rows.size(); i += kImportRows) {
      json chunk(rows.begin() + static_cast<std::ptrdiff_t>(i),
                 rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), i + kImportRows)));
      ASSERT_NO_FATAL_FAILURE(import(chunk, connection_b_, list_b_));
    }
    if (edits.unsubscribes.empty() && edits.deletions.empty()) return;
    const auto people = ccSide(connection_b_);
    for (const auto& email : edits.unsubscribes) {
      const std::string id = people.at(email).id;
      const Answer contact =
          proxy("GET", "/v3/contacts/" + id + "?include=list_memberships", nullptr, connection_b_);
      ASSERT_EQ(contact.status, 200) << contact.raw;
      json body = {{"email_address", {{"address", email}, {"permission_to_send", "unsubscribed"}}},
                   {"first_name", contact.body.value("first_name", "")},
                   {"last_name", contact.body.value("last_name", "")},
                   {"list_memberships", contact.body.value("list_memberships", json::array())},
                   {"update_source", "Contact"}};
      const Answer put = proxy("PUT", "/v3/contacts/" + id, body, connection_b_);
      ASSERT_EQ(put.status, 200) << put.raw;
    }
    for (const auto& email : edits.deletions) {
      const Answer deleted = proxy("DELETE", "/v3/contacts/" + people.at(email).id, nullptr, connection_b_);
      ASSERT_EQ(deleted.status, 204) << deleted.raw;
    }
  }

  std::vector<CsvRow> readCsv() {
    std::ifstream in(table_, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto rows = parseCsv(text, 10'000'000);
    EXPECT_TRUE(rows.ok()) << table_;
    return rows.ok() ? std::move(*rows) : std::vector<CsvRow>{};
  }
  void writeCsv(const std::vector<CsvRow>& rows) {
    const std::string next = table_ + ".app-edit";
    {
      std::ofstream out(next, std::ios::binary | std::ios::trunc);
      for (const auto& row : rows) out << csvLine(row);
    }
    ASSERT_EQ(std::rename(next.c_str(), table_.c_str()), 0);
  }

  // Edits on both sides between runs, never both on one person.
  void edit(int point) {
    std::vector<std::string> live;  // people whose row is not deleted
    for (const auto& [email, person] : tableSide()) {
      if (!person.deleted) live.push_back(email);
    }
    std::shuffle(live.begin(), live.end(), random_);
    const std::string p = std::to_string(point);
    size_t next = 0;
    AppEdits edits;
    for (int k = 0; k < kEdits; ++k)
      edits.renames.emplace_back(live[next++], "T" + p + " R" + std::to_string(k));
    for (int k = 0; k < 3; ++k) edits.unsubscribes.push_back(live[next++]);
    for (int k = 0; k < 2; ++k) edits.deletions.push_back(live[next++]);
    for (int k = 0; k < 10; ++k) {
      const std::string email = "n" + p + "-" + std::to_string(k) + "@app.example";
      edits.inserts.emplace_back(email, "New" + p + " App" + std::to_string(k));
      expected_.insert(email);
    }
    ASSERT_NO_FATAL_FAILURE(editApp(edits));
    json rows = json::array();
    for (int k = 0; k < kEdits; ++k, ++next) {
      rows.push_back(
          {{"email", live[next]}, {"first_name", "C" + p}, {"last_name", "S" + std::to_string(k)}});
    }
    for (int k = 0; k < 10; ++k) {
      const std::string email = "m" + p + "-" + std::to_string(k) + "@cc.example";
      rows.push_back({{"email", email}, {"first_name", "New" + p}, {"last_name", "Cc" + std::to_string(k)}});
      expected_.insert(email);
    }
    import(rows);
  }

  // Starts a run; its id. A run still held by the killed process is taken over (its pid is gone).
  std::string startRun() {
    const Answer run = api("POST", "/api/v1/syncs/" + sync_ + "/runs");
    EXPECT_EQ(run.status, 202) << run.raw;
    return run.body.value("id", "");
  }
  json waitRun(const std::string& run_id) {
    for (int i = 0; i < 1200 * std::max(1, kPeople / 10000); ++i) {
      const Answer run = api("GET", "/api/v1/syncs/" + sync_ + "/runs/" + run_id);
      if (run.body.value("state", "running") != "running") return run.body;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "run " << run_id << " did not end in time";
    return {};
  }

  std::map<std::string, Person> ccSide(const std::string& connection = {}) {
    std::map<std::string, Person> out;
    std::string target = "/v3/contacts?status=all&limit=500";
    while (!target.empty()) {
      const Answer page = proxy("GET", target, nullptr, connection);
      EXPECT_EQ(page.status, 200) << page.raw;
      if (page.status != 200) break;
      for (const auto& c : page.body["contacts"]) {
        Person& person = out[toLower(c["email_address"]["address"].get<std::string>())];
        ++person.copies;
        person.id = c.value("contact_id", "");
        person.name = c.value("first_name", "") + " " + c.value("last_name", "");
        person.unsubscribed = c["email_address"].value("permission_to_send", "") == "unsubscribed";
        person.deleted = c.contains("deleted_at");
      }
      target = page.body.contains("_links") ? page.body["_links"]["next"]["href"].get<std::string>() : "";
      if (target.rfind("/v3/", 0) != 0 && !target.empty()) target = target.substr(target.find("/v3/"));
    }
    return out;
  }
  std::map<std::string, Person> tableSide() {
    if (ccB()) return ccSide(connection_b_);
    std::map<std::string, Person> out;
    if (csv()) {
      const std::vector<CsvRow> rows = readCsv();
      if (rows.empty()) return out;
      const CsvRow& header = rows[0];
      auto at = [&](const CsvRow& row, const std::string& name) {
        const size_t i = columnOf(header, name);
        return i < row.size() ? row[i] : std::string();
      };
      for (size_t i = 1; i < rows.size(); ++i) {
        Person& person = out[toLower(at(rows[i], "email"))];
        ++person.copies;
        person.name = at(rows[i], "full_name");
        const std::string flag = toLower(at(rows[i], "unsubscribed"));
        person.unsubscribed = flag == "1" || flag == "true";
        person.deleted = !at(rows[i], "deleted_at").empty();
      }
      return out;
    }
    storage::Statement q(*db_,
                         "SELECT lower(email), full_name, unsubscribed, deleted_at IS NOT NULL FROM users");
    while (q.step()) {
      Person& person = out[q.columnText(0)];
      ++person.copies;
      person.name = q.columnText(1);
      person.unsubscribed = q.columnInt(2) != 0;
      person.deleted = q.columnInt(3) != 0;
    }
    return out;
  }

  // Lost, duplicated and differing people; empty when the sides agree.
  std::vector<std::string> differences() {
    auto cc = ccSide();
    auto table = tableSide();
    std::vector<std::string> out;
    for (const auto& email : expected_) {
      auto a = cc.find(email);
      auto b = table.find(email);
      if (a == cc.end() || b == table.end()) {
        out.push_back(email + ": lost on " + (a == cc.end() ? "CC" : "the table"));
        continue;
      }
      if (a->second.copies != 1 || b->second.copies != 1) out.push_back(email + ": duplicated");
      if (a->second.deleted != b->second.deleted) out.push_back(email + ": deletion");
      if (a->second.deleted || b->second.deleted) continue;
      if (a->second.name != b->second.name)
        out.push_back(email + ": " + a->second.name + " / " + b->second.name);
      if (a->second.unsubscribed != b->second.unsubscribed) out.push_back(email + ": consent");
    }
    if (cc.size() != expected_.size()) out.push_back("CC holds " + std::to_string(cc.size()) + " people");
    if (table.size() != expected_.size()) out.push_back("the table holds " + std::to_string(table.size()));
    return out;
  }

  TempDir dir_{"liaison-sync-kill"};
  std::string data_ = dir_.file("hub");
  std::unique_ptr<http::HttpClient> http_;
  std::unique_ptr<ChildProcess> sandbox_, hub_process_;
  std::unique_ptr<ScopedEnv> env_;
  std::string cc_, key_, hub_, connection_, connection_b_, list_, list_b_, sync_, table_;
  int hubs_started_ = 0;
  std::unique_ptr<storage::Database> db_;
  std::set<std::string> expected_;
  unsigned randomSeed() const {
    const int side = csv() ? 40 : ccB() ? 60 : 20;
    return static_cast<unsigned>(std::get<1>(GetParam()) + side + kSeedOffset * 1000);
  }
  std::mt19937 random_{randomSeed()};
};

TEST_P(SyncKillTest, KilledRunsResumeWithoutLossOrDuplicates) {
  std::map<std::string, int> killed_in;
  std::chrono::milliseconds last_run{1500 * std::max(1, kPeople / 10000)};  // a first guess
  const int points = fromEnv("SYNC_KILL_POINTS", kPoints);
  for (int point = 0; point < points; ++point) {
    SCOPED_TRACE("point " + std::to_string(point));
    if (point > 0) {
      ASSERT_NO_FATAL_FAILURE(edit(point));
    }
    const std::string doomed = startRun();
    ASSERT_FALSE(doomed.empty());
    // Anywhere in the run, and every other point in its second half, where the writes are.
    std::uniform_int_distribution<int64_t> delay(point % 2 ? last_run.count() / 2 : 0, last_run.count());
    std::this_thread::sleep_for(std::chrono::milliseconds(delay(random_)));
    hub_process_->stop(SIGKILL);
    ASSERT_NO_FATAL_FAILURE(startHub());

    const auto started = std::chrono::steady_clock::now();
    const json finished = waitRun(startRun());
    last_run =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    ASSERT_EQ(finished.value("state", ""), "finished") << finished.dump();
    const json killed = api("GET", "/api/v1/syncs/" + sync_ + "/runs/" + doomed).body;
    ++killed_in[killed.value("state", "") == "finished"
                    ? "after_it_ended"
                    : killed["progress"].value("phase", "before_reading")];
    const auto diff = differences();
    EXPECT_TRUE(diff.empty()) << diff.size() << " differences, e.g. " << diff.front();

    const json quiet = waitRun(startRun());
    ASSERT_EQ(quiet.value("state", ""), "finished") << quiet.dump();
    for (const char* side : {"a", "b"}) {
      for (const char* kind : {"created", "updated", "deleted", "unsubscribed", "failed"}) {
        EXPECT_EQ(quiet["report"]["counts"][side].value(kind, -1), 0) << side << " " << kind;
      }
    }
  }
  for (const auto& [phase, count] : killed_in) {
    std::printf("[ figure   ] sync_kill.killed_while_%s = %d\n", phase.c_str(), count);
  }
  std::printf("[ figure   ] sync_kill.points = %d\n", points);
  std::printf("[ figure   ] sync_kill.people = %d\n", kPeople);
}

std::string caseName(const ::testing::TestParamInfo<KillCase>& info) {
  return std::get<0>(info.param) + "_" + std::to_string(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(Table, SyncKillTest,
                         ::testing::Combine(::testing::Values("sql"), ::testing::Range(0, kTableCases)),
                         caseName);
INSTANTIATE_TEST_SUITE_P(Csv, SyncKillTest,
                         ::testing::Combine(::testing::Values("csv"), ::testing::Range(0, kCsvCases)),
                         caseName);
INSTANTIATE_TEST_SUITE_P(CcToCc, SyncKillTest,
                         ::testing::Combine(::testing::Values("cc"), ::testing::Range(0, kCcCases)),
                         caseName);

}  // namespace
}  // namespace liaison::testing
