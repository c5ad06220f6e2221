// An import is worked out under the shared lock (reads go on meanwhile) and applied under the
// exclusive one. A write that lands in between must make it start over: never two contacts with
// one address, never a membership in a list that is gone.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/random.h"
#include "sandbox/contacts/contact_store.h"
#include "support/seeded_random.h"

namespace liaison::sandbox {
namespace {

using nlohmann::json;

class ImportPlanTest : public ::testing::Test {
 protected:
  json importOf(const std::vector<std::string>& emails, const std::string& list) {
    json rows = json::array();
    for (const auto& email : emails) rows.push_back({{"email", email}});
    return {{"import_data", rows}, {"list_ids", {list}}};
  }
  size_t withEmail(const std::string& email) {
    Params query;
    query.add("email", email);
    query.add("status", "all");
    return json::parse(*store_.listContacts("acct", query))["contacts"].size();
  }
  ManualClock clock_{fromUnixSeconds(1'800'000'000)};
  liaison::testing::TestRandom seeded_;  // seed named on failure; LIAISON_TEST_SEED replays it
  RandomSource& random_ = seeded_.random();
  ContactStore store_{clock_, random_, nullptr};
};

TEST_F(ImportPlanTest, AWriteBetweenPlanAndApplyMakesTheImportStartOver) {
  const std::string list = (*store_.createList("acct", {{"name", "Bakers"}}))["list_id"];
  ASSERT_TRUE(store_.createContact("acct", {{"email_address", {{"address", "first@x.co"}}}, {"create_source", "Account"}}));
  // While the import is being applied, someone else creates one of its addresses.
  std::string late_id;
  store_.onImportPlanned([&] {
    store_.onImportPlanned(nullptr);
    auto late = store_.createContact("acct", {{"email_address", {{"address", "late@x.co"}}}, {"create_source", "Account"}});
    ASSERT_TRUE(late);
    late_id = (*late)["contact_id"];
  });
  ASSERT_TRUE(store_.importContacts("acct", importOf({"new@x.co", "late@x.co"}, list)));
  EXPECT_EQ(withEmail("late@x.co"), 1u);
  ASSERT_TRUE(store_.getContact("acct", late_id, {})) << "the import overwrote the contact created meanwhile";
  EXPECT_EQ((*store_.getContact("acct", late_id, {}))["email_address"]["address"], "late@x.co");
  EXPECT_EQ(store_.countContacts("acct")["total"], 3);
  // The late contact got the import's list, as an existing contact does.
  Params query;
  query.add("lists", list);
  EXPECT_EQ(json::parse(*store_.listContacts("acct", query))["contacts"].size(), 2u);
}

TEST_F(ImportPlanTest, AListDeletedBetweenPlanAndApplyFailsTheImport) {
  const std::string list = (*store_.createList("acct", {{"name", "Doomed"}}))["list_id"];
  ASSERT_TRUE(store_.createContact("acct", {{"email_address", {{"address", "first@x.co"}}}, {"create_source", "Account"}}));
  store_.onImportPlanned([&] {
    store_.onImportPlanned(nullptr);
    ASSERT_TRUE(store_.deleteList("acct", list));
  });
  auto result = store_.importContacts("acct", importOf({"new@x.co"}, list));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::InvalidRequest);
  EXPECT_EQ(store_.countContacts("acct")["total"], 1);
}

TEST_F(ImportPlanTest, WithoutInterferenceThePlanIsAppliedAsWorkedOut) {
  const std::string list = (*store_.createList("acct", {{"name", "Calm"}}))["list_id"];
  int planned = 0;
  store_.onImportPlanned([&] { ++planned; });
  ASSERT_TRUE(store_.importContacts("acct", importOf({"a@x.co", "b@x.co", "A@X.CO"}, list)));
  EXPECT_EQ(planned, 1);
  EXPECT_EQ(store_.countContacts("acct")["total"], 2);  // the same address twice is one contact
}

}  // namespace
}  // namespace liaison::sandbox
