// The guard's arithmetic and the plan's counts on larger sets than the golden scenarios hold.
#include <gtest/gtest.h>

#include "sync/planner/planner.h"

namespace liaison::sync {
namespace {

struct Fixture {
  SyncDefinition definition;
  ResolvedMapping mapping;
  SideRead a, b;
  std::vector<Link> links;

  explicit Fixture(int linked) {
    definition.b.type = SideType::Sql;
    definition.deletions.from_b = DeletionAction::SoftDelete;
    auto resolved = resolveMapping(definition, Catalog::cc({}), Catalog::table({{"email", "TEXT"}}, false));
    mapping = std::get<ResolvedMapping>(resolved);
    a.complete = b.complete = true;
    for (int i = 0; i < linked; ++i) {
      std::string email = "p" + std::to_string(i) + "@example.com";
      a.records.push_back(Record{"c" + std::to_string(i), {{"email", email}}});
      b.records.push_back(Record{"r" + std::to_string(i), {{"email", email}}});
      links.push_back(Link{"c" + std::to_string(i), "r" + std::to_string(i), {{"email", email}}});
    }
  }
  Plan removeRows(int count, bool approved = false) {
    SideRead remaining = b;
    remaining.records.erase(remaining.records.begin(), remaining.records.begin() + count);
    return planSync(PlanInput{definition, mapping, a, remaining, links, 0, approved});
  }
};

TEST(SyncGuard, HoldsAboveTheLargerOfTheCountAndThePercentOfTheSyncedSet) {
  Fixture small(200);  // 5 % of 200 is 10: the count of 50 is the limit
  EXPECT_FALSE(small.removeRows(50).held);
  Plan held = small.removeRows(51);
  EXPECT_TRUE(held.held);
  EXPECT_EQ(held.guard_limit, 50);
  EXPECT_NE(held.held_reason.find("51 deletions and unsubscribes exceed the guard of 50"), std::string::npos);

  Fixture large(2000);  // 5 % of 2,000 is 100
  EXPECT_FALSE(large.removeRows(100).held);
  EXPECT_TRUE(large.removeRows(101).held);
  EXPECT_EQ(large.removeRows(101).a_writes.size(), 101u) << "a held plan still shows what it would do";
  EXPECT_FALSE(large.removeRows(101, /*approved=*/true).held);
}

TEST(SyncGuard, OwnerSetsTheLimits) {
  Fixture sync(100);
  sync.definition.guard = Guard{0, 0};
  EXPECT_TRUE(sync.removeRows(1).held);
  sync.definition.guard = Guard{10, 50};
  EXPECT_FALSE(sync.removeRows(50).held);
  EXPECT_TRUE(sync.removeRows(51).held);
}

TEST(SyncPlanner, AnIncrementalReadLeavesUnreadRecordsAlone) {
  Fixture sync(10);
  SideRead changed;  // nothing changed on b, and b is not complete: no row has gone
  Plan plan = planSync(PlanInput{sync.definition, sync.mapping, sync.a, changed, sync.links, 0, false});
  EXPECT_TRUE(plan.empty());
  EXPECT_EQ(plan.removals, 0);
  EXPECT_FALSE(plan.held);
}

}  // namespace
}  // namespace liaison::sync
