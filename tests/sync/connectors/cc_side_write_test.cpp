// The CC side's writes against an in-process sandbox: each kind of write carried with CC's
// cheapest call, counted against what the sandbox's journal saw.
#include "cc_side_fixture.h"

namespace liaison::testing {
namespace {

TEST_F(CcSideTest, AThousandCreatesTakeOneImportAndTwoReadBackPages) {
  setQuirks({{"activity_progress", {{"seconds", 5}}}});  // the import reports processing for 5 s
  auto side = open();
  ASSERT_TRUE(side);
  std::vector<Write> writes;
  for (int i = 0; i < 1000; ++i) {
    const std::string n = std::to_string(i);
    writes.push_back(newContact({{"email", "new" + n + "@example.com"},
                                 {"first_name", "New " + n},
                                 {"birthday", "--12-0" + std::to_string(1 + i % 9)},
                                 {"phone:mobile", "555-01" + n},
                                 {"address:work.city", "Town " + n}},
                                {}, i % 10 == 0 ? Items{"fresh"} : Items{}));
  }
  const std::string since = mark();
  const int64_t calls_before = side->calls();
  auto result = side->apply(writes, {});
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result->failed.empty()) << failures(*result);
  ASSERT_EQ(result->created.size(), 1000u);

  auto ops = seen(since);
  EXPECT_EQ(ops["createList"], 1);  // "Liaison sync": where new contacts land when the sync takes all
  EXPECT_EQ(ops["postTag"], 1);
  EXPECT_LE(ops["bulkImportContactsJSON"], 3);
  EXPECT_EQ(ops["bulkImportContactsJSON"], 1);
  EXPECT_EQ(ops["getContacts"], 2);        // ⌈1000/500⌉ read-back pages, no GET per contact
  EXPECT_FALSE(result->own_window) << "1,000 rows are read back for fewer calls than a count saves";
  EXPECT_EQ(ops["postTagAddContact"], 1);  // 100 new contacts tagged in one activity
  EXPECT_EQ(ops["getContact"], 0);
  EXPECT_GE(ops["getActivity"], 2);
  EXPECT_EQ(ops["total"], 4 + 2 + ops["getActivity"]);
  EXPECT_EQ(result->calls, ops["total"]);
  EXPECT_EQ(side->calls() - calls_before, ops["total"]);
  // The list, the tag, the import and one poll, two pages of new ids, the tagging and one poll:
  // the polls beyond one (the import said "processing" for 5 s) are the only calls above it.
  EXPECT_EQ(result->fewest_calls, 8);
  EXPECT_EQ(result->calls - result->fewest_calls, ops["getActivity"] - 2);
  // Polling backs off: 1 s, 2 s, 4 s ... through the injected wait.
  ASSERT_GE(waits_.size(), 2u);
  EXPECT_EQ(waits_[0], std::chrono::milliseconds(1000));
  EXPECT_EQ(waits_[1], std::chrono::milliseconds(2000));

  auto read = side->readAll();
  ASSERT_TRUE(read.ok());
  // The import list is the engine's own where the sync takes every contact: a read leaves it out,
  // and a side that filters by it sees every new contact on it.
  auto landed = open(ListFilter{false, {"Liaison sync"}});
  ASSERT_TRUE(landed);
  auto in_list = landed->readAll();
  ASSERT_TRUE(in_list.ok());
  EXPECT_EQ(in_list->records.size(), 1000u);
  for (const auto& [index, id] : result->created) {
    const Record* r = byEmail(*read, writes[index].values.at("email"));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->id, id);
    EXPECT_EQ(r->field("first_name"), writes[index].values.at("first_name"));
    EXPECT_EQ(r->field("birthday"), writes[index].values.at("birthday"));
    EXPECT_EQ(r->field("phone:mobile"), writes[index].values.at("phone:mobile"));
    EXPECT_EQ(r->field("address:work.city"), writes[index].values.at("address:work.city"));
    EXPECT_EQ(r->sets.at("lists"), Items{});
    const Record* on_list = byEmail(*in_list, writes[index].values.at("email"));
    ASSERT_NE(on_list, nullptr);
    EXPECT_EQ(on_list->sets.at("lists"), Items{"Liaison sync"});
    EXPECT_EQ(r->sets.at("tags"), index % 10 == 0 ? Items{"fresh"} : Items{});
  }
}

