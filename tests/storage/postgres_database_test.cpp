// What only PostgreSQL does, beyond the shared contract: row locks that make a second writer wait
// (and then re-check) or pass over a claimed row, transactions that a failed statement spoils,
// schema_migrations shared by processes that start together, connection errors without passwords.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <latch>
#include <thread>
#include <vector>

#include "storage/database.h"
#include "storage/database_contract.h"
#include "support/postgres_server.h"

namespace liaison::storage::testing {
namespace {

using ::liaison::testing::PostgresServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr Migration kRows[] = {
    {1,
     "CREATE TABLE slots (id BIGINT PRIMARY KEY, generation BIGINT NOT NULL, owner TEXT);"
     "INSERT INTO slots (id, generation) SELECT g, 0 FROM generate_series(1, 6) AS g;"},
};
constexpr Migration kLog[] = {
    {1, "CREATE TABLE log (v BIGINT NOT NULL); INSERT INTO log VALUES (1);"},
    {2, "INSERT INTO log VALUES (2);"},
};

class PostgresDatabaseTest : public ::testing::Test {
 protected:
  std::unique_ptr<Database> open(std::span<const Migration> migrations = {}) {
    return openDatabase(url_, migrations);
  }
  const std::string url_ = PostgresServer::shared().createDatabase();
};

std::vector<int64_t> claim(Database& db, const std::string& owner, int64_t limit) {
  Statement stmt(
      db, std::string("UPDATE slots SET owner = ?1 WHERE id IN (SELECT id FROM slots WHERE owner IS NULL"
                      " ORDER BY id LIMIT ?2") +
              forUpdateSkipLocked(db) + ") RETURNING id");
  stmt.bind(1, owner).bind(2, limit);
  std::vector<int64_t> ids;
  while (stmt.step()) ids.push_back(stmt.columnInt(0));
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST_F(PostgresDatabaseTest, IsPostgresAndHasNoSqliteHandle) {
  auto db = open();
  EXPECT_EQ(db->dialect(), Dialect::Postgres);
  EXPECT_THROW(db->handle(), DatabaseError);
}

TEST_F(PostgresDatabaseTest, WaitingCompareAndSwapRechecksAfterTheWinnerCommits) {
  auto winner = open(kRows);
  auto loser = open();
  auto watcher = open();
  winner->begin();
  Statement won(*winner, "UPDATE slots SET generation = 1, owner = 'w' WHERE id = 1 AND generation = 0");
  won.step();
  ASSERT_EQ(winner->changes(), 1);

  int64_t loserChanges = -1;
  std::thread second([&] {
    Statement cas(*loser, "UPDATE slots SET generation = 1, owner = 'l' WHERE id = 1 AND generation = 0");
    cas.step();  // waits for the winner's row lock
    loserChanges = loser->changes();
  });
  // Commit only once the loser is waiting on the lock, so it must re-check the committed row.
  bool waiting = false;
  for (int polls = 0; polls < 100000 && !waiting; ++polls) {
    waiting = column(*watcher,
                     "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                     " AND wait_event_type = 'Lock'") == std::vector<int64_t>{1};
  }
  winner->commit();
  second.join();
  ASSERT_TRUE(waiting) << "the second writer never waited for the row lock";
  EXPECT_EQ(loserChanges, 0);
  Statement owner(*watcher, "SELECT owner, generation FROM slots WHERE id = 1");
  ASSERT_TRUE(owner.step());
  EXPECT_EQ(owner.columnText(0), "w");
  EXPECT_EQ(owner.columnInt(1), 1);
}

TEST_F(PostgresDatabaseTest, SkipLockedClaimPassesOverRowsAnotherClaimHolds) {
  auto first = open(kRows);
  auto second = open();
  second->exec("SET statement_timeout = '10s'");  // waiting for the lock would fail, not hang
  first->begin();
  EXPECT_THAT(claim(*first, "first", 1), ElementsAre(1));
  EXPECT_THAT(claim(*second, "second", 1), ElementsAre(2));  // row 1 is locked: passed over
  first->rollback();                                         // row 1 is free again
  EXPECT_THAT(claim(*second, "second", 5), ElementsAre(1, 3, 4, 5, 6));
}

TEST_F(PostgresDatabaseTest, CommitAfterAFailedStatementThrowsAndKeepsNothing) {
  auto db = open(kRows);
  db->begin();
  db->exec("UPDATE slots SET owner = 'x' WHERE id = 1");
  EXPECT_THROW(db->exec("INSERT INTO slots (id, generation) VALUES (2, 0)"), DatabaseError);
  EXPECT_THROW(db->exec("UPDATE slots SET owner = 'y' WHERE id = 3"), DatabaseError);  // aborted
  EXPECT_THROW(db->commit(), DatabaseError);
  EXPECT_THAT(column(*db, "SELECT count(*) FROM slots WHERE owner IS NOT NULL"), ElementsAre(0));
}

TEST_F(PostgresDatabaseTest, RecordsEachAppliedMigrationInSchemaMigrations) {
  auto db = open(kLog);
  EXPECT_EQ(db->schemaVersion(), 2);
  EXPECT_THAT(column(*db, "SELECT version FROM schema_migrations ORDER BY version"), ElementsAre(1, 2));
}

TEST_F(PostgresDatabaseTest, ProcessesStartingTogetherApplyEachMigrationOnce) {
  constexpr int kOpeners = 4;
  std::latch start(kOpeners);
  std::vector<std::string> failures(kOpeners);
  std::vector<std::thread> openers;
  for (int i = 0; i < kOpeners; ++i) {
    openers.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        open(kLog);
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    });
  }
  for (auto& opener : openers) opener.join();
  EXPECT_THAT(failures, ::testing::Each(""));
  auto db = open();
  EXPECT_THAT(column(*db, "SELECT v FROM log ORDER BY v"), ElementsAre(1, 2));
}

TEST_F(PostgresDatabaseTest, ConnectionErrorsNameTheDatabaseButNoPassword) {
  const std::string base =
      "postgresql://liaison:s3cr%zzet-pw@127.0.0.1:" + std::to_string(PostgresServer::shared().port()) +
      "/no_such_database";
  try {
    openDatabase(base, {});
    FAIL() << "a URL libpq cannot read was accepted";
  } catch (const DatabaseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot connect to PostgreSQL"));
    EXPECT_THAT(e.what(), Not(HasSubstr("s3cr")));
  }
  const std::string missing =
      "postgresql://liaison:pw-secret@127.0.0.1:" + std::to_string(PostgresServer::shared().port()) +
      "/no_such_database";
  try {
    openDatabase(missing, {});
    FAIL() << "a database that does not exist was opened";
  } catch (const DatabaseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no_such_database"));
    EXPECT_THAT(e.what(), Not(HasSubstr("pw-secret")));
  }
}

// Start and stop of a throwaway server, timed for the record (no assertion on the time).
TEST(PostgresServerTest, StartsAcceptsConnectionsAndStops) {
  ::liaison::testing::PostgresServer server;
  const std::string url = server.createDatabase();
  {
    auto db = openDatabase(url, kLog);
    EXPECT_EQ(db->schemaVersion(), 2);
  }
  server.stop();
  EXPECT_THROW(openDatabase(url, {}), DatabaseError);  // nothing listens any more
  std::cout << "[ timing   ] PostgreSQL start " << server.startDuration().count() << " ms, stop "
            << server.stopDuration().count() << " ms\n";
  RecordProperty("postgres_start_ms", static_cast<int>(server.startDuration().count()));
  RecordProperty("postgres_stop_ms", static_cast<int>(server.stopDuration().count()));
}

}  // namespace
}  // namespace liaison::storage::testing
