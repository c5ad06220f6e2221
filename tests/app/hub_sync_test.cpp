// A sync between a real hub's CC connection (the sandbox's demo account, through the hub's
// token, budget and proxy machinery) and an app's SQLite table: what a person does with it, end
// to end: a first run both ways, a name edit, an unsubscribe and a delete in the app, an edit in
// CC, all carried across, and a truncated table held instead of deleting everyone.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace liaison::testing
