// The SQLite wrapper: numbered migrations applied exactly once, statements, errors.
#include "storage/sqlite_database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "support/temp_dir.h"

namespace liaison::storage::testing {
namespace {

using ::liaison::testing::TempDir;

using ::testing::ElementsAre;

constexpr Migration kV1[] = {
    {1, "CREATE TABLE log (v INTEGER NOT NULL); INSERT INTO log VALUES (1);"},
};
constexpr Migration kV1V2[] = {
    {1, "CREATE TABLE log (v INTEGER NOT NULL); INSERT INTO log VALUES (1);"},
    {2, "INSERT INTO log VALUES (2); CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT);"},
};
constexpr Migration kV1BrokenV2[] = {
    {1, "CREATE TABLE log (v INTEGER NOT NULL); INSERT INTO log VALUES (1);"},
    {2, "INSERT INTO log VALUES (2); INSERT INTO no_such_table VALUES (1);"},
};

std::vector<int64_t> logRows(Database& db) {
  std::vector<int64_t> rows;
  Statement stmt(db.handle(), "SELECT v FROM log ORDER BY rowid");
  while (stmt.step()) rows.push_back(stmt.columnInt(0));
  return rows;
}

class DatabaseTest : public ::testing::Test {
 protected:
  TempDir dir_;
  const std::string path_ = dir_.file("test.sqlite3");
};

TEST_F(DatabaseTest, NewDatabaseStartsAtVersionZeroWithoutMigrations) {
  Database db(path_, {});
  EXPECT_EQ(db.schemaVersion(), 0);
  EXPECT_TRUE(std::filesystem::exists(path_));
}

TEST_F(DatabaseTest, AppliesMigrationsAndRecordsUserVersion) {
  Database db(path_, kV1V2);
  EXPECT_EQ(db.schemaVersion(), 2);
  EXPECT_THAT(logRows(db), ElementsAre(1, 2));
}

TEST_F(DatabaseTest, ReopeningDoesNotRerunAppliedMigrations) {
  { Database db(path_, kV1); }
  {
    Database db(path_, kV1);
    EXPECT_EQ(db.schemaVersion(), 1);
    EXPECT_THAT(logRows(db), ElementsAre(1));
  }
}

TEST_F(DatabaseTest, ReopeningWithANewMigrationAppliesOnlyThatOne) {
  { Database db(path_, kV1); }
  {
    Database db(path_, kV1V2);
    EXPECT_EQ(db.schemaVersion(), 2);
    EXPECT_THAT(logRows(db), ElementsAre(1, 2));
  }
  Database db(path_, kV1V2);
  EXPECT_THAT(logRows(db), ElementsAre(1, 2));
}

TEST_F(DatabaseTest, FailingMigrationThrowsAndRollsBackCompletely) {
  { Database db(path_, kV1); }
  EXPECT_THROW((Database{path_, kV1BrokenV2}), std::runtime_error);
  Database db(path_, kV1);
  EXPECT_EQ(db.schemaVersion(), 1);
  EXPECT_THAT(logRows(db), ElementsAre(1));  // the INSERT before the failure was rolled back
}

TEST_F(DatabaseTest, UsesWriteAheadLogging) {
  Database db(path_, {});
  Statement stmt(db.handle(), "PRAGMA journal_mode");
  ASSERT_TRUE(stmt.step());
  EXPECT_EQ(stmt.columnText(0), "wal");
}

TEST_F(DatabaseTest, OpeningInAMissingDirectoryThrows) {
  EXPECT_THROW((Database{dir_.file("missing/dir/test.sqlite3"), {}}), std::runtime_error);
}

TEST_F(DatabaseTest, StatementsBindStepAndReadColumns) {
  Database db(path_, kV1V2);
  Statement insert(db.handle(), "INSERT INTO kv (k, v) VALUES (?1, ?2)");
  insert.bind(1, std::string("a")).bind(2, std::string("x\0y", 3));
  EXPECT_FALSE(insert.step());  // no rows from an INSERT
  insert.reset();
  insert.bind(1, std::string("b")).bindNull(2);
  EXPECT_FALSE(insert.step());

  Statement select(db.handle(), "SELECT k, v, v IS NULL FROM kv ORDER BY k");
  ASSERT_TRUE(select.step());
  EXPECT_EQ(select.columnText(0), "a");
  EXPECT_EQ(select.columnText(1), std::string("x\0y", 3));  // embedded NUL survives
  EXPECT_EQ(select.columnInt(2), 0);
  ASSERT_TRUE(select.step());
  EXPECT_EQ(select.columnText(0), "b");
  EXPECT_EQ(select.columnText(1), "");  // NULL reads as empty text
  EXPECT_EQ(select.columnInt(2), 1);
  EXPECT_FALSE(select.step());
}

TEST_F(DatabaseTest, BindsIntegersAndResetClearsBindings) {
  Database db(path_, {});
  Statement stmt(db.handle(), "SELECT ?1 + 1, ?2 IS NULL");
  stmt.bind(1, int64_t{41}).bind(2, int64_t{0});
  ASSERT_TRUE(stmt.step());
  EXPECT_EQ(stmt.columnInt(0), 42);
  EXPECT_EQ(stmt.columnInt(1), 0);
  stmt.reset();
  ASSERT_TRUE(stmt.step());
  EXPECT_EQ(stmt.columnInt(1), 1);  // ?2 unbound again
}

TEST_F(DatabaseTest, ConstraintViolationMakesStepThrow) {
  Database db(path_, kV1V2);
  Statement insert(db.handle(), "INSERT INTO kv (k, v) VALUES ('same', 'v')");
  insert.step();
  insert.reset();
  EXPECT_THROW(insert.step(), std::runtime_error);
}

TEST_F(DatabaseTest, BadSqlThrowsFromPrepareAndExecButIsAnErrorFromTryExec) {
  Database db(path_, {});
  EXPECT_THROW((Statement{db.handle(), "SELEC nonsense"}), std::runtime_error);
  EXPECT_THROW(db.exec("DROP TABLE no_such_table"), std::runtime_error);
  auto status = db.tryExec("DROP TABLE no_such_table");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::Internal);
  EXPECT_EQ(status.error().key, "storage");
  // SQLite's own words go to the log only; the message a caller may see names no internals.
  EXPECT_THAT(status.error().detail, ::testing::HasSubstr("no_such_table"));
  EXPECT_THAT(status.error().message, ::testing::Not(::testing::HasSubstr("no_such_table")));
  EXPECT_TRUE(db.tryExec("CREATE TABLE t (x)").ok());
}

}  // namespace
}  // namespace liaison::storage::testing
