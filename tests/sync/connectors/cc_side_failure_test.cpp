// The CC side's failures against an in-process sandbox: refusals become failed writes, an
// import's row errors fail their own rows, an activity that never ends fails its writes, and a
// lost answer or a refused token ends the apply with an Error.
#include "cc_side_fixture.h"

namespace liaison::testing {
namespace {

TEST_F(CcSideTest, RefusalsAreFailuresAndALostAnswerIsAnError) {
  const std::string a = makeList("A");
  auto ann = create("ann@example.com", {{"list_memberships", {a}}});
  auto bob = create("bob@example.com", {{"list_memberships", {a}}});
  auto side = open();
  ASSERT_TRUE(side);
  auto read = side->readAll();
  ASSERT_TRUE(read.ok());
  Write strange = update(ann["contact_id"], {{"shoe", "9"}});
  auto result = side->apply(
      {update(bob["contact_id"], {{"email", "ann@example.com"}}),  // taken: 409
       update(ann["contact_id"], {{"first_name", "Ann"}}), newContact({{"first_name", "X"}}), strange},
      read->records);
  ASSERT_TRUE(result.ok());
  ASSERT_TRUE(failedIndex(*result, 0)) << failures(*result);
  for (const auto& [index, reason] : result->failed) {
    if (index != 0) continue;
    EXPECT_NE(reason.find("409"), std::string::npos) << reason;
    EXPECT_NE(reason.find("Email already exists"), std::string::npos) << reason;
    EXPECT_EQ(reason.find(token_), std::string::npos);
    EXPECT_LT(reason.size(), 300u);
  }
  EXPECT_FALSE(failedIndex(*result, 1)) << failures(*result);
  EXPECT_TRUE(failedIndex(*result, 2));  // a new contact needs an address
  EXPECT_TRUE(failedIndex(*result, 3));  // not a CC field
  EXPECT_EQ(contact(ann["contact_id"])["first_name"], "Ann");

  caller_->fail_on = "PUT";
  auto lost = side->apply({update(ann["contact_id"], {{"email", "anne@example.com"}})}, read->records);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().key, "upstream.no_answer");
}

TEST_F(CcSideTest, AnImportRowErrorFailsItsOwnWriteOnly) {
  auto side = open();
  ASSERT_TRUE(side);
  const std::vector<Write> writes = {newContact({{"email", "good1@example.com"}}),
                                     newContact({{"email", "bad@example.com"}, {"anniversary", "someday"}}),
                                     newContact({{"email", "good2@example.com"}})};
  auto result = side->apply(writes, {});
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->failed.size(), 1u) << failures(*result);
  EXPECT_EQ(result->failed[0].first, 1u);
  EXPECT_NE(result->failed[0].second.find("anniversary"), std::string::npos) << result->failed[0].second;
  EXPECT_EQ(result->created.size(), 2u);
  EXPECT_TRUE(result->created.count(0) && result->created.count(2));
}

TEST_F(CcSideTest, AnActivityThatNeverEndsFailsItsWritesWhenPollingGivesUp) {
  setQuirks({{"activity_progress", {{"seconds", 86400}}}});
  CcSideOptions options;
  options.poll_timeout = std::chrono::minutes(2);
  auto side = open({}, options);
  ASSERT_TRUE(side);
  auto result = side->apply({newContact({{"email", "slow@example.com"}})}, {});
  ASSERT_TRUE(result.ok());
  ASSERT_TRUE(failedIndex(*result, 0));
  EXPECT_NE(result->failed[0].second.find("still processing"), std::string::npos) << result->failed[0].second;
  // 1 + 2 + 4 + 8 + 16 + 30 + 30 + 30 s, then it gives up: waits, never a sleep.
  std::chrono::milliseconds waited{0};
  for (auto w : waits_) {
    EXPECT_LE(w, std::chrono::milliseconds(30000));
    waited += w;
  }
  EXPECT_GE(waited, std::chrono::minutes(2));
  EXPECT_LT(waited, std::chrono::minutes(3));
}

TEST_F(CcSideTest, ARefusedTokenEndsTheApplyAtTheFirstRefusal) {
  auto ann = create("ann@example.com");
  auto bob = create("bob@example.com");
  auto side = open();
  ASSERT_TRUE(side);
  auto read = side->readAll();
  ASSERT_TRUE(read.ok());
  caller_->token = "not-a-token";
  const int64_t before = side->calls();
  auto result = side->apply({update(ann["contact_id"], {{"email", "a2@example.com"}}),
                             update(bob["contact_id"], {{"email", "b2@example.com"}})},
                            read->records);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Unauthorized);
  EXPECT_EQ(side->calls() - before, 1);
}

}  // namespace
}  // namespace liaison::testing
