// T27 (reliability-bar.md), incremental-read correctness: a sync reads CC from its cursor (the
// previous run's read start) less a 300 s overlap, and completely once a day. Against CC's worst
// case (an unsubscribe or a delete leaves updated_at alone) and another client editing CC at
// awkward moments (in the read's own second, between two pages of a read, with CC's clock 5 s off
// the hub's, 40 days after the last run), every CC contact ends up equal to its table row on the
// mapped fields (name, unsubscribe, deletion), and a quiet run afterwards writes nothing.
#include <gtest/gtest.h>

#include <map>

#include "hub_sync_fixture.h"
#include "sync/mapping/names.h"

namespace liaison::testing {
namespace {

using std::chrono::hours;
using ::testing::PrintToString;

class HubSyncIncrementalTest : public HubSyncFixture {
 protected:
  void SetUp() override {
    HubSyncFixture::SetUp();
    // CC's worst case: only a complete read sees a deletion, only optout_after an unsubscribe.
    ASSERT_EQ(sandboxCall("PUT", "/__sandbox/accounts/a07e1sandbox01/quirks",
                          {{"unsubscribe_updates_updated_at", false},
                           {"delete_updates_updated_at", false},
                           {"import_readds_left_lists", true}})
                  .status,
              200);
  }

  // A call straight to CC with the hub's own access token, as another client of the account
  // would make it: it takes no room in the hub's budget and moves no clock, so an edit lands at
  // exactly the moment the test chose.
  Answer cc(const std::string& method, const std::string& target, const json& body = nullptr) {
    for (int attempt = 0;; ++attempt) {
      http::Request request;
      request.method = method;
      request.target = target;
      request.remote_address = "127.0.0.1";
      request.headers.set("Authorization", bearer());
      if (!body.is_null()) {
        request.body = body.dump();
        request.headers.set("Content-Type", "application/json");
      }
      auto response = sandbox_->handle(request);
      if (response.status == 401 && attempt == 0) {  // expired: a proxied call has the hub renew it
        proxy("GET", "/proxy/v3/contact_lists?limit=1", connection_);
        continue;
      }
      return {response.status, json::parse(response.body, nullptr, false), response};
    }
  }
  std::string bearer() {
    for (auto it = http_->exchanges.rbegin(); it != http_->exchanges.rend(); ++it) {
      if (it->url.find("/v3/") != std::string::npos) return it->headers.get("Authorization").value_or("");
    }
    return "";
  }
  // Every contact of the account, deleted ones too, in CC's page order (the order a read walks).
  std::vector<json> ccContacts() {
    std::vector<json> out;
    std::string target = "/v3/contacts?status=all&limit=500";
    while (!target.empty()) {
      auto page = cc("GET", target);
      EXPECT_EQ(page.status, 200) << page.body.dump();
      if (page.status != 200) break;
      for (const auto& c : page.body["contacts"]) out.push_back(c);
      target = page.body.contains("_links") ? page.body["_links"]["next"]["href"].get<std::string>() : "";
    }
    return out;
  }
  static std::string emailOf(const json& c) {
    return toLower(c["email_address"]["address"].get<std::string>());
  }

  struct Row {
    std::string full_name, deleted_at;
    bool unsubscribed = false;
  };
  std::map<std::string, Row> table() {
    std::map<std::string, Row> out;
    storage::Statement q(
        *app_db_,
        "SELECT lower(email), COALESCE(full_name, ''), unsubscribed, COALESCE(deleted_at, '')"
        " FROM users");
    while (q.step()) out[q.columnText(0)] = {q.columnText(1), q.columnText(3), q.columnInt(2) != 0};
    return out;
  }
  // The CC changes the table lacks: each CC contact against its row on the mapped fields.
  std::vector<std::string> missed() {
    auto rows = table();
    std::vector<std::string> out;
    for (const auto& c : ccContacts()) {
      const std::string email = emailOf(c);
      const bool deleted = c.contains("deleted_at");
      auto row = rows.find(email);
      if (row == rows.end()) {
        if (!deleted) out.push_back(email + ": no row");  // a deleted CC contact is not brought over
        continue;
      }
      if (deleted != !row->second.deleted_at.empty()) out.push_back(email + ": deletion");
      if (deleted) continue;
      const std::string name = sync::joinName({c.value("first_name", ""), c.value("last_name", "")});
      if (name != row->second.full_name)
        out.push_back(email + ": name " + name + " / " + row->second.full_name);
      const bool unsubscribed = c["email_address"].value("permission_to_send", "") == "unsubscribed";
      if (unsubscribed != row->second.unsubscribed) out.push_back(email + ": unsubscribe");
    }
    return out;
  }
  // Subscribed, live contacts with a row, in page order: the ones a test edits.
  std::vector<json> live() {
    auto rows = table();
    std::vector<json> out;
    for (const auto& c : ccContacts()) {
      const bool subscribed = c["email_address"].value("permission_to_send", "") != "unsubscribed";
      if (!c.contains("deleted_at") && subscribed && rows.count(emailOf(c))) out.push_back(c);
    }
    return out;
  }