TEST_F(CcSideTest, ImportsSplitByRowsAndBytes) {
  const std::string members = makeList("Members");
  CcSideOptions options;
  options.import_rows_max = 300;
  auto by_rows = open(ListFilter{false, {"Members"}}, options);
  ASSERT_TRUE(by_rows);
  std::vector<Write> writes;
  for (int i = 0; i < 1000; ++i)
    writes.push_back(newContact({{"email", "r" + std::to_string(i) + "@example.com"}}));
  std::string since = mark();
  auto result = by_rows->apply(writes, {});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->created.size(), 1000u);
  EXPECT_EQ(seen(since)["bulkImportContactsJSON"], 4);

  options.import_rows_max = 40000;
  options.import_bytes_max = 8000;  // rows of ~30 bytes: about 270 a request
  auto by_bytes = open(ListFilter{false, {members}}, options);
  ASSERT_TRUE(by_bytes);
  writes.clear();
  // The planner adds the filter's lists to each new contact, here by id: it is the same list.
  for (int i = 0; i < 1000; ++i) {
    writes.push_back(newContact({{"email", "b" + std::to_string(i) + "@example.com"}}, {members}));
  }
  caller_->import_bytes.clear();
  since = mark();
  result = by_bytes->apply(writes, {});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->created.size(), 1000u);
  auto ops = seen(since);
  EXPECT_EQ(ops["bulkImportContactsJSON"], 4);
  EXPECT_EQ(ops["createList"], 0);
  ASSERT_EQ(caller_->import_bytes.size(), 4u);
  size_t total = 0;
  for (size_t bytes : caller_->import_bytes) {
    EXPECT_LT(bytes, 8000u);
    total += bytes;
  }
  // Every request but the last is full: the next row would not have fitted.
  EXPECT_GT(total - caller_->import_bytes.back(), 3 * (8000u - 30));
  auto read = by_bytes->readAll();
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->records.size(), 2000u);  // all in Members, the filter's list
  for (const auto& r : read->records) EXPECT_EQ(r.sets.at("lists"), Items{"Members"});
}

TEST_F(CcSideTest, AnUpdateNeverPutsAContactBackOnAListItLeft) {
  const std::string a = makeList("A"), b = makeList("B");
  auto ann = create("ann@example.com", {{"first_name", "Ann"}, {"list_memberships", {a, b}}});
  auto bob = create("bob@example.com", {{"first_name", "Bob"}, {"list_memberships", {b}}});
  auto cat = create("cat@example.com", {{"first_name", "Cat"}, {"list_memberships", {a}}});
  // Ann leaves B, Bob leaves every list.
  bulk("remove_list_memberships",
       {{"source", {{"contact_ids", {ann["contact_id"], bob["contact_id"]}}}}, {"list_ids", {b}}});
  auto side = open();
  ASSERT_TRUE(side);
  auto read = side->readAll();
  ASSERT_TRUE(read.ok());
  Write cat_update = update(cat["contact_id"], {{"first_name", "Catherine"}});
  cat_update.add["lists"] = {"C"};
  const std::vector<Write> writes = {update(ann["contact_id"], {{"first_name", "Annie"}}),
                                     update(bob["contact_id"], {{"first_name", "Bobby"}}), cat_update};
  const std::string since = mark();
  auto result = side->apply(writes, read->records);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result->failed.empty()) << failures(*result);
  auto ops = seen(since);
  EXPECT_EQ(ops["bulkImportContactsJSON"], 1);  // Ann and Cat, into A (which both are in)
  EXPECT_EQ(ops["putContact"], 1);              // Bob is in no list: an import would add him to one
  EXPECT_EQ(ops["createList"], 1);
  EXPECT_EQ(ops["postListAddContact"], 1);  // Cat joins C
  EXPECT_EQ(result->calls, ops["total"]);

  read = side->readAll();
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(byEmail(*read, "ann@example.com")->field("first_name"), "Annie");
  EXPECT_EQ(byEmail(*read, "ann@example.com")->sets.at("lists"), Items{"A"});
  EXPECT_EQ(byEmail(*read, "bob@example.com")->field("first_name"), "Bobby");
  EXPECT_TRUE(byEmail(*read, "bob@example.com")->sets.at("lists").empty());
  EXPECT_EQ(byEmail(*read, "cat@example.com")->field("first_name"), "Catherine");
  EXPECT_EQ(byEmail(*read, "cat@example.com")->sets.at("lists"), (Items{"A", "C"}));
}

