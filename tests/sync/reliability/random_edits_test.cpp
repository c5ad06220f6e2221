// T24 and T25 on the engine's core: random edits on both sides (names, job titles, list
// memberships, unsubscribes, deletions, new records, email changes), a run after each round, then
// quiet: a quiet run writes nothing, both sides agree on every mapped field of every live linked
// pair, no email address is on two records of a side, and no unsubscribed CC contact is ever
// subscribed again by the engine. Seeded, so a failure replays.
#include <gtest/gtest.h>

#include <random>

#include "sync/model/definition_json.h"
#include "sync/planner/memory_sides.h"

namespace liaison::sync::testing {
namespace {

using nlohmann::json;

class RandomEdits : public ::testing::TestWithParam<int> {
 protected:
  MemorySync makeSync() {
    auto parsed = parseDefinition(json::parse(R"({"name": "t", "a": {"type": "cc", "connection_id": "c"},
        "b": {"type": "sql", "url": "app.db", "table": "users"},
        "unsubscribes": {"column": "unsubscribed"},
        "deletions": {"from_a": "soft_delete", "from_b": "soft_delete", "column": "deleted_at"}})"));
    SyncDefinition d = std::get<SyncDefinition>(parsed);
    auto mapping = resolveMapping(d, Catalog::cc({}),
                                  Catalog::table({{"email", ""},
                                                  {"full_name", ""},
                                                  {"job_title", ""},
                                                  {"lists", ""},
                                                  {"unsubscribed", ""},
                                                  {"deleted_at", ""}},
                                                 false));
    MemorySide a, b;
    a.cc = true;
    a.id_prefix = "a";
    b.cc = false;
    b.id_prefix = "b";
    for (int i = 0; i < 40; ++i) {
      std::string email = "p" + std::to_string(i) + "@example.com";
      if (i < 30) {
        Record r{"c" + std::to_string(i),
                 {{"email", email}, {"first_name", "F" + std::to_string(i)}, {"last_name", "L"}}};
        r.sets["lists"] = {"Customers"};
        a.records[r.id] = r;
      }
      if (i >= 10) {
        Record r{"r" + std::to_string(i),
                 {{"email", email}, {"full_name", "F" + std::to_string(i) + " L"}, {"unsubscribed", "0"}}};
        b.records[r.id] = r;
      }
    }
    return MemorySync(d, std::get<ResolvedMapping>(mapping), a, b);
  }

  std::mt19937 random_{static_cast<unsigned>(GetParam())};
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }
  template <typename Map>
  typename Map::mapped_type* any(Map& records) {
    if (records.empty()) return nullptr;
    auto it = records.begin();
    std::advance(it, pick(static_cast<int>(records.size())));
    return &it->second;
  }

  void editCc(MemorySync& sync, int serial) {
    Record* r = any(sync.side(Side::A).records);
    if (r == nullptr || r->deleted) return;
    switch (pick(6)) {
      case 0:
        r->text["first_name"] = "Cf" + std::to_string(serial);
        break;
      case 1:
        r->text["job_title"] = pick(2) ? "" : "Title" + std::to_string(serial);
        break;
      case 2:
        r->sets["lists"].insert(pick(2) ? "VIP" : "Gold");
        break;
      case 3:
        r->sets["lists"].erase("Customers");
        break;
      case 4:
        r->unsubscribed = true;
        break;
      case 5:
        if (pick(4) == 0) {
          r->deleted = true;
          r->sets["lists"].clear();
        }
        break;
    }
    r->changed_at_ms = sync.tick();
  }

  void editTable(MemorySync& sync, int serial) {
    auto& rows = sync.side(Side::B).records;
    if (pick(8) == 0) {
      Record r{"n" + std::to_string(serial),
               {{"email", "new" + std::to_string(serial) + "@example.com"},
                {"full_name", "New Person"},
                {"unsubscribed", "0"}}};
      rows[r.id] = r;
      return;
    }
    Record* r = any(rows);
    if (r == nullptr) return;
    switch (pick(6)) {
      case 0:
        r->text["full_name"] = r->field("full_name") + "x";
        break;
      case 1:
        r->text["job_title"] = "Tb" + std::to_string(serial);
        break;
      case 2:
        r->text["lists"] = pick(2) ? "Customers; Gold" : "";
        break;
      case 3:
        r->text["unsubscribed"] = pick(3) ? "1" : "0";
        break;  // "0" tries to resubscribe
      case 4:
        r->text["email"] = "moved" + std::to_string(serial) + "@example.com";
        break;
      case 5:
        if (pick(4) == 0) rows.erase(r->id);
        return;
    }
    r->changed_at_ms = sync.tick();
  }
};

TEST_P(RandomEdits, QuietRunsWriteNothingAndNobodyIsResubscribed) {
  MemorySync sync = makeSync();
  std::set<std::string> unsubscribed_in_cc;
  for (int round = 0; round < 25; ++round) {
    for (int i = 0; i < 6; ++i) {
      editCc(sync, round * 100 + i);
      editTable(sync, round * 100 + 50 + i);
    }
    for (const auto& [id, r] : sync.side(Side::A).records) {
      if (r.unsubscribed) unsubscribed_in_cc.insert(id);
    }
    auto outcome = sync.run(/*approved=*/true);
    ASSERT_TRUE(outcome.applied);
    for (const auto& id : unsubscribed_in_cc) {
      ASSERT_TRUE(sync.side(Side::A).records.at(id).unsubscribed)
          << "round " << round << ": " << id << " resubscribed";
    }
  }
  for (int cycle = 0; cycle < 2; ++cycle) {
    auto quiet = sync.run();
    EXPECT_EQ(quiet.plan.a_writes.size(), 0u) << "cycle " << cycle;
    EXPECT_EQ(quiet.plan.b_writes.size(), 0u) << "cycle " << cycle;
  }
  // Every live pair agrees on what the mapping carries; no side holds an address twice.
  const auto& a = sync.side(Side::A).records;
  const auto& b = sync.side(Side::B).records;
  for (const auto& link : sync.links()) {
    if (link.a_deleted || link.b_deleted || link.out_of_scope) continue;
    const Record& ra = a.at(link.a_id);
    const Record& rb = b.at(link.b_id);
    EXPECT_EQ(ra.field("email"), rb.field("email"));
    EXPECT_EQ(ra.field("job_title"), rb.field("job_title"));
    EXPECT_EQ(ra.unsubscribed, rb.field("unsubscribed") == "1") << link.a_id;
  }
  for (const auto* side : {&a, &b}) {
    std::map<std::string, std::string> seen;
    for (const auto& [id, r] : *side) {
      if (r.field("email").empty() || r.deleted) continue;
      auto [it, fresh] = seen.emplace(r.field("email"), id);
      EXPECT_TRUE(fresh) << r.field("email") << " on " << id << " and " << it->second;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomEdits, ::testing::Range(1, 21));

}  // namespace
}  // namespace liaison::sync::testing