  // A PUT replaces the contact's top-level fields: each edit starts from CC's current copy.
  json current(const json& c) { return cc("GET", "/v3/contacts/" + c["contact_id"].get<std::string>()).body; }
  void put(const json& c, const json& email, const std::string& first, const char* source) {
    json now = current(c);
    json body = {{"email_address", email},
                 {"first_name", first.empty() ? now.value("first_name", "") : first},
                 {"last_name", now.value("last_name", "")},
                 {"update_source", source}};
    auto answer = cc("PUT", "/v3/contacts/" + c["contact_id"].get<std::string>(), body);
    EXPECT_EQ(answer.status, 200) << answer.body.dump();
  }
  void rename(const json& c, const std::string& first) {
    put(c, {{"address", c["email_address"]["address"]}}, first, "Account");
  }
  void unsubscribe(const json& c) {
    put(c, {{"address", c["email_address"]["address"]}, {"permission_to_send", "unsubscribed"}}, "",
        "Contact");
  }
  void remove(const json& c) {
    EXPECT_EQ(cc("DELETE", "/v3/contacts/" + c["contact_id"].get<std::string>()).status, 204);
  }
  TimePoint updatedAt(const json& c) {
    TimePoint at;
    EXPECT_TRUE(parseIso8601(current(c).value("updated_at", ""), at));
    return at;
  }