TEST_F(CcSideTest, ClearingAFieldOrChangingTheAddressUsesPutAndKeepsTheRest) {
  const std::string a = makeList("A");
  const std::string vip = makeTag("vip");
  auto field = jsonOf(call("POST", "/v3/contact_custom_fields", {{"label", "Size"}, {"type", "string"}}));
  auto ann = create(
      "ann@example.com",
      {{"first_name", "Ann"},
       {"job_title", "Baker"},
       {"birthday_month", 3},
       {"birthday_day", 7},
       {"phone_numbers",
        {{{"phone_number", "555-0100"}, {"kind", "home"}}, {{"phone_number", "555-0102"}, {"kind", "work"}}}},
       {"street_addresses", {{{"kind", "home"}, {"city", "Shelbyville"}, {"street", "2 Elm"}}}},
       {"custom_fields", {{{"custom_field_id", field["custom_field_id"]}, {"value", "M"}}}},
       {"list_memberships", {a}},
       {"taggings", {vip}}});
  auto bob = create("bob@example.com", {{"first_name", "Bob"}, {"list_memberships", {a}}});
  auto side = open();
  ASSERT_TRUE(side);
  auto before = side->readAll();
  ASSERT_TRUE(before.ok());
  const std::string since = mark();
  auto result = side->apply({update(ann["contact_id"], {{"job_title", ""}, {"phone:work", ""}}),
                             update(bob["contact_id"], {{"email", "robert@example.com"}})},
                            before->records);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->failed.empty()) << failures(*result);
  auto ops = seen(since);
  EXPECT_EQ(ops["putContact"], 2);
  EXPECT_EQ(ops["bulkImportContactsJSON"], 0);
  EXPECT_EQ(ops["getContact"], 2) << "each PUT starts from the contact as CC has it now";
  EXPECT_EQ(ops["total"], 4);

  auto after = side->readAll();
  ASSERT_TRUE(after.ok());
  Record expected = *byEmail(*before, "ann@example.com");
  expected.text.erase("job_title");
  expected.text.erase("phone:work");
  const Record* now = byEmail(*after, "ann@example.com");
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(now->text, expected.text);
  EXPECT_EQ(now->sets, expected.sets);
  const Record* robert = byEmail(*after, "robert@example.com");
  ASSERT_NE(robert, nullptr);
  EXPECT_EQ(robert->id, bob["contact_id"]);
  EXPECT_EQ(robert->field("first_name"), "Bob");
  EXPECT_EQ(robert->sets.at("lists"), Items{"A"});
}

