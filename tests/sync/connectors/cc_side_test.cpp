// The CC side's reads against an in-process sandbox: every field kind, paging, list filters,
// incremental reads. Writes: cc_side_write_test.cpp.
#include "cc_side_fixture.h"

namespace liaison::testing {
namespace {

TEST_F(CcSideTest, OpenReadsTheCatalogueAndRefusesAFilterListTheAccountLacks) {
  makeList("Customers");
  auto field =
      jsonOf(call("POST", "/v3/contact_custom_fields", {{"label", "Shoe Size"}, {"type", "number"}}));
  const std::string since = mark();
  auto side = open();
  ASSERT_TRUE(side);
  ASSERT_EQ(side->customFields().size(), 1u);
  EXPECT_EQ(side->customFields()[0].name, "Shoe_Size");
  EXPECT_EQ(side->customFields()[0].type, "number");
  auto ops = seen(since);
  EXPECT_EQ(ops["getLists"], 1);
  EXPECT_EQ(ops["getTags"], 1);
  EXPECT_EQ(ops["getCustomFields"], 1);
  EXPECT_EQ(ops["total"], 3);
  EXPECT_EQ(side->calls(), 3);
  EXPECT_EQ(side->fewestCalls(), 3) << "each page of the catalogue is needed";

  auto missing = CcSide::open(
      *caller_, sandbox_->clock(), [](std::chrono::milliseconds) {},
      CcSideOptions{ListFilter{false, {"Nobody's list"}}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().key, "sync.cc_list_missing");
}

TEST_F(CcSideTest, ReadAllMapsEveryFieldKindAndDrainsEveryPage) {
  const std::string customers = makeList("Customers");
  const std::string vip = makeTag("vip");
  auto field =
      jsonOf(call("POST", "/v3/contact_custom_fields", {{"label", "Shoe Size"}, {"type", "string"}}));
  json rows = json::array();
  for (int i = 0; i < 1200; ++i) {
    rows.push_back({{"email", "bulk" + std::to_string(i) + "@example.com"}, {"first_name", "Bulk"}});
  }
  importRows(rows, {customers});
  auto ann = create("ann@example.com",
                    {{"first_name", "Ann"},
                     {"last_name", "Lee"},
                     {"job_title", "Baker"},
                     {"company_name", "Lee's Loaves"},
                     {"birthday_month", 3},
                     {"birthday_day", 7},
                     {"anniversary", "11/5/2006"},
                     {"phone_numbers",
                      {{{"phone_number", "+1 555 0100"}, {"kind", "home"}},
                       {{"phone_number", "555-0101"}, {"kind", "mobile"}},
                       {{"phone_number", "555 0102"}, {"kind", "work"}}}},
                     {"street_addresses",
                      {{{"kind", "work"},
                        {"street", "1 Main St"},
                        {"city", "Springfield"},
                        {"state", "IL"},
                        {"postal_code", "62701"},
                        {"country", "US"}},
                       {{"kind", "home"}, {"city", "Shelbyville"}}}},
                     {"custom_fields", {{{"custom_field_id", field["custom_field_id"]}, {"value", "42"}}}},
                     {"list_memberships", {customers}},
                     {"taggings", {vip}}});
  auto bob = create("bob@example.com", {{"first_name", "Bob"}, {"list_memberships", {customers}}});
  ASSERT_EQ(call("DELETE", "/v3/contacts/" + bob["contact_id"].get<std::string>()).status, 204);
  auto cy = create("cy@example.com", {{"list_memberships", {customers}}});
  advance(60);
  unsubscribe(cy["contact_id"], "cy@example.com");
  const int64_t opted_out_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(sandbox_->clock().now().time_since_epoch())
          .count();

  auto side = open();
  ASSERT_TRUE(side);
  const std::string since = mark();
  auto read = side->readAll();
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_TRUE(read->complete);
  EXPECT_EQ(read->records.size(), 1203u);    // status=all: the deleted contact too
  EXPECT_EQ(seen(since)["getContacts"], 3);  // 1,203 contacts, 500 a page
  EXPECT_EQ(side->calls(), 6);
  EXPECT_EQ(side->fewestCalls(), 6);

  const Record* a = byEmail(*read, "ann@example.com");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->id, ann["contact_id"]);
  const Fields expected = {{"email", "ann@example.com"},
                           {"first_name", "Ann"},
                           {"last_name", "Lee"},
                           {"job_title", "Baker"},
                           {"company_name", "Lee's Loaves"},
                           {"birthday", "--03-07"},
                           {"anniversary", "2006-11-05"},
                           {"phone:home", "+1 555 0100"},
                           {"phone:mobile", "555-0101"},
                           {"phone:work", "555 0102"},
                           {"address:work.street", "1 Main St"},
                           {"address:work.city", "Springfield"},
                           {"address:work.state", "IL"},
                           {"address:work.postal_code", "62701"},
                           {"address:work.country", "US"},
                           {"address:home.city", "Shelbyville"},
                           {"cf:Shoe_Size", "42"}};
  EXPECT_EQ(a->text, expected);
  EXPECT_EQ(a->sets.at("lists"), Items{"Customers"});
  EXPECT_EQ(a->sets.at("tags"), Items{"vip"});
  EXPECT_FALSE(a->deleted);
  EXPECT_FALSE(a->unsubscribed);
  EXPECT_EQ(a->changed_at_ms, msOf(ann["updated_at"]));

  const Record* b = byEmail(*read, "bob@example.com");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->deleted);
  EXPECT_TRUE(b->sets.at("lists").empty());  // a deleted contact loses its lists
  const Record* c = byEmail(*read, "cy@example.com");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->unsubscribed);
  EXPECT_FALSE(c->deleted);
  EXPECT_EQ(c->changed_at_ms, opted_out_ms);  // the opt-out, though updated_at stayed
  const Record* bulk = byEmail(*read, "bulk1199@example.com");
  ASSERT_NE(bulk, nullptr);
  EXPECT_EQ(bulk->field("first_name"), "Bulk");
  EXPECT_EQ(bulk->sets.at("lists"), Items{"Customers"});
}

