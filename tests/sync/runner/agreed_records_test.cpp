// addAgreedRecords: the partial records a run passes to the CC side for contacts it writes to
// without having read them.
#include "sync/runner/agreed_records.h"

#include <gtest/gtest.h>

namespace liaison::sync {
namespace {

Write updateOf(const std::string& id) {
  Write w;
  w.id = id;
  w.values = {{"first_name", "New"}};
  return w;
}

Link linkOf(const std::string& a_id) {
  Link link{a_id, "row-" + a_id};
  link.agreed = {
      {"email", a_id + "@example.com"}, {"first_name", "Old"}, {"job_title", ""}, {"lists", "A,B"}};
  return link;
}

TEST(AgreedRecordsTest, UnreadContactsWrittenToGetTheirAgreedFields) {
  SideRead read;
  read.records.push_back(Record{"c1", {{"email", "c1@example.com"}}});
  Link unsubscribed = linkOf("c3");
  unsubscribed.a_unsubscribed = true;
  Write create;
  create.kind = Write::Kind::Create;
  addAgreedRecords({updateOf("c1"), updateOf("c2"), updateOf("c3"), updateOf("c9"), create},
                   {linkOf("c1"), linkOf("c2"), unsubscribed, linkOf("c4")}, read);
  ASSERT_EQ(read.records.size(), 3u) << "c1 was read, c4 is not written, c9 has no link";
  EXPECT_FALSE(read.records[0].partial);
  const Record& c2 = read.records[1];
  EXPECT_EQ(c2.id, "c2");
  EXPECT_TRUE(c2.partial);
  EXPECT_EQ(c2.text, (Fields{{"email", "c2@example.com"}, {"first_name", "Old"}}))
      << "set fields and empty values are left out";
  EXPECT_TRUE(c2.sets.empty());
  EXPECT_FALSE(c2.unsubscribed);
  EXPECT_TRUE(read.records[2].unsubscribed);
}

TEST(AgreedRecordsTest, ACompleteReadGetsNothing) {
  SideRead read;
  read.complete = true;
  addAgreedRecords({updateOf("c2")}, {linkOf("c2")}, read);
  EXPECT_TRUE(read.records.empty());
}

TEST(AgreedRecordsTest, OnlyTheRecordsAWriteNamesAreKeptForTheWrites) {
  SideRead read;
  for (const char* id : {"c1", "c2", "c3", "c4"})
    read.records.push_back(Record{id, {{"email", std::string(id) + "@x"}}});
  Write create;
  create.kind = Write::Kind::Create;
  create.values = {{"email", "c2@x"}};  // a create names no record, whatever its values
  Write unsubscribe = updateOf("c4");
  unsubscribe.kind = Write::Kind::Unsubscribe;
  keepWrittenRecords({updateOf("c3"), create, unsubscribe, updateOf("c9")}, read);
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_EQ(read.records[0].id, "c3");
  EXPECT_EQ(read.records[1].id, "c4");
  EXPECT_EQ(read.records[1].field("email"), "c4@x") << "kept whole";
  keepWrittenRecords({}, read);
  EXPECT_TRUE(read.records.empty());
}

}  // namespace
}  // namespace liaison::sync