TEST_F(CcSideTest, UnsubscribesWithPutAndDeletesWithOneBulkActivity) {
  const std::string a = makeList("A");
  auto ann = create("ann@example.com", {{"first_name", "Ann"}, {"list_memberships", {a}}});
  std::vector<json> doomed;
  for (int i = 0; i < 3; ++i) doomed.push_back(create("gone" + std::to_string(i) + "@example.com"));
  auto side = open();
  ASSERT_TRUE(side);
  auto read = side->readAll();
  ASSERT_TRUE(read.ok());
  Write unsubscribe = ofKind(Write::Kind::Unsubscribe, ann["contact_id"]);
  unsubscribe.values["last_name"] = "Lee";
  std::vector<Write> writes = {unsubscribe};
  for (const auto& c : doomed) writes.push_back(ofKind(Write::Kind::Delete, c["contact_id"]));
  const std::string since = mark();
  auto result = side->apply(writes, read->records);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->failed.empty()) << failures(*result);
  auto ops = seen(since);
  EXPECT_EQ(ops["putContact"], 1);
  EXPECT_EQ(ops["postContactDelete"], 1);
  EXPECT_EQ(result->calls, ops["total"]);

  auto stored = contact(ann["contact_id"]);
  EXPECT_EQ(stored["email_address"]["permission_to_send"], "unsubscribed");
  EXPECT_EQ(stored["email_address"]["opt_out_source"], "Account");
  EXPECT_TRUE(!stored["email_address"].contains("opt_out_reason") ||
              stored["email_address"]["opt_out_reason"].is_null());
  read = side->readAll();
  ASSERT_TRUE(read.ok());
  const Record* a_now = byEmail(*read, "ann@example.com");
  EXPECT_TRUE(a_now->unsubscribed);
  EXPECT_EQ(a_now->field("first_name"), "Ann");
  EXPECT_EQ(a_now->field("last_name"), "Lee");
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(byEmail(*read, "gone" + std::to_string(i) + "@example.com")->deleted);
}

TEST_F(CcSideTest, AnUnsubscribedContactIsNeverAddedToAList) {
  makeList("Leads");
  auto ann = create("ann@example.com");
  auto bob = create("bob@example.com");
  auto cat = create("cat@example.com");
  unsubscribe(ann["contact_id"], "ann@example.com");
  auto side = open();
  ASSERT_TRUE(side);
  auto read = side->readAll();
  ASSERT_TRUE(read.ok());
  Write to_ann = ofKind(Write::Kind::Update, ann["contact_id"]);
  to_ann.add["lists"] = {"Leads"};
  Write to_bob = ofKind(Write::Kind::Unsubscribe, bob["contact_id"]);  // being unsubscribed now
  to_bob.add["lists"] = {"Leads"};
  Write to_cat = ofKind(Write::Kind::Update, cat["contact_id"]);
  to_cat.add["lists"] = {"Leads"};
  const std::string since = mark();
  auto result = side->apply({to_ann, to_bob, to_cat}, read->records);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(failedIndex(*result, 0)) << failures(*result);
  EXPECT_TRUE(failedIndex(*result, 1)) << failures(*result);
  EXPECT_FALSE(failedIndex(*result, 2)) << failures(*result);
  EXPECT_EQ(seen(since)["postListAddContact"], 1);  // Cat's alone
  read = side->readAll();
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(byEmail(*read, "ann@example.com")->sets.at("lists").empty());
  EXPECT_TRUE(byEmail(*read, "bob@example.com")->sets.at("lists").empty());
  EXPECT_TRUE(byEmail(*read, "bob@example.com")->unsubscribed);
  EXPECT_EQ(byEmail(*read, "cat@example.com")->sets.at("lists"), Items{"Leads"});
}