TEST_F(CcSideTest, FiltersByListNameOrIdAndHoldsNames) {
  const std::string members = makeList("Members");
  const std::string leads = makeList("Leads");
  auto ann = create("ann@example.com", {{"list_memberships", {members}}});
  auto ben = create("ben@example.com", {{"list_memberships", {leads}}});
  auto cat = create("cat@example.com", {{"list_memberships", {members, leads}}});
  create("dan@example.com");

  auto by_name = open(ListFilter{false, {"Members"}});
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->scopeLists(), std::vector<std::string>{"Members"});
  auto read = by_name->readAll();
  ASSERT_TRUE(read.ok());
  std::set<std::string> ids;
  for (const auto& r : read->records) ids.insert(r.id);
  EXPECT_EQ(ids, (std::set<std::string>{ann["contact_id"], cat["contact_id"]}));
  EXPECT_EQ(byEmail(*read, "cat@example.com")->sets.at("lists"), (Items{"Leads", "Members"}));

  auto by_id = open(ListFilter{false, {leads}});
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->scopeLists(), std::vector<std::string>{"Leads"});
  read = by_id->readAll();
  ASSERT_TRUE(read.ok());
  ids.clear();
  for (const auto& r : read->records) ids.insert(r.id);
  EXPECT_EQ(ids, (std::set<std::string>{ben["contact_id"], cat["contact_id"]}));
  EXPECT_EQ(byEmail(*read, "ben@example.com")->sets.at("lists"), Items{"Leads"});
}

