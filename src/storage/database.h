#pragma once
// One storage API over SQLite (a file; the default) and PostgreSQL (`postgresql://…`; one database
// shared by many hub processes on many machines). Repository code is written once against
// Database and Statement and runs on both:
//  - SQL has numbered placeholders `?1`, `?2`, … (never a bare `?`); on PostgreSQL they become
//    `$1`, `$2`, … (string literals, quoted names and comments are left alone).
//  - Values are int64, UTF-8 text (no NUL bytes: PostgreSQL text cannot hold them) and NULL. On
//    PostgreSQL an int64 parameter is a bigint and a string is text (compare them with columns of
//    those types), and a NULL takes its type from where it is used: one with no such place
//    (`?1 IS NULL` alone) needs a cast, `CAST(?1 AS BIGINT) IS NULL`, which SQLite reads too.
//    Columns that hold Unix milliseconds must be BIGINT on PostgreSQL (INTEGER is 32-bit there);
//    `BIGINT` in shared SQL works on both (SQLite gives it integer affinity). Shared migration
//    text may keep SQLite's spellings: PostgreSQL reads it through toPostgresSchema
//    (postgres_sql.h: INTEGER → BIGINT, AUTOINCREMENT → identity, WITHOUT ROWID dropped).
//  - Portable SQL: COALESCE (not IFNULL), `ON CONFLICT … DO …`, RETURNING, no rowid or
//    last_insert_rowid() (use `… RETURNING id`). A comparison (`a IS NULL`, `a = b`) is a boolean
//    on PostgreSQL; columnInt reads it as 0/1 on both.
//  - Errors throw DatabaseError (Statement, exec); tryExec and transaction() return them as values.
//    On PostgreSQL a failed statement aborts the whole transaction: roll back, never carry on.
//
// Transactions: begin()/commit()/rollback(), the Transaction guard, or transaction(work). SQLite
// runs BEGIN IMMEDIATE (one writer at a time, across processes too); PostgreSQL runs READ
// COMMITTED, which is enough for the two patterns the hub relies on:
//  - Compare-and-swap: `UPDATE t SET …, generation = ?2 WHERE id = ?1 AND generation = ?3`, then
//    changes() == 1 means this writer won. On PostgreSQL a second writer waits for the first to
//    commit, then re-checks the WHERE against the committed row, so exactly one of them wins.
//  - Claiming rows (each to exactly one of many workers), in one statement:
//      Statement claim(db, std::string("UPDATE jobs SET owner = ?1 WHERE id IN (SELECT id FROM jobs"
//                      " WHERE owner IS NULL ORDER BY id LIMIT ?2") + forUpdateSkipLocked(db) +
//                      ") RETURNING id");
//    On PostgreSQL `FOR UPDATE SKIP LOCKED` locks the chosen rows and lets a concurrent claimer
//    pass over them to the next free ones instead of waiting; on SQLite the clause is empty and
//    the claim runs inside BEGIN IMMEDIATE, where no other writer can interleave.
//
// Migrations are numbered and applied in order, each exactly once and in its own transaction.
// SQLite records the version in PRAGMA user_version; PostgreSQL in the table schema_migrations
// (one row per applied version), and an advisory lock makes hub processes that start together
// apply each migration once.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/result.h"

struct sqlite3;