TEST_F(CcSideTest, ListAndTagChangesGoInActivitiesOf500Contacts) {
  const std::string a = makeList("A");
  json rows = json::array();
  for (int i = 0; i < 600; ++i) rows.push_back({{"email", "m" + std::to_string(i) + "@example.com"}});
  importRows(rows, {a});
  auto side = open();
  ASSERT_TRUE(side);
  auto read = side->readAll();
  ASSERT_TRUE(read.ok());
  std::vector<Write> writes;
  for (const auto& r : read->records) {
    Write w = ofKind(Write::Kind::Update, r.id);
    w.add["tags"] = {"vip"};  // not a tag yet: made first
    w.remove["lists"] = {"A"};
    writes.push_back(w);
  }
  std::string since = mark();
  auto result = side->apply(writes, read->records);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->failed.empty()) << failures(*result);
  auto ops = seen(since);
  EXPECT_EQ(ops["postTag"], 1);
  EXPECT_EQ(ops["postTagAddContact"], 2);
  EXPECT_EQ(ops["postListRemoveContact"], 2);
  EXPECT_EQ(ops["putContact"] + ops["bulkImportContactsJSON"] + ops["getContact"] + ops["getContacts"], 0);
  EXPECT_EQ(result->calls, ops["total"]);
  read = side->readAll();
  ASSERT_TRUE(read.ok());
  for (const auto& r : read->records) {
    EXPECT_EQ(r.sets.at("tags"), Items{"vip"});
    EXPECT_TRUE(r.sets.at("lists").empty());
  }

  for (auto& w : writes) {
    w.add.clear();
    w.remove = {{"tags", {"vip"}}};
  }
  since = mark();
  result = side->apply(writes, read->records);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(seen(since)["postTagRemoveContact"], 2);
  read = side->readAll();
  ASSERT_TRUE(read.ok());
  for (const auto& r : read->records) EXPECT_TRUE(r.sets.at("tags").empty());
}

TEST_F(CcSideTest, ContactsMissingFromCurrentAreReadBeforeTheyAreWritten) {
  const std::string a = makeList("A");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(create("p" + std::to_string(i) + "@example.com",
                         {{"first_name", "P"}, {"list_memberships", {a}}})["contact_id"]);
  }
  auto side = open();
  ASSERT_TRUE(side);
  // Two: one GET each.
  std::string since = mark();
  auto result =
      side->apply({update(ids[0], {{"first_name", "Q"}}), update(ids[1], {{"last_name", "R"}})}, {});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->failed.empty()) << failures(*result);
  auto ops = seen(since);
  EXPECT_EQ(ops["getContact"], 2);
  EXPECT_EQ(ops["bulkImportContactsJSON"], 1);
  EXPECT_EQ(ops["putContact"], 0);
  EXPECT_EQ(result->fewest_calls, 3)
      << "the import, one poll, and a page of deleted contacts: the GETs are not in it";
  EXPECT_EQ(ops["getContacts"], 1) << "the deleted contacts, read before an import that could revive one";
  EXPECT_GE(result->calls, result->fewest_calls + 2);
  // Five: a page of every contact is fewer calls than a GET each.
  std::vector<Write> writes;
  for (const auto& id : ids) writes.push_back(update(id, {{"job_title", ""}, {"company_name", "Acme"}}));
  since = mark();
  result = side->apply(writes, {});
  ASSERT_TRUE(result.ok());
  ops = seen(since);
  EXPECT_EQ(ops["getContact"], 0);
  EXPECT_EQ(ops["getContacts"], 3);  // the count, the one page, the deleted contacts
  EXPECT_EQ(ops["putContact"], 0);   // clearing an empty job title is no change: an import does it
  EXPECT_EQ(ops["bulkImportContactsJSON"], 1);
  auto read = side->readAll();
  ASSERT_TRUE(read.ok());
  const Record* p0 = byEmail(*read, "p0@example.com");
  EXPECT_EQ(p0->field("first_name"), "Q");
  EXPECT_EQ(p0->field("company_name"), "Acme");
  EXPECT_EQ(p0->sets.at("lists"), Items{"A"});
  EXPECT_EQ(byEmail(*read, "p1@example.com")->field("last_name"), "R");
}

}  // namespace
}  // namespace liaison::testing