  // Runs each `change` right after CC answered that page (1st, 2nd, ...) of the next run's
  // GET /v3/contacts: another client editing while the hub walks the pages.
  void duringPages(std::map<int, std::function<void()>> changes) {
    auto pages = std::make_shared<int>(0);
    http_->after_sandbox_call = [pages, changes = std::move(changes)](const http::ClientRequest& r) {
      if (r.method != "GET" || !r.url.starts_with(std::string(kSandboxOrigin) + "/v3/contacts?")) return;
      if (auto change = changes.find(++*pages); change != changes.end()) change->second();
    };
  }
  sync::StoredSync stored() { return *parts().sync_store->get("hub-app", sync_id_); }
  // A run, and whether it read CC completely.
  json runNoting(bool& complete) {
    const TimePoint full_before = stored().last_full_at;
    json report = run();
    http_->after_sandbox_call = nullptr;
    complete = stored().last_full_at != full_before;
    EXPECT_EQ(report["state"], "finished") << report.dump();
    return report;
  }
  // The account synced and settled: the first (complete) run leaves nothing missed.
  void settle() {
    bool complete = false;
    runNoting(complete);
    ASSERT_TRUE(complete);
    ASSERT_TRUE(missed().empty()) << PrintToString(missed());
    expectQuiet();
  }
  void expectQuiet() {
    json quiet = run();
    ASSERT_EQ(quiet["state"], "finished") << quiet.dump();
    for (const char* side : {"a", "b"}) {
      for (const char* kind : {"created", "updated", "deleted", "unsubscribed"}) {
        EXPECT_EQ(quiet["counts"][side][kind], 0) << side << " " << kind << ": " << quiet["counts"].dump();
      }
    }
  }
};

TEST_F(HubSyncIncrementalTest, SameSecondUpdatesAroundTheReadStartAreAllCarried) {
  settle();
  auto contacts = live();
  ASSERT_GE(contacts.size(), 100u);
  // 40 edits in the very millisecond the next run reads from, 40 more in that millisecond once
  // CC answered the run's first page (too late for it), 10 of the first ones edited again.
  for (size_t i = 0; i < 40; ++i) rename(contacts[i], "Before" + std::to_string(i));
  duringPages({{1, [&] {
                  for (size_t i = 40; i < 80; ++i) rename(contacts[i], "During" + std::to_string(i));
                  for (size_t i = 0; i < 10; ++i) rename(contacts[i], "Again" + std::to_string(i));
                }}});
  bool complete = true;
  runNoting(complete);
  EXPECT_FALSE(complete);
  const size_t after_one = missed().size();
  EXPECT_EQ(after_one, 50u) << "the run read before the 50 late edits";
  // The late edits carry the cursor's own second: a read from the cursor without the overlap
  // would rely on CC's updated_after being exact to the millisecond.
  EXPECT_LT(std::chrono::abs(updatedAt(contacts[40]) - stored().a_cursor), std::chrono::seconds(1));
  runNoting(complete);
  EXPECT_FALSE(complete);
  EXPECT_TRUE(missed().empty()) << PrintToString(missed());
  expectQuiet();
  RecordProperty("missed_after_1_cycle", static_cast<int>(after_one));
  RecordProperty("missed_after_2_cycles", static_cast<int>(missed().size()));
}

TEST_F(HubSyncIncrementalTest, ChangesBetweenThePagesOfALongReadReachTheTableByTheNextRun) {
  // 600 app users: CC gets them, and a read of the account takes two pages of 500.
  for (int i = 0; i < 600; ++i) {
    app_db_->exec("INSERT INTO users (email, full_name) VALUES ('bulk" + std::to_string(i) +
                  "@app.example', 'Bulk " + std::to_string(i) + "')");
  }
  settle();
  auto contacts = live();
  ASSERT_GT(contacts.size(), 600u);
  const size_t last = contacts.size() - 1;

  // The daily complete read: CC changes contacts on the page already read and on the next one.
  clock_.advance(hours(24));
  duringPages({{1, [&] {
                  rename(contacts[0], "Read-already");
                  unsubscribe(contacts[1]);
                  rename(contacts[last], "Not-yet-read");
                }}});
  bool complete = false;
  runNoting(complete);
  ASSERT_TRUE(complete);
  const size_t missed_by_complete = missed().size();
  EXPECT_EQ(missed_by_complete, 2u) << PrintToString(missed());  // the last one was read after its edit
  runNoting(complete);
  EXPECT_TRUE(missed().empty()) << PrintToString(missed());
  expectQuiet();

  // An incremental read two pages long (every app user renamed in CC), edited while it walks.
  contacts = live();
  for (size_t i = 0; i < contacts.size(); ++i) {
    if (emailOf(contacts[i]).starts_with("bulk")) rename(contacts[i], "Renamed" + std::to_string(i));
  }
  size_t bulk = 0;
  while (!emailOf(contacts[bulk]).starts_with("bulk")) ++bulk;
  duringPages({{1, [&] {
                  rename(contacts[bulk], "Twice");  // on the page already read
                  unsubscribe(contacts[bulk + 1]);
                  rename(contacts[2], "Untouched-until-now");  // not in this read at all
                  rename(contacts[last - 1], "Page-two");      // on the page still to read
                }}});
  json long_read = runNoting(complete);
  EXPECT_FALSE(complete);
  EXPECT_GT(long_read["counts"]["a"]["read"].get<int>(), 500) << "two pages";
  // The unsubscribe came in with the same run's optout_after pass, read after the edits.
  EXPECT_EQ(missed().size(), 2u) << PrintToString(missed());
  EXPECT_EQ(column(emailOf(contacts[bulk + 1]), "unsubscribed"), "1");
  runNoting(complete);
  EXPECT_TRUE(missed().empty()) << PrintToString(missed());
  expectQuiet();
  RecordProperty("missed_by_the_walk_itself", static_cast<int>(missed_by_complete));
  RecordProperty("missed_after_2_cycles", static_cast<int>(missed().size()));
}

TEST_F(HubSyncIncrementalTest, ClockSkewOfFiveSecondsEitherWayLosesNoEdit) {
  for (auto skew : {std::chrono::seconds(-5), std::chrono::seconds(5)}) {
    SCOPED_TRACE(skew.count());
    sandbox_->clock().setOffset(skew);  // CC's time: the hub's, 5 s behind or ahead
    if (skew.count() < 0) settle();
    auto contacts = live();
    // Just before a run, between its two passes (updated_after, then optout_after) and after its
    // last page: CC stamps each with its own time, up to 5 s before the hub's read start.
    const size_t base = skew.count() < 0 ? 0 : 20;
    for (size_t i = base; i < base + 5; ++i) rename(contacts[i], "Before");
    duringPages({{1,
                  [&] {
                    for (size_t i = base + 5; i < base + 10; ++i) rename(contacts[i], "Between");
                  }},
                 {2, [&] {
                    for (size_t i = base + 10; i < base + 15; ++i) rename(contacts[i], "After");
                    unsubscribe(contacts[base + 15]);
                  }}});
    bool complete = true;
    runNoting(complete);
    EXPECT_FALSE(complete);
    EXPECT_EQ(missed().size(), 11u) << PrintToString(missed());
    if (skew.count() < 0) {
      // Stamped before the cursor: only the overlap brings them into the next read.
      EXPECT_LT(updatedAt(contacts[base + 10]), stored().a_cursor);
    }
    runNoting(complete);
    EXPECT_TRUE(missed().empty()) << PrintToString(missed());
    expectQuiet();
  }
  RecordProperty("missed_after_2_cycles", static_cast<int>(missed().size()));
}

TEST_F(HubSyncIncrementalTest, UnsubscribesComeNextRunAndDeletionsWithTheDailyCompleteRead) {
  // One contact is deleted in CC right after the complete read walked past it: the worst moment.
  const json doomed = ccContacts().front();
  ASSERT_FALSE(doomed.contains("deleted_at"));
  const std::string deleted_during = emailOf(doomed);
  duringPages({{1, [&] { remove(doomed); }}});
  bool complete = false;
  runNoting(complete);
  ASSERT_TRUE(complete);
  EXPECT_EQ(missed().size(), 1u) << PrintToString(missed());
  const TimePoint first_deletion = clock_.now();
  auto contacts = live();
  for (size_t i = 0; i < 3; ++i) unsubscribe(contacts[i]);
  for (size_t i = 3; i < 6; ++i) remove(contacts[i]);

  // The next (incremental) run carries the unsubscribes (optout_after); the deletions moved no
  // updated_at, so it cannot see them.
  runNoting(complete);
  EXPECT_FALSE(complete);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(column(emailOf(contacts[i]), "unsubscribed"), "1");
  EXPECT_EQ(missed().size(), 4u) << PrintToString(missed());
  EXPECT_EQ(column(emailOf(contacts[3]), "deleted_at"), "");

  // Hourly runs: the deletions wait for the daily complete read.
  int cycles = 1;
  for (; !missed().empty() && cycles < 30; ++cycles) {
    clock_.advance(hours(1));
    runNoting(complete);
    EXPECT_EQ(complete, missed().empty()) << "only a complete read carries a deletion";
  }
  EXPECT_TRUE(missed().empty()) << PrintToString(missed());
  EXPECT_NE(column(deleted_during, "deleted_at"), "");
  EXPECT_NE(column(emailOf(contacts[3]), "deleted_at"), "");
  const auto delay = std::chrono::duration_cast<std::chrono::minutes>(clock_.now() - first_deletion);
  EXPECT_LE(delay, hours(25)) << "full_read_every (24 h) plus one run's interval";
  expectQuiet();
  RecordProperty("deletion_delay_minutes", static_cast<int>(delay.count()));
  RecordProperty("cycles_until_0_missed", cycles);
}

TEST_F(HubSyncIncrementalTest, ACursorFortyDaysOldIsNeverSentAndTheRunConverges) {
  settle();
  auto contacts = live();
  // Runs stop for 40 days (paused, hub down) while CC changes.
  clock_.advance(hours(24));
  rename(contacts[0], "Day-one");
  clock_.advance(hours(24 * 19));
  unsubscribe(contacts[1]);
  clock_.advance(hours(24 * 19));
  remove(contacts[2]);
  clock_.advance(hours(23));
  rename(contacts[3], "Day-forty");
  auto created = cc("POST", "/v3/contacts",
                    {{"email_address", {{"address", "late@cc.example"}, {"permission_to_send", "implicit"}}},
                     {"first_name", "Late"},
                     {"last_name", "Comer"},
                     {"create_source", "Account"}});
  ASSERT_EQ(created.status, 201) << created.body.dump();
  const size_t calls_before = http_->exchanges.size();
  bool complete = false;
  runNoting(complete);
  EXPECT_TRUE(complete) << "a read 40 days back would exceed what CC keeps";
  for (size_t i = calls_before; i < http_->exchanges.size(); ++i) {
    EXPECT_EQ(http_->exchanges[i].url.find("_after="), std::string::npos) << http_->exchanges[i].url;
  }
  EXPECT_TRUE(missed().empty()) << PrintToString(missed());
  EXPECT_EQ(column("late@cc.example", "full_name"), "Late Comer");
  expectQuiet();
  RecordProperty("missed_after_1_cycle", static_cast<int>(missed().size()));
}

// A PUT (here an unsubscribe from the app) starts from the contact as CC has it just before the
// write, not the copy the run read: a rename made in CC meanwhile is kept, and a contact deleted
// meanwhile is not written (a PUT would revive it).
TEST_F(HubSyncIncrementalTest, APutKeepsCcChangesMadeDuringTheRun) {
  settle();
  auto contacts = live();
  const json x = contacts[0], z = contacts[2];
  app_db_->exec("UPDATE users SET unsubscribed = 1 WHERE lower(email) IN ('" + emailOf(x) + "', '" +
                emailOf(z) + "')");
  clock_.advance(hours(24));  // a complete read: every write starts from the copy read
  duringPages({{1, [&] {
                  rename(x, "Concurrent");
                  remove(z);
                }}});
  bool complete = false;
  for (int i = 0; i < 2; ++i) runNoting(complete);
  EXPECT_EQ(current(x).value("first_name", ""), "Concurrent") << "undone by the unsubscribe's PUT";
  EXPECT_EQ(current(x)["email_address"]["permission_to_send"], "unsubscribed");
  EXPECT_TRUE(current(z).contains("deleted_at")) << "revived by the unsubscribe's PUT";
}

// An import carries the fields it names for contacts read at the run's start, and CC's import
// revives a deleted contact: the account's deleted contacts are read just before the import, so
// one deleted between the read and the import is not written.
TEST_F(HubSyncIncrementalTest, AnImportDoesNotReviveAContactDeletedDuringTheRun) {
  settle();
  auto contacts = live();
  const json y = contacts[1];
  app_db_->exec("UPDATE users SET full_name = 'Changed Name' WHERE lower(email) = '" + emailOf(y) + "'");
  clock_.advance(hours(24));
  duringPages({{1, [&] { remove(y); }}});
  bool complete = false;
  for (int i = 0; i < 2; ++i) runNoting(complete);
  EXPECT_TRUE(current(y).contains("deleted_at")) << "revived by the name's import";
}

// After an incremental read, the table's changes to contacts CC did not list (they did not
// change there) are imported from the links' agreed state: no contact is read one by one and no
// page of every contact is walked. A contact deleted in CC since the last read (which moved no
// updated_at) is not revived, and no contact joins a list it was not on.
TEST_F(HubSyncIncrementalTest, TableChangesToUnreadContactsAreImportedWithoutReadingEveryContact) {
  settle();
  auto contacts = live();
  ASSERT_GE(contacts.size(), 6u);
  std::map<std::string, json> lists_before;
  for (const auto& c : contacts)
    lists_before[emailOf(c)] = current(c).value("list_memberships", json::array());
  for (size_t i = 0; i < 6; ++i) {
    app_db_->exec("UPDATE users SET full_name = 'Renamed" + std::to_string(i) +
                  " Person' WHERE lower(email) = '" + emailOf(contacts[i]) + "'");
  }
  remove(contacts[5]);
  const size_t calls_before = http_->exchanges.size();
  bool complete = false;
  json report = runNoting(complete);
  ASSERT_FALSE(complete);
  int deleted_pages = 0;
  for (size_t i = calls_before; i < http_->exchanges.size(); ++i) {
    const std::string& url = http_->exchanges[i].url;
    if (url.find("/v3/contacts") == std::string::npos || url.find("/v3/contacts_") != std::string::npos)
      continue;
    EXPECT_EQ(url.find("/v3/contacts/"), std::string::npos) << "a contact read one by one: " << url;
    const bool filtered =
        url.find("_after=") != std::string::npos || url.find("status=deleted") != std::string::npos;
    EXPECT_TRUE(filtered) << "a page of every contact: " << url;
    deleted_pages += url.find("status=deleted") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(deleted_pages, 1);
  EXPECT_EQ(report["counts"]["a"]["failed"], 1) << report.dump();
  for (size_t i = 0; i < 5; ++i) {
    json now = current(contacts[i]);
    EXPECT_EQ(now.value("first_name", ""), "Renamed" + std::to_string(i));
    EXPECT_EQ(now.value("list_memberships", json::array()), lists_before[emailOf(contacts[i])])
        << emailOf(contacts[i]);
  }
  EXPECT_TRUE(current(contacts[5]).contains("deleted_at")) << "revived by the import";
  // The daily complete read carries the deletion to the table, and then all is quiet.
  clock_.advance(hours(24));
  runNoting(complete);
  ASSERT_TRUE(complete);
  EXPECT_NE(column(emailOf(contacts[5]), "deleted_at"), "");
  EXPECT_TRUE(missed().empty()) << PrintToString(missed());
  expectQuiet();
}

}  // namespace
}  // namespace liaison::testing