namespace liaison::storage {

enum class Dialect { Sqlite, Postgres };

struct Migration {
  int version;  // 1, 2, 3, ... applied in order, each exactly once
  // May hold several statements. PostgreSQL runs it through toPostgresSchema unless `postgres`
  // is set.
  const char* sql;
  // PostgreSQL's own text where the dialects differ beyond toPostgresSchema's spellings (a
  // SQLite-only function, say), or nullptr when `sql` serves both.
  const char* postgres = nullptr;
};

// A failed statement. kind() lets a caller tell a constraint violation (a duplicate key: often an
// expected outcome) from a conflict worth retrying and from everything else.
class DatabaseError : public std::runtime_error {
 public:
  enum class Kind {
    Other,
    Constraint,  // UNIQUE, NOT NULL, CHECK, foreign key
    Conflict,    // busy, lock timeout, deadlock or serialization failure: retry the transaction
  };
  DatabaseError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

class Connection;
class PreparedStatement;
class Database;

class Statement {
 public:
  Statement(Database& db, const std::string& sql);
  // SQLite only: for code that only ever runs on SQLite (the sandbox's document store).
  Statement(sqlite3* db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const std::string& value);
  // Text that stays alive and unchanged until the next reset() or the statement's end: SQLite
  // reads it in place instead of copying it (a bulk insert of 100,000s of rows copies each of
  // its values once less). PostgreSQL copies it, as bind() does.
  Statement& bindBorrowed(int index, std::string_view value);
  Statement& bind(int index, int64_t value);
  Statement& bindNull(int index);
  // Steps once; true while a row is available. Bad SQL throws here at the latest (SQLite already
  // in the constructor; PostgreSQL sends the statement on the first step).
  bool step();
  // Back to before the first step, with every parameter unbound (NULL) again.
  void reset();
  std::string columnText(int index) const;  // NULL reads as ""
  int64_t columnInt(int index) const;       // NULL reads as 0, a boolean as 0 or 1
  bool columnIsNull(int index) const;

 private:
  std::unique_ptr<PreparedStatement> impl_;
};

class Database {
 public:
  // Opens `location` and applies pending migrations: a postgresql:// (or postgres://) URL, or
  // else a SQLite file path (created if needed). Throws at start-up on failure; the message never
  // holds a password from the URL.
  Database(const std::string& location, std::span<const Migration> migrations);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Dialect dialect() const;
  void exec(const std::string& sql);  // several statements allowed; no parameters
  Status tryExec(const std::string& sql);
  int schemaVersion();
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection (a SELECT leaves it alone):
  // how a compare-and-swap (UPDATE ... WHERE generation = ?) learns whether it won.
  int64_t changes();

  void begin();     // BEGIN IMMEDIATE on SQLite, BEGIN (READ COMMITTED) on PostgreSQL
  void commit();    // throws if the transaction cannot commit (PostgreSQL: it had failed)
  void rollback();  // never throws; a lost connection rolls back by itself
  // Runs `work` between begin() and commit(); a failed `work` (an error value or an exception)
  // rolls back. Storage failures come back as internal errors.
  Status transaction(const std::function<Status(Database&)>& work);

  // The SQLite connection (SQLite-only code, PRAGMAs in tests); throws on PostgreSQL.
  sqlite3* handle();
  Connection& connection() { return *connection_; }

 private:
  std::unique_ptr<Connection> connection_;
};

// The factory: `postgresql://…` (or `postgres://…`) opens PostgreSQL, anything else a SQLite file.
std::unique_ptr<Database> openDatabase(const std::string& location, std::span<const Migration> migrations);
bool isPostgresUrl(const std::string& location);
// Whether a postgresql:// URL carries a password (user:password@ or ?password=).
bool postgresUrlHasPassword(const std::string& url);

// " FOR UPDATE SKIP LOCKED" on PostgreSQL, "" on SQLite: see "Claiming rows" above.
const char* forUpdateSkipLocked(const Database& db);
// The same for a query that joins tables: " FOR UPDATE OF <table> SKIP LOCKED" locks only the rows
// of `table` (its alias), so rows the claim merely reads from others stay free.
std::string forUpdateOfSkipLocked(const Database& db, std::string_view table);
// " FOR UPDATE" on PostgreSQL, "" on SQLite: a SELECT that locks the rows it reads until the
// transaction ends, so writers that read a row first (a counter, a shared window) go one after the
// other. SQLite needs no clause: BEGIN IMMEDIATE lets only one writer in at a time.
const char* forUpdate(const Database& db);
// Inside a transaction: waits for the lock schema changes run under and holds it to the end of the
// transaction, so processes starting together create tables one at a time (PostgreSQL's migration
// advisory lock; on SQLite, BEGIN IMMEDIATE already is that lock).
void lockSchema(Database& db);

// begin() now; rollback() when left without commit() (an error return or an exception).
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) { db_.begin(); }
  ~Transaction() {
    if (!done_) db_.rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    done_ = true;  // a failed COMMIT has ended the transaction too
    db_.commit();
  }

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace liaison::storage
