// The span of a large import's own changes (CcApplyResult::own_window): counted once after the
// import, and skipped by later incremental reads, which still see every other change around it.
#include "cc_side_fixture.h"

namespace liaison::testing {
namespace {

using sync::TimeWindow;

constexpr size_t kRows = 60;

std::vector<Write> creates(size_t n, const std::string& prefix, Items lists = {}) {
  std::vector<Write> writes;
  for (size_t i = 0; i < n; ++i) {
    Write w;
    w.kind = Write::Kind::Create;
    w.values = {{"email", prefix + std::to_string(i) + "@example.com"}, {"first_name", "New"}};
    if (!lists.empty()) w.add["lists"] = lists;
    writes.push_back(std::move(w));
  }
  return writes;
}

std::set<std::string> emails(const SideRead& read) {
  std::set<std::string> out;
  for (const auto& r : read.records) out.insert(r.field("email"));
  return out;
}

class CcOwnWindowTest : public CcSideTest {
 protected:
  std::unique_ptr<CcSide> openCounting(ListFilter filter = {}) {
    CcSideOptions options;
    options.own_window_rows = kRows;  // the default (1,000) made small: the rule is the same
    return open(std::move(filter), options);
  }
  int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(sandbox_->clock().now().time_since_epoch())
        .count();
  }
  void rename(const json& contact, const std::string& first_name) {
    ASSERT_EQ(call("PUT", "/v3/contacts/" + contact["contact_id"].get<std::string>(),
                   {{"email_address", {{"address", contact["email_address"]["address"]}}},
                    {"first_name", first_name},
                    {"update_source", "Account"}})
                  .status,
              200);
  }
};

TEST_F(CcOwnWindowTest, ALargeImportsSpanIsSkippedByLaterReadsWhichSeeEveryOtherChange) {
  auto ann = create("ann@example.com");
  auto zed = create("zed@example.com");
  advance(3600);
  const TimePoint since = sandbox_->clock().now();
  advance(60);
  rename(ann, "Annie");  // another hand, before the import
  advance(60);
  auto side = openCounting();
  ASSERT_TRUE(side);
  const int64_t before_ms = nowMs();
  const std::string during = mark();
  auto result = side->apply(creates(kRows, "new"), {});
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(result->failed.empty()) << failures(*result);
  ASSERT_TRUE(result->own_window);
  const TimeWindow window = *result->own_window;
  EXPECT_LE(window.from_ms, before_ms + 1000);
  EXPECT_EQ(window.to_ms, before_ms + 1001) << "the span ends where the import did, not later";
  // One count for the span; ⌈60/500⌉ read-back page.
  EXPECT_EQ(seen(during)["getContacts"], 2);
  rename(zed, "Zed");  // another hand, the moment the apply returns
  advance(60);
  auto bob = create("bob@example.com");  // and later

  const std::string reading = mark();
  auto skipped = side->readChanged(since, {window});
  ASSERT_TRUE(skipped.ok()) << skipped.error().message;
  EXPECT_EQ(emails(*skipped),
            (std::set<std::string>{"ann@example.com", "zed@example.com", "bob@example.com"}));
  // Before the span, after it, and unsubscribes (never skipped).
  EXPECT_EQ(seen(reading)["getContacts"], 3);

  auto whole = side->readChanged(since);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->records.size(), kRows + 3) << "without the span, every imported row is read back";
}

TEST_F(CcOwnWindowTest, AContactChangedByAnotherHandWhileTheImportRunsLeavesNoSpan) {
  auto cat = create("cat@example.com");
  advance(60);
  setQuirks({{"activity_progress", {{"polls", 2}}}});  // the import is polled, CC works meanwhile
  auto side = openCounting();
  ASSERT_TRUE(side);
  bool changed = false;
  on_wait_ = [&] {
    if (!changed) rename(cat, "Cathy");
    changed = true;
  };
  auto result = side->apply(creates(kRows, "new"), {});
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(changed);
  EXPECT_TRUE(result->failed.empty()) << failures(*result);
  EXPECT_FALSE(result->own_window) << "61 contacts changed during the import, 60 of them its own";
}

TEST_F(CcOwnWindowTest, TooFewRowsLeaveNoSpanAndRowsCcRefusedAreNotCounted) {
  auto side = openCounting();
  ASSERT_TRUE(side);
  const std::string small = mark();
  auto few = side->apply(creates(kRows - 1, "few"), {});
  ASSERT_TRUE(few.ok());
  EXPECT_FALSE(few->own_window);
  EXPECT_EQ(seen(small)["getContacts"], 1) << "the read-back page only: no count for so few rows";

  // The count must match the rows that landed: a row CC refuses changed nothing.
  advance(60);
  std::vector<Write> writes = creates(kRows + 1, "more");
  writes.back().values["email"] = "not an address";
  auto refused = side->apply(writes, {});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->failed.size(), 1u);
  EXPECT_TRUE(refused->own_window) << "60 rows landed, 60 contacts changed";
}

TEST_F(CcOwnWindowTest, AListFilteredSideCountsOnlyItsLists) {
  const std::string customers = makeList("Customers");
  auto dan = create("dan@example.com");                                       // outside the filter
  auto eve = create("eve@example.com", {{"list_memberships", {customers}}});  // inside it
  advance(60);
  setQuirks({{"activity_progress", {{"polls", 2}}}});
  auto side = openCounting(ListFilter{false, {"Customers"}});
  ASSERT_TRUE(side);
  json touched = dan;
  on_wait_ = [&] {
    if (!touched.is_null()) rename(touched, "Changed");
    touched = nullptr;
  };
  auto outside = side->apply(creates(kRows, "out", {"Customers"}), {});
  ASSERT_TRUE(outside.ok()) << outside.error().message;
  EXPECT_TRUE(outside->own_window) << "a change outside the sync's lists is not the sync's business";

  advance(60);
  touched = eve;
  auto inside = side->apply(creates(kRows, "in", {"Customers"}), {});
  ASSERT_TRUE(inside.ok()) << inside.error().message;
  EXPECT_FALSE(inside->own_window);
}

TEST_F(CcOwnWindowTest, ReadsAroundASkippedSpanMissNoInstantAtItsEdges) {
  advance(3600);
  const TimePoint since = sandbox_->clock().now();
  advance(60);
  const int64_t edge_ms = nowMs();
  create("first@example.com");  // at the span's first instant
  base_clock_.advance(std::chrono::milliseconds(500));
  create("inside@example.com");
  base_clock_.advance(std::chrono::milliseconds(500));
  create("last@example.com");  // at its last instant
  base_clock_.advance(std::chrono::milliseconds(1));
  create("after@example.com");
  auto side = openCounting();
  ASSERT_TRUE(side);
  auto read = side->readChanged(since, {TimeWindow{edge_ms, edge_ms + 1000}});
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(emails(*read),
            (std::set<std::string>{"first@example.com", "last@example.com", "after@example.com"}));

  // Spans out of order, overlapping, or before the read's start: merged, and the read is the same.
  auto messy = side->readChanged(since, {TimeWindow{edge_ms + 400, edge_ms + 1000}, TimeWindow{0, 5},
                                         TimeWindow{edge_ms, edge_ms + 600}});
  ASSERT_TRUE(messy.ok());
  EXPECT_EQ(emails(*messy), emails(*read));
}

}  // namespace
}  // namespace liaison::testing
