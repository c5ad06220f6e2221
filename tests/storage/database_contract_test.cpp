// The storage contract, part 1: migrations, values, placeholders, transactions, changes(),
// errors. Runs on every store a test binary instantiates DatabaseContract for.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database_contract.h"

namespace liaison::storage::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

constexpr Migration kV1[] = {
    {1, "CREATE TABLE log (seq BIGINT NOT NULL, v BIGINT NOT NULL); INSERT INTO log VALUES (1, 1);"},
};
constexpr Migration kV1V2[] = {
    kV1[0],
    {2, "INSERT INTO log VALUES (2, 2); CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT);"},
};
constexpr Migration kV1V2V3[] = {kV1V2[0], kV1V2[1], {3, "INSERT INTO log VALUES (3, 3);"}};
constexpr Migration kV1BrokenV2[] = {
    kV1[0],
    {2, "INSERT INTO log VALUES (2, 2); INSERT INTO no_such_table VALUES (1);"},
};
// The same table in each dialect's words: an AUTOINCREMENT key and a 64-bit column.
constexpr Migration kItems[] = {
    {1, "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL);",
     "CREATE TABLE items (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at BIGINT NOT NULL);"},
};
// BIGINT in shared text: 64-bit on PostgreSQL, integer affinity on SQLite.
constexpr Migration kValues[] = {
    {1,
     "CREATE TABLE vals (id BIGINT PRIMARY KEY, n BIGINT, t TEXT);"
     "CREATE TABLE slots (id BIGINT PRIMARY KEY, generation BIGINT NOT NULL, owner TEXT);"
     "INSERT INTO slots VALUES (1, 0, NULL), (2, 0, NULL), (3, 0, NULL);"},
};

std::vector<int64_t> logRows(Database& db) { return column(db, "SELECT v FROM log ORDER BY seq"); }

TEST_P(DatabaseContract, NewStoreStartsAtVersionZero) {
  auto db = open();
  EXPECT_EQ(db->schemaVersion(), 0);
}

TEST_P(DatabaseContract, AppliesMigrationsInOrderEachOnce) {
  {
    auto db = open(kV1V2);
    EXPECT_EQ(db->schemaVersion(), 2);
    EXPECT_THAT(logRows(*db), ElementsAre(1, 2));
  }
  {
    auto db = open(kV1V2);  // reopening applies nothing
    EXPECT_EQ(db->schemaVersion(), 2);
    EXPECT_THAT(logRows(*db), ElementsAre(1, 2));
  }
  auto db = open(kV1V2V3);  // only the new one
  EXPECT_EQ(db->schemaVersion(), 3);
  EXPECT_THAT(logRows(*db), ElementsAre(1, 2, 3));
}

TEST_P(DatabaseContract, FailingMigrationThrowsAndLeavesNothingOfItself) {
  open(kV1);
  EXPECT_THROW(open(kV1BrokenV2), DatabaseError);
  auto db = open(kV1);
  EXPECT_EQ(db->schemaVersion(), 1);
  EXPECT_THAT(logRows(*db), ElementsAre(1));  // the INSERT before the failure was rolled back
}

TEST_P(DatabaseContract, MigrationRunsTheDialectsOwnText) {
  auto db = open(kItems);
  // A 32-bit column (INTEGER on PostgreSQL) could not hold this; the key counts up by itself.
  Statement insert(*db, "INSERT INTO items (at) VALUES (?1) RETURNING id");
  insert.bind(1, kMax);
  ASSERT_TRUE(insert.step());
  EXPECT_EQ(insert.columnInt(0), 1);
  insert.reset();
  insert.bind(1, kMin);
  ASSERT_TRUE(insert.step());
  EXPECT_EQ(insert.columnInt(0), 2);
  EXPECT_THAT(column(*db, "SELECT at FROM items ORDER BY id"), ElementsAre(kMax, kMin));
}