TEST_F(CcSideTest, ReadChangedSeesUnsubscribesThroughOptoutAfterAndDeletionsThroughStatusAll) {
  setQuirks({{"delete_updates_updated_at", true}});
  auto ann = create("ann@example.com");
  auto bob = create("bob@example.com");
  auto cat = create("cat@example.com");
  auto dan = create("dan@example.com", {{"first_name", "Dan"}});
  advance(3600);
  const TimePoint since = sandbox_->clock().now();
  advance(600);
  unsubscribe(bob["contact_id"], "bob@example.com");
  ASSERT_EQ(call("DELETE", "/v3/contacts/" + cat["contact_id"].get<std::string>()).status, 204);
  ASSERT_EQ(call("PUT", "/v3/contacts/" + dan["contact_id"].get<std::string>(),
                 {{"email_address", {{"address", "dan@example.com"}}},
                  {"first_name", "Daniel"},
                  {"update_source", "Account"}})
                .status,
            200);
  // What the second pass is for: updated_after alone does not show the unsubscribe.
  const std::string from = formatIso8601(since - std::chrono::seconds(300));
  auto updated = jsonOf(call("GET", "/v3/contacts?status=all&updated_after=" + from));
  for (const auto& c : updated["contacts"]) EXPECT_NE(c["contact_id"], bob["contact_id"]);

  auto side = open();
  ASSERT_TRUE(side);
  const std::string window = mark();
  auto read = side->readChanged(since);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_FALSE(read->complete);
  EXPECT_EQ(seen(window)["getContacts"], 2);  // updated_after, then optout_after
  std::set<std::string> ids;
  for (const auto& r : read->records) ids.insert(r.id);
  EXPECT_EQ(ids, (std::set<std::string>{bob["contact_id"], cat["contact_id"], dan["contact_id"]}));
  EXPECT_TRUE(byEmail(*read, "bob@example.com")->unsubscribed);
  EXPECT_TRUE(byEmail(*read, "cat@example.com")->deleted);
  EXPECT_EQ(byEmail(*read, "dan@example.com")->field("first_name"), "Daniel");
  EXPECT_EQ(byEmail(*read, "ann@example.com"), nullptr);
}

TEST_F(CcSideTest, AContactInBothPassesIsReadOnceInThePlaceItWasFirstSeen) {
  auto ann = create("ann@example.com", {{"first_name", "Ann"}});
  auto ben = create("ben@example.com", {{"first_name", "Ben"}});
  auto cat = create("cat@example.com");
  create("dan@example.com");
  advance(3600);
  const TimePoint since = sandbox_->clock().now();
  advance(600);
  for (const auto& [contact, name] : {std::pair{ann, "Anne"}, std::pair{ben, "Benny"}}) {
    ASSERT_EQ(call("PUT", "/v3/contacts/" + contact["contact_id"].get<std::string>(),
                   {{"email_address", {{"address", contact["email_address"]["address"]}}},
                    {"first_name", name},
                    {"update_source", "Account"}})
                  .status,
              200);
  }
  unsubscribe(cat["contact_id"], "cat@example.com");
  unsubscribe(ann["contact_id"], "ann@example.com");  // changed and unsubscribed: in both passes

  auto side = open();
  ASSERT_TRUE(side);
  auto read = side->readChanged(since);
  ASSERT_TRUE(read.ok()) << read.error().message;
  std::vector<std::string> emails;
  for (const auto& r : read->records) emails.push_back(r.field("email"));
  // The updated_after pass first (in CC's order), then what only the optout_after pass had.
  ASSERT_EQ(emails.size(), 3u);
  EXPECT_EQ(std::set<std::string>(emails.begin(), emails.begin() + 2),
            (std::set<std::string>{"ann@example.com", "ben@example.com"}));
  EXPECT_EQ(emails[2], "cat@example.com");
  EXPECT_TRUE(byEmail(*read, "ann@example.com")->unsubscribed);
  EXPECT_FALSE(byEmail(*read, "ben@example.com")->unsubscribed);
  EXPECT_EQ(byEmail(*read, "ben@example.com")->field("first_name"), "Benny");
}

TEST_F(CcSideTest, AListMadeAfterOpenIsReadByName) {
  auto side = open();
  ASSERT_TRUE(side);
  const std::string late = makeList("Late list");
  create("ann@example.com", {{"list_memberships", {late}}});
  auto read = side->readAll();
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(byEmail(*read, "ann@example.com")->sets.at("lists"), Items{"Late list"});
}

TEST_F(CcSideTest, AReadThatGetsNoAnswerIsAnError) {
  auto side = open();
  ASSERT_TRUE(side);
  caller_->fail_on = "GET";
  auto read = side->readAll();
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().key, "upstream.no_answer");
}

}  // namespace
}  // namespace liaison::testing
