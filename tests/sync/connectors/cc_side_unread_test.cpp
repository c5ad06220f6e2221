// Field updates of contacts the run did not read (after an incremental read): imported from
// their agreed state through the update list, never bringing back a deleted contact or putting
// one on a list it left.
#include "sync/connectors/cc_side_fixture.h"

namespace liaison::testing {
namespace {

constexpr const char* kUpdateList = "Liaison sync updates";

// What the links agreed for a contact the run did not read.
Record agreedRecord(const std::string& id, Fields text) {
  Record r;
  r.id = id;
  r.partial = true;
  r.text = std::move(text);
  return r;
}

class CcSideUnreadTest : public CcSideTest {
 protected:
  // Eight contacts on list A; returns their ids.
  std::vector<std::string> seedEight(const std::string& list) {
    std::vector<std::string> ids;
    for (int i = 0; i < 8; ++i) {
      ids.push_back(
          create("u" + std::to_string(i) + "@example.com",
                 {{"first_name", "Old"}, {"job_title", "Cook"}, {"list_memberships", {list}}})["contact_id"]);
    }
    return ids;
  }
  std::vector<Record> agreedOf(const std::vector<std::string>& ids) {
    std::vector<Record> out;
    for (size_t i = 0; i < ids.size(); ++i) {
      out.push_back(agreedRecord(ids[i], {{"email", "u" + std::to_string(i) + "@example.com"},
                                          {"first_name", "Old"},
                                          {"job_title", "Cook"}}));
    }
    return out;
  }
  static std::vector<std::string> listsOf(const json& contact) {
    return contact.value("list_memberships", std::vector<std::string>{});
  }
};

TEST_F(CcSideUnreadTest, FieldUpdatesAreImportedWithoutReadingEveryContact) {
  const std::string a = makeList("A");
  const auto ids = seedEight(a);
  // Since the sync's last read: u0 left list A, u1 was deleted. Neither moves updated_at.
  bulk("remove_list_memberships", {{"source", {{"contact_ids", {ids[0]}}}}, {"list_ids", {a}}});
  ASSERT_EQ(call("DELETE", "/v3/contacts/" + ids[1]).status, 204);
  auto side = open(ListFilter{false, {"A"}});
  ASSERT_TRUE(side);
  std::vector<Write> writes;
  for (size_t i = 0; i < ids.size(); ++i)
    writes.push_back(update(ids[i], {{"first_name", "New" + std::to_string(i)}}));
  std::string since = mark();
  auto result = side->apply(writes, agreedOf(ids));
  ASSERT_TRUE(result.ok()) << result.error().message;
  auto ops = seen(since);
  EXPECT_EQ(ops["getContact"], 0) << "no contact read one by one";
  EXPECT_EQ(ops["getContacts"], 1) << "one page of the deleted contacts, no page of every contact";
  EXPECT_EQ(ops["bulkImportContactsJSON"], 1);
  EXPECT_EQ(ops["putContact"], 0);
  EXPECT_EQ(ops["postListRemoveContact"], 0) << "the update list is left to the next complete read";
  // The deleted contact is not written (an import would bring it back), and says why.
  ASSERT_EQ(result->failed.size(), 1u) << failures(*result);
  EXPECT_EQ(result->failed[0].first, 1u);
  EXPECT_NE(result->failed[0].second.find("deleted"), std::string::npos);
  auto deleted = call("GET", "/v3/contacts?status=deleted&limit=50");
  EXPECT_NE(deleted.body.find(ids[1]), std::string::npos) << "still deleted";
  // Every other contact has its new name; the lists are as they were (u0 stays off A) but for
  // the update list.
  const std::string updates = side->catalogue().listId(kUpdateList);
  ASSERT_FALSE(updates.empty());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i == 1) continue;
    json c = contact(ids[i]);
    EXPECT_EQ(c["first_name"], "New" + std::to_string(i));
    EXPECT_EQ(c["job_title"], "Cook") << "a field the write left alone";
    std::vector<std::string> lists = {updates};
    if (i != 0) lists.insert(lists.begin(), a);
    auto held = listsOf(c);
    std::sort(held.begin(), held.end());
    std::sort(lists.begin(), lists.end());
    EXPECT_EQ(held, lists) << i;
  }
  // The calls beyond the fewest: further polls of the import.
  EXPECT_EQ(result->calls - result->fewest_calls, ops["getActivity"] - 1);

