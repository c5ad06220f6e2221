// The storage contract, part 2: two connections racing for the same rows, as two hub processes
// do. Compare-and-swap and claiming must hand every row to exactly one of them, however the
// threads interleave.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <map>
#include <set>
#include <thread>

#include "storage/database_contract.h"

namespace liaison::storage::testing {
namespace {

using ::testing::IsEmpty;

constexpr int kRows = 60;

// kRows free rows in `slots` (compare-and-swap) and `jobs` (claims).
constexpr Migration kRace[] = {
    {1,
     "CREATE TABLE slots (id BIGINT PRIMARY KEY, generation BIGINT NOT NULL, owner TEXT);"
     "CREATE TABLE jobs (id BIGINT PRIMARY KEY, owner TEXT);"},
};

void fill(Database& db) {
  ASSERT_TRUE(db.transaction([](Database& tx) {
                  Statement slot(tx, "INSERT INTO slots (id, generation) VALUES (?1, 0)");
                  Statement job(tx, "INSERT INTO jobs (id) VALUES (?1)");
                  for (int64_t id = 1; id <= kRows; ++id) {
                    slot.reset();
                    slot.bind(1, id).step();
                    job.reset();
                    job.bind(1, id).step();
                  }
                  return okStatus();
                }).ok());
}

// Runs `race(db, name)` on two threads, each with its own connection, started together. Returns
// the rows each one reports as its own, keyed by name.
template <typename Race>
std::map<std::string, std::set<int64_t>> runTwo(std::unique_ptr<Database> a, std::unique_ptr<Database> b,
                                                Race race) {
  std::map<std::string, std::set<int64_t>> won{{"a", {}}, {"b", {}}};
  std::map<std::string, std::string> failures;
  std::latch start(2);
  auto run = [&](Database& db, const std::string& name, std::set<int64_t>& mine, std::string& failure) {
    start.arrive_and_wait();
    try {
      race(db, name, mine);
    } catch (const std::exception& e) {
      failure = e.what();
    }
  };
  std::thread first(run, std::ref(*a), "a", std::ref(won["a"]), std::ref(failures["a"]));
  std::thread second(run, std::ref(*b), "b", std::ref(won["b"]), std::ref(failures["b"]));
  first.join();
  second.join();
  EXPECT_EQ(failures["a"], "");
  EXPECT_EQ(failures["b"], "");
  return won;
}

// Every row went to exactly one racer, and the table says the same.
void expectEachRowOnce(Database& db, const std::string& table,
                       std::map<std::string, std::set<int64_t>>& won) {
  std::vector<int64_t> both;
  std::set_intersection(won["a"].begin(), won["a"].end(), won["b"].begin(), won["b"].end(),
                        std::back_inserter(both));
  EXPECT_THAT(both, IsEmpty());
  EXPECT_EQ(won["a"].size() + won["b"].size(), static_cast<size_t>(kRows));
  Statement rows(db, "SELECT id, owner FROM " + table + " ORDER BY id");
  int count = 0;
  while (rows.step()) {
    ++count;
    const std::string owner = rows.columnText(1);
    ASSERT_TRUE(owner == "a" || owner == "b") << "row " << rows.columnInt(0) << " has no owner";
    EXPECT_TRUE(won[owner].contains(rows.columnInt(0))) << "row " << rows.columnInt(0);
  }
  EXPECT_EQ(count, kRows);
}

TEST_P(DatabaseContract, ConcurrentCompareAndSwapHasExactlyOneWinnerPerRow) {
  auto db = open(kRace);
  fill(*db);
  auto won = runTwo(open(), open(), [](Database& db, const std::string& name, std::set<int64_t>& mine) {
    for (int64_t id = 1; id <= kRows; ++id) {
      Status status = db.transaction([&](Database& tx) {
        Statement cas(tx, "UPDATE slots SET generation = 1, owner = ?2 WHERE id = ?1 AND generation = 0");
        cas.bind(1, id).bind(2, name).step();
        if (tx.changes() == 1) mine.insert(id);
        return okStatus();
      });
      if (!status) throw std::runtime_error(status.error().detail);
    }
  });
  expectEachRowOnce(*db, "slots", won);
}

TEST_P(DatabaseContract, ConcurrentClaimersGetEachRowExactlyOnce) {
  auto db = open(kRace);
  fill(*db);
  auto won = runTwo(open(), open(), [](Database& db, const std::string& name, std::set<int64_t>& mine) {
    const std::string sql =
        std::string(
            "UPDATE jobs SET owner = ?1 WHERE id IN (SELECT id FROM jobs WHERE owner IS NULL "
            "ORDER BY id LIMIT ?2") +
        forUpdateSkipLocked(db) + ") RETURNING id";
    bool more = true;
    while (more) {
      Status status = db.transaction([&](Database& tx) {
        Statement claim(tx, sql);
        claim.bind(1, name).bind(2, int64_t{3});
        more = false;
        while (claim.step()) {
          more = true;
          if (!mine.insert(claim.columnInt(0)).second) throw std::runtime_error("claimed twice");
        }
        return okStatus();
      });
      if (!status) throw std::runtime_error(status.error().detail);
    }
  });
  expectEachRowOnce(*db, "jobs", won);
}

}  // namespace
}  // namespace liaison::storage::testing