TEST_P(DatabaseContract, IntegersTextAndNullRoundTrip) {
  auto db = open(kValues);
  const std::string utf8 = "Grüße, 世界 🙂";
  const std::string tricky = "it's \"quoted\" ?1 $1 \\ -- /* */";
  const std::string big(100000, 'x');
  Statement insert(*db, "INSERT INTO vals (id, n, t) VALUES (?1, ?2, ?3)");
  insert.bind(1, int64_t{1}).bind(2, kMin).bind(3, std::string());
  insert.step();
  insert.reset();
  insert.bind(1, int64_t{2}).bind(2, kMax).bind(3, utf8);
  insert.step();
  insert.reset();
  insert.bind(1, int64_t{3}).bindNull(2).bindNull(3);
  insert.step();
  insert.reset();
  insert.bind(1, int64_t{4}).bind(2, int64_t{-1}).bind(3, tricky);
  insert.step();
  insert.reset();
  insert.bind(1, int64_t{5}).bind(2, int64_t{0}).bind(3, big);
  insert.step();

  Statement select(*db, "SELECT n, t, t IS NULL FROM vals ORDER BY id");
  ASSERT_TRUE(select.step());
  EXPECT_EQ(select.columnInt(0), kMin);
  EXPECT_EQ(select.columnText(1), "");
  EXPECT_FALSE(select.columnIsNull(1));  // empty text is not NULL
  EXPECT_EQ(select.columnInt(2), 0);
  ASSERT_TRUE(select.step());
  EXPECT_EQ(select.columnInt(0), kMax);
  EXPECT_EQ(select.columnText(1), utf8);
  ASSERT_TRUE(select.step());
  EXPECT_TRUE(select.columnIsNull(0));
  EXPECT_TRUE(select.columnIsNull(1));
  EXPECT_EQ(select.columnInt(0), 0);  // NULL reads as 0 and ""
  EXPECT_EQ(select.columnText(1), "");
  EXPECT_EQ(select.columnInt(2), 1);  // a comparison reads as 0 or 1 on both
  ASSERT_TRUE(select.step());
  EXPECT_EQ(select.columnInt(0), -1);
  EXPECT_EQ(select.columnText(1), tricky);
  ASSERT_TRUE(select.step());
  EXPECT_EQ(select.columnText(1), big);
  EXPECT_FALSE(select.step());
  ASSERT_TRUE(select.step());  // a step after the end runs the statement again
  EXPECT_EQ(select.columnInt(0), kMin);
}

TEST_P(DatabaseContract, ParametersBindByNumberRepeatAndStayInt64) {
  auto db = open();
  Statement stmt(*db, "SELECT ?2, ?1, ?2, ?1 + 1");
  stmt.bind(1, int64_t{1700000000000}).bind(2, std::string("two"));
  ASSERT_TRUE(stmt.step());
  EXPECT_EQ(stmt.columnText(0), "two");
  EXPECT_EQ(stmt.columnInt(1), 1700000000000);
  EXPECT_EQ(stmt.columnText(2), "two");
  EXPECT_EQ(stmt.columnInt(3), 1700000000001);  // arithmetic on a millisecond time stays 64-bit
}

TEST_P(DatabaseContract, BorrowedTextIsStoredAsItWasAtTheStepAndTheBufferMayBeReused) {
  auto db = open(kV1V2);
  Statement put(*db, "INSERT INTO kv (k, v) VALUES (?1, ?2)");
  std::string buffer;  // one buffer for every row's value, as a bulk insert keeps it
  for (int i = 0; i < 3; ++i) {
    buffer = std::string(static_cast<size_t>(40 * (i + 1)), static_cast<char>('a' + i));
    const std::string key = "k" + std::to_string(i);
    put.reset();
    put.bindBorrowed(1, key).bindBorrowed(2, buffer);
    put.step();
  }
  put.reset();
  put.bindBorrowed(1, "empty").bindBorrowed(2, std::string_view());
  put.step();
  buffer = "changed after the last step";
  Statement get(*db, "SELECT k, v, v IS NULL FROM kv ORDER BY k");
  std::vector<std::string> rows;
  while (get.step()) {
    rows.push_back(get.columnText(0) + "=" + get.columnText(1).substr(0, 3) + ":" +
                   std::to_string(get.columnText(1).size()) + (get.columnInt(2) != 0 ? " NULL" : ""));
  }
  EXPECT_THAT(rows, ElementsAre("empty=:0", "k0=aaa:40", "k1=bbb:80", "k2=ccc:120"));
}

TEST_P(DatabaseContract, ResetRunsAgainWithEveryParameterUnbound) {
  auto db = open();
  Statement stmt(*db, "SELECT CAST(?1 AS BIGINT) IS NULL, ?2");
  stmt.bind(1, int64_t{5}).bind(2, std::string("x"));
  ASSERT_TRUE(stmt.step());
  EXPECT_EQ(stmt.columnInt(0), 0);
  stmt.reset();
  ASSERT_TRUE(stmt.step());
  EXPECT_EQ(stmt.columnInt(0), 1);
  EXPECT_TRUE(stmt.columnIsNull(1));
}

TEST_P(DatabaseContract, PlaceholdersInsideLiteralsNamesAndCommentsStayText) {
  auto db = open();
  Statement stmt(*db,
                 "SELECT '?1' AS \"?2\", ?1, 'it''s ?3' /* ?4 */ -- ?5\n"
                 ", '?1'");
  stmt.bind(1, std::string("bound"));
  ASSERT_TRUE(stmt.step());
  EXPECT_EQ(stmt.columnText(0), "?1");
  EXPECT_EQ(stmt.columnText(1), "bound");
  EXPECT_EQ(stmt.columnText(2), "it's ?3");
  EXPECT_EQ(stmt.columnText(3), "?1");
}