  // A complete read sees the members, never shows the list, and empties it with one call.
  since = mark();
  auto read = side->readAll();
  ASSERT_TRUE(read.ok()) << read.error().message;
  for (const auto& r : read->records) EXPECT_EQ(r.sets.at("lists").count(kUpdateList), 0u) << r.id;
  ops = seen(since);
  EXPECT_EQ(ops["postListRemoveContact"], 1);
  EXPECT_EQ(ops["total"], ops["getContacts"] + 1);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i == 1) continue;
    EXPECT_EQ(listsOf(contact(ids[i])), i == 0 ? std::vector<std::string>{} : std::vector<std::string>{a})
        << i;
  }
  // With the list empty, the next complete read makes no such call.
  since = mark();
  ASSERT_TRUE(side->readAll().ok());
  EXPECT_EQ(seen(since)["postListRemoveContact"], 0);
}

TEST_F(CcSideUnreadTest, ReadsNeverShowTheUpdateList) {
  const std::string a = makeList("A");
  const std::string updates = makeList(kUpdateList);
  const auto ids = seedEight(a);
  // A run that stopped between its import and emptying the list leaves members on it.
  bulk("add_list_memberships", {{"source", {{"contact_ids", {ids[2], ids[3]}}}}, {"list_ids", {updates}}});
  auto side = open();
  ASSERT_TRUE(side);
  auto read = side->readAll();
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->records.size(), 8u);
  for (const auto& r : read->records) EXPECT_EQ(r.sets.at("lists"), Items{"A"}) << r.id;
  // ... and a sync cannot filter by it.
  CcSideOptions options;
  options.filter = ListFilter{false, {kUpdateList}};
  auto refused = CcSide::open(
      *caller_, sandbox_->clock(), [](std::chrono::milliseconds) {}, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().key, "sync.cc_filter_update_list");
}

TEST_F(CcSideUnreadTest, WhatTheAgreedStateCannotTellIsReadWhole) {
  const std::string a = makeList("A");
  const auto ids = seedEight(a);
  auto side = open(ListFilter{false, {"A"}});
  ASSERT_TRUE(side);
  const auto agreed = agreedOf(ids);
  // A cleared field (a PUT of the whole contact), a list joined (consent), an email change:
  // each read one by one (three are fewer calls than a page of every contact).
  std::vector<Write> writes = {update(ids[0], {{"job_title", ""}}),
                               update(ids[1], {{"email", "moved@example.com"}})};
  writes.push_back(update(ids[2], {}));
  writes.back().add["lists"] = {"B"};
  std::string since = mark();
  auto result = side->apply(writes, agreed);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result->failed.empty()) << failures(*result);
  auto ops = seen(since);
  EXPECT_GE(ops["getContact"], 3);
  EXPECT_EQ(ops["bulkImportContactsJSON"], 0);
  EXPECT_FALSE(contact(ids[0]).contains("job_title"));
  EXPECT_EQ(contact(ids[0])["first_name"], "Old") << "the PUT kept what it did not change";
  EXPECT_EQ(contact(ids[1])["email_address"]["address"], "moved@example.com");
  EXPECT_EQ(listsOf(contact(ids[2])).size(), 2u) << "A, and B joined";
  // Two field updates are fewer calls read one by one than swept for: no update list.
  since = mark();
  result =
      side->apply({update(ids[3], {{"first_name", "X"}}), update(ids[4], {{"first_name", "Y"}})}, agreed);
  ASSERT_TRUE(result.ok());
  ops = seen(since);
  EXPECT_EQ(ops["getContact"], 2);
  EXPECT_EQ(ops["postListRemoveContact"], 0);
  EXPECT_EQ(contact(ids[3])["first_name"], "X");
  EXPECT_EQ(listsOf(contact(ids[3])), std::vector<std::string>{a});
}

}  // namespace
}  // namespace liaison::testing
