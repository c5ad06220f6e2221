// A sync between a real hub's CC connection (the sandbox's demo account, through the hub's
// token, budget and proxy machinery) and an app's SQLite table: what a person does with it, end
// to end: a first run both ways, a name edit, an unsubscribe and a delete in the app, an edit in
// CC, all carried across, and a truncated table held instead of deleting everyone.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "hub_sync_fixture.h"

namespace liaison::testing {
namespace {

using HubSyncTest = HubSyncFixture;

TEST_F(HubSyncTest, CarriesEditsUnsubscribesAndDeletesBothWaysAndHoldsATruncatedTable) {
  json first = run();
  ASSERT_EQ(first["state"], "finished") << first.dump();
  const int64_t demo_contacts = first["counts"]["a"]["read"];
  EXPECT_GT(demo_contacts, 100);
  EXPECT_EQ(first["counts"]["a"]["created"], 2) << "Ada and Grace; Alan opted out in the app";
  EXPECT_GT(first["counts"]["b"]["created"], 100);
  json grace = contactByEmail("grace@app.example");
  EXPECT_EQ(grace["first_name"], "Grace Brewster");
  EXPECT_EQ(grace["last_name"], "Hopper");
  EXPECT_TRUE(contactByEmail("alan@app.example").is_null());

  json quiet = run();
  EXPECT_EQ(quiet["counts"]["a"]["updated"], 0) << quiet.dump();
  EXPECT_EQ(quiet["counts"]["b"]["updated"], 0) << quiet.dump();
  EXPECT_EQ(quiet["counts"]["a"]["created"], 0);
  EXPECT_EQ(quiet["cc_calls"], 2)
      << "changed and opted-out contacts; the lists and fields read an hour ago still serve";
  EXPECT_EQ(quiet["cc_calls_minimum"], 2) << "a quiet run is at the floor";
  EXPECT_GE(first["cc_calls"].get<int64_t>(), first["cc_calls_minimum"].get<int64_t>());
  EXPECT_GT(first["cc_calls_minimum"].get<int64_t>(), 3) << first.dump();

  // In the app: a new last name, an unsubscribe, a deleted row.
  app_db_->exec("UPDATE users SET full_name = 'Grace Brewster Murray' WHERE email = 'grace@app.example'");
  app_db_->exec("UPDATE users SET unsubscribed = 1 WHERE email = 'ada@app.example'");
  std::string gone, edited;
  {
    storage::Statement pick(
        *app_db_, "SELECT email FROM users WHERE email NOT LIKE '%@app.example' ORDER BY id LIMIT 2");
    ASSERT_TRUE(pick.step());
    gone = pick.columnText(0);
    ASSERT_TRUE(pick.step());
    edited = pick.columnText(0);
  }
  app_db_->exec("DELETE FROM users WHERE email = '" + gone + "'");
  // In CC: a new first name.
  json cc_contact = contactByEmail(edited);
  json put = {{"email_address", {{"address", edited}}},
              {"first_name", "Renamed"},
              {"last_name", cc_contact.value("last_name", "")},
              {"update_source", "Account"}};
  ASSERT_EQ(
      proxy("PUT", "/proxy/v3/contacts/" + cc_contact["contact_id"].get<std::string>(), connection_, put)
          .status,
      200);

  json second = run();
  ASSERT_EQ(second["state"], "finished") << second.dump();
  grace = contactByEmail("grace@app.example");
  EXPECT_EQ(grace["first_name"], "Grace Brewster") << "only the part that changed is rewritten";
  EXPECT_EQ(grace["last_name"], "Murray");
  EXPECT_EQ(contactByEmail("ada@app.example")["email_address"]["permission_to_send"], "unsubscribed");
  EXPECT_TRUE(contactByEmail(gone).contains("deleted_at")) << contactByEmail(gone).dump();
  EXPECT_EQ(column(edited, "full_name").rfind("Renamed ", 0), 0u) << column(edited, "full_name");
  EXPECT_EQ(column(gone, "full_name"), "<no row>") << "a deleted row is not recreated";

  json settled = run();
  EXPECT_EQ(settled["counts"]["a"]["updated"], 0) << settled.dump();
  EXPECT_EQ(settled["counts"]["b"]["updated"], 0) << settled.dump();

  // The table is truncated: nothing is deleted in CC until a person approves.
  const int64_t before = rows();
  app_db_->exec("DELETE FROM users");
  json held = run();
  EXPECT_EQ(held["state"], "held") << held.dump();
  EXPECT_FALSE(contactByEmail("grace@app.example").contains("deleted_at"));
  EXPECT_GT(before, 100);
}

TEST_F(HubSyncTest, ACsvFileIsWrittenAndReadBack) {
  const auto file = dir_.path() / "contacts.csv";
  auto parsed = sync::parseDefinition(json{{"name", "CSV"},
                                           {"a", {{"type", "cc"}, {"connection_id", connection_}}},
                                           {"b", {{"type", "csv"}, {"path", file.string()}}}});
  ASSERT_TRUE(std::holds_alternative<sync::SyncDefinition>(parsed));
  auto created = parts().sync_store->create("hub-app", std::get<sync::SyncDefinition>(parsed));
  ASSERT_TRUE(created.ok());
  sync_id_ = created->id;
  json first = run();
  ASSERT_EQ(first["state"], "finished") << first.dump();
  EXPECT_GT(first["counts"]["b"]["created"], 100);
  std::string text;
  {
    std::ifstream in(file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_EQ(text.rfind("email,first_name,last_name", 0), 0u) << "[" << text.substr(0, 300) << "]";
  // A person edits a row's last name in the file.
  const auto line_start = text.find("\r\n") + 2;
  const auto first_comma = text.find(',', line_start);
  const std::string email = text.substr(line_start, first_comma - line_start);
  const auto second_comma = text.find(',', first_comma + 1);
  const auto third_comma = text.find(',', second_comma + 1);
  text.replace(second_comma + 1, third_comma - second_comma - 1, "Edited");
  {
    std::ofstream out(file, std::ios::trunc);
    out << text;
  }
  json second = run();
  ASSERT_EQ(second["state"], "finished") << second.dump();
  EXPECT_EQ(contactByEmail(email)["last_name"], "Edited");
  json quiet = run();
  EXPECT_EQ(quiet["counts"]["a"]["updated"], 0) << quiet.dump();
  EXPECT_EQ(quiet["counts"]["b"]["updated"], 0) << quiet.dump();
}

// T23: a file that reads as fewer or no contacts (cut short, another delimiter, another
// encoding) deletes nothing in CC: the run is held (or fails on the mapping) until a person acts.
TEST_F(HubSyncTest, T23AHalfWrittenOrMisreadCsvDeletesNothing) {
  const auto file = dir_.path() / "contacts.csv";
  auto parsed = sync::parseDefinition(
      json{{"name", "CSV"},
           {"a", {{"type", "cc"}, {"connection_id", connection_}}},
           {"b", {{"type", "csv"}, {"path", file.string()}, {"delimiter", ","}, {"encoding", "utf-8"}}},
           {"deletions", {{"from_b", "soft_delete"}}},
           {"unsubscribes", {{"column", "unsubscribed"}}}});
  ASSERT_TRUE(std::holds_alternative<sync::SyncDefinition>(parsed));
  auto created = parts().sync_store->create("hub-app", std::get<sync::SyncDefinition>(parsed));
  ASSERT_TRUE(created.ok());
  sync_id_ = created->id;
  ASSERT_EQ(run()["state"], "finished");
  std::string whole;
  {
    std::ifstream in(file, std::ios::binary);
    whole.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
  };
  auto live = [&] {
    int64_t n = 0;
    for (const auto& c : allContacts()) n += c.contains("deleted_at") ? 0 : 1;
    return n;
  };
  const int64_t live_before = live();
  ASSERT_GT(live_before, 100);

  // Cut short: the header and the first 40 rows (a copy that stopped half-way).
  size_t cut = 0;
  for (int line = 0; line < 41; ++line) cut = whole.find("\r\n", cut) + 2;
  write(whole.substr(0, cut));
  json half = run();
  EXPECT_EQ(half["state"], "held") << half.dump().substr(0, 400);
  EXPECT_EQ(live(), live_before);

  // Semicolons where the sync says commas: one column, no "email".
  std::string semicolons = whole;
  std::replace(semicolons.begin(), semicolons.end(), ',', ';');
  write(semicolons);
  json other_delimiter = run();
  EXPECT_NE(other_delimiter["state"], "finished") << other_delimiter.dump().substr(0, 400);
  EXPECT_EQ(live(), live_before);

  // UTF-16 where the sync says UTF-8: nothing reads as an address.
  std::string utf16 = "\xff\xfe";
  for (char c : whole) utf16 += std::string{c, '\0'};
  write(utf16);
  json other_encoding = run();
  EXPECT_NE(other_encoding["state"], "finished") << other_encoding.dump().substr(0, 400);
  EXPECT_EQ(live(), live_before);

  // The whole file again: nothing to do, nothing was lost on the way.
  write(whole);
  json back = run();
  EXPECT_EQ(back["state"], "finished") << back.dump().substr(0, 400);
  EXPECT_EQ(back["counts"]["a"]["deleted"], 0);
  EXPECT_EQ(live(), live_before);
}

}  // namespace
}  // namespace liaison::testing