TEST_P(DatabaseContract, CommitKeepsAndRollbackDiscards) {
  auto db = open(kValues);
  auto other = open();
  db->begin();
  db->exec("INSERT INTO vals (id, n) VALUES (1, 1)");
  db->commit();
  db->begin();
  db->exec("INSERT INTO vals (id, n) VALUES (2, 2)");
  db->rollback();
  EXPECT_THAT(column(*other, "SELECT id FROM vals ORDER BY id"), ElementsAre(1));
}

TEST_P(DatabaseContract, TransactionWhoseWorkFailsRollsBack) {
  auto db = open(kValues);
  auto insert = [](int64_t id) {
    return [id](Database& tx) {
      Statement stmt(tx, "INSERT INTO vals (id) VALUES (?1)");
      stmt.bind(1, id).step();
      return okStatus();
    };
  };
  EXPECT_TRUE(db->transaction(insert(1)).ok());
  Status refused = db->transaction([&](Database& tx) -> Status {
    (void)insert(2)(tx);
    return makeError(ErrorCode::Conflict, "test.refused", "refused");
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().key, "test.refused");  // the work's own error comes back
  Status thrown = db->transaction([&](Database& tx) -> Status {
    (void)insert(3)(tx);
    Statement(tx, "INSERT INTO vals (id) VALUES (1)").step();  // duplicate key: throws
    return okStatus();
  });
  ASSERT_FALSE(thrown.ok());
  EXPECT_EQ(thrown.error().code, ErrorCode::Internal);
  EXPECT_EQ(thrown.error().key, "storage");
  EXPECT_THAT(column(*db, "SELECT id FROM vals ORDER BY id"), ElementsAre(1));
  EXPECT_TRUE(db->transaction(insert(4)).ok());  // the connection is fine afterwards
}

TEST_P(DatabaseContract, TransactionGuardRollsBackUnlessCommitted) {
  auto db = open(kValues);
  {
    Transaction tx(*db);
    db->exec("INSERT INTO vals (id) VALUES (1)");
  }
  {
    Transaction tx(*db);
    db->exec("INSERT INTO vals (id) VALUES (2)");
    tx.commit();
  }
  EXPECT_THAT(column(*db, "SELECT id FROM vals"), ElementsAre(2));
}

TEST_P(DatabaseContract, ChangesCountsRowsOfTheLastWriteForCompareAndSwap) {
  auto db = open(kValues);
  db->exec("UPDATE slots SET owner = 'x'");
  EXPECT_EQ(db->changes(), 3);
  column(*db, "SELECT id FROM slots WHERE id = 1");
  EXPECT_EQ(db->changes(), 3);  // a SELECT leaves it alone
  Statement cas(*db, "UPDATE slots SET generation = ?3, owner = ?4 WHERE id = ?1 AND generation = ?2");
  cas.bind(1, int64_t{1}).bind(2, int64_t{0}).bind(3, int64_t{1}).bind(4, std::string("a"));
  cas.step();
  EXPECT_EQ(db->changes(), 1);  // won
  cas.reset();
  cas.bind(1, int64_t{1}).bind(2, int64_t{0}).bind(3, int64_t{1}).bind(4, std::string("b"));
  cas.step();
  EXPECT_EQ(db->changes(), 0);  // lost: the generation moved on
  Statement owner(*db, "SELECT owner FROM slots WHERE id = 1");
  ASSERT_TRUE(owner.step());
  EXPECT_EQ(owner.columnText(0), "a");
}

TEST_P(DatabaseContract, DuplicateKeyIsAConstraintError) {
  auto db = open(kValues);
  db->exec("INSERT INTO vals (id) VALUES (1)");
  Statement dup(*db, "INSERT INTO vals (id) VALUES (?1)");
  dup.bind(1, int64_t{1});
  try {
    dup.step();
    FAIL() << "a duplicate key was accepted";
  } catch (const DatabaseError& e) {
    EXPECT_EQ(e.kind(), DatabaseError::Kind::Constraint) << e.what();
  }
}

TEST_P(DatabaseContract, BadSqlThrowsByTheFirstStepAndIsAnErrorValueFromTryExec) {
  auto db = open();
  EXPECT_THROW(
      {
        Statement stmt(*db, "SELEC nonsense");
        stmt.step();
      },
      DatabaseError);
  EXPECT_THROW(db->exec("DROP TABLE no_such_table"), DatabaseError);
  auto status = db->tryExec("DROP TABLE no_such_table");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::Internal);
  EXPECT_EQ(status.error().key, "storage");
  // The database's own words go to the log only; the message a caller may see names no internals.
  EXPECT_THAT(status.error().detail, HasSubstr("no_such_table"));
  EXPECT_THAT(status.error().message, Not(HasSubstr("no_such_table")));
  EXPECT_TRUE(db->tryExec("CREATE TABLE t (x TEXT)").ok());
}

}  // namespace
}  // namespace liaison::storage::testing
