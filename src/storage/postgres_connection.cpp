// The PostgreSQL backend over libpq: one connection per Database, statements sent with their
// parameters in text form, typed by what was bound: an int64 as bigint (so `?1 + 1` cannot shrink
// it to 32 bits), a string as text, a NULL left for PostgreSQL to infer from where it is used.
// Results are read in text format; migrations are recorded in schema_migrations.
#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "storage/connection.h"
#include "storage/postgres_sql.h"

namespace liaison::storage {
namespace {

constexpr Oid kUnknownOid = 0;  // PostgreSQL infers the type from where the parameter is used
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
// Held while migrating: processes that start together take turns.
constexpr const char* kMigrationLock = kSchemaLockSql;

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

DatabaseError::Kind kindOf(const PGresult* result) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr) return DatabaseError::Kind::Other;
  const std::string code(state);
  if (code.starts_with("23")) return DatabaseError::Kind::Constraint;
  if (code == "40001" || code == "40P01" || code == "55P03") return DatabaseError::Kind::Conflict;
  return DatabaseError::Kind::Other;
}

// The server's primary message and SQLSTATE only: its DETAIL can quote row values (the key of a
// duplicate), which may be secret and must not reach the log.
std::string describe(PGconn* conn, const PGresult* result) {
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string text = primary ? primary : PQerrorMessage(conn);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return state ? text + " (SQLSTATE " + state + ")" : text;
}

bool succeeded(const PGresult* result) {
  const auto status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

void ignoreNotice(void*, const char*) {}

// Every password in `url` (user:password@ or ?password=), to blank out of error messages.
std::vector<std::string> passwordsIn(const std::string& url) {
  std::vector<std::string> secrets;
  const size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t end = url.find_first_of("/?", start);
    const std::string authority =
        url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    const size_t at = authority.rfind('@');
    const size_t colon = authority.find(':');
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      secrets.push_back(authority.substr(colon + 1, at - colon - 1));
    }
  }
  if (PQconninfoOption* options = PQconninfoParse(url.c_str(), nullptr)) {
    for (auto* option = options; option->keyword != nullptr; ++option) {
      if (std::string(option->keyword) == "password" && option->val != nullptr)
        secrets.emplace_back(option->val);
    }
    PQconninfoFree(options);
  }
  return secrets;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(const std::string& url) {
    // Defaults first, then the URL (expanded in place of dbname) overrides them; the encoding
    // comes last so that text is always UTF-8.
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", "client_encoding", nullptr};
    const char* values[] = {"10", "liaison", url.c_str(), "UTF8", nullptr};
    conn_ = PQconnectdbParams(keywords, values, 1);
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
      while (!message.empty() && message.back() == '\n') message.pop_back();
      std::string where = conn_ && PQdb(conn_) ? std::string(" ") + PQdb(conn_) : std::string();
      if (conn_ && PQhost(conn_) && PQport(conn_))
        where += std::string(" at ") + PQhost(conn_) + ":" + PQport(conn_);
      PQfinish(conn_);
      throw DatabaseError(DatabaseError::Kind::Other,
                          "cannot connect to PostgreSQL" + where + ": " + redact(message, passwordsIn(url)));
    }
    PQsetNoticeProcessor(conn_, ignoreNotice, nullptr);
  }
  ~PostgresConnection() override { PQfinish(conn_); }
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  Dialect dialect() const override { return Dialect::Postgres; }

  void migrate(std::span<const Migration> migrations) override {
    // No migrations: a database the caller does not own (a sync's table in an app's database),
    // which must not gain a schema_migrations table (or trip over the app's own of that name).
    if (migrations.empty()) return;
    if (!hasVersionTable()) {
      begin();
      mustExec(kMigrationLock);
      mustExec(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          "version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
      commit();
    }
    int current = schemaVersion();
    for (const auto& migration : migrations) {
      if (migration.version <= current) continue;
      begin();
      mustExec(kMigrationLock);
      current = schemaVersion();  // another process may have applied it while we waited
      if (migration.version <= current) {
        commit();
        continue;
      }
      auto status =
          tryExec(migration.postgres ? std::string(migration.postgres) : toPostgresSchema(migration.sql));
      if (!status) {
        rollback();
        throw DatabaseError(DatabaseError::Kind::Other, "migration " + std::to_string(migration.version) +
                                                            " failed: " + status.error().detail);
      }
      mustExec("INSERT INTO schema_migrations (version) VALUES (" + std::to_string(migration.version) + ")");
      commit();
      current = migration.version;
    }
  }

  Status tryExec(const std::string& sql) override {
    try {
      ensureConnected();
    } catch (const DatabaseError& e) {
      return storageError(e.what());
    }
    PgResult result(PQexec(conn_, sql.c_str()), &PQclear);
    if (!succeeded(result.get())) return storageError(describe(conn_, result.get()));
    recordChanges(result.get());
    return okStatus();
  }

  std::unique_ptr<PreparedStatement> prepare(const std::string& sql) override;

  int64_t changes() override { return changes_; }

  int schemaVersion() override {
    if (!hasVersionTable()) return 0;
    PgResult result = run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", 0, nullptr, nullptr);
    return static_cast<int>(std::strtoll(PQgetvalue(result.get(), 0, 0), nullptr, 10));
  }

  void begin() override {
    mustExec("BEGIN ISOLATION LEVEL READ COMMITTED");
    inTransaction_ = true;
  }

  void commit() override {
    inTransaction_ = false;
    PgResult result(PQexec(conn_, "COMMIT"), &PQclear);
    if (!succeeded(result.get())) throw error("commit", result.get());
    // COMMIT of a transaction in which a statement failed rolls back and answers "ROLLBACK".
    if (std::string(PQcmdStatus(result.get())) == "ROLLBACK") {
      throw DatabaseError(
          DatabaseError::Kind::Other,
          "postgres commit failed: a statement in the transaction had failed; it was rolled back");
    }
  }

  void rollback() override {
    inTransaction_ = false;
    const auto state = PQtransactionStatus(conn_);
    if (state == PQTRANS_INTRANS || state == PQTRANS_INERROR) PQclear(PQexec(conn_, "ROLLBACK"));
  }

  // Runs `sql` with text parameters ($1..$n) and returns its result; throws when it fails.
  PgResult run(const std::string& sql, int count, const Oid* types, const char* const* values) {
    ensureConnected();
    PgResult result(PQexecParams(conn_, sql.c_str(), count, types, values, nullptr, nullptr, 0), &PQclear);
    if (!succeeded(result.get())) throw error("statement", result.get());
    recordChanges(result.get());
    return result;
  }

 private:
  // A connection that broke between transactions is re-established; inside a transaction the
  // failure stands (its work is gone, the caller must roll back and retry).
  void ensureConnected() {
    if (PQstatus(conn_) == CONNECTION_OK) return;
    if (!inTransaction_) PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw DatabaseError(DatabaseError::Kind::Other,
                          "postgres connection lost: " + describe(conn_, nullptr));
    }
  }

  bool hasVersionTable() {
    PgResult result = run("SELECT to_regclass('schema_migrations') IS NOT NULL", 0, nullptr, nullptr);
    return std::string(PQgetvalue(result.get(), 0, 0)) == "t";
  }

  void mustExec(const std::string& sql) { run(sql, 0, nullptr, nullptr); }

  void recordChanges(const PGresult* result) {
    const std::string command = PQcmdStatus(const_cast<PGresult*>(result));
    if (command.starts_with("INSERT") || command.starts_with("UPDATE") || command.starts_with("DELETE") ||
        command.starts_with("MERGE")) {
      changes_ = std::strtoll(PQcmdTuples(const_cast<PGresult*>(result)), nullptr, 10);
    }
  }

  DatabaseError error(const char* what, const PGresult* result) {
    return DatabaseError(kindOf(result),
                         std::string("postgres ") + what + " failed: " + describe(conn_, result));
  }

  PGconn* conn_ = nullptr;
  int64_t changes_ = 0;
  bool inTransaction_ = false;
};

class PostgresStatement final : public PreparedStatement {
 public:
  PostgresStatement(PostgresConnection& connection, const std::string& sql)
      : connection_(connection), sql_(toPostgresPlaceholders(sql)) {
    clearBindings();
  }

  void bindText(int index, const std::string& value) override { set(index, value, kTextOid); }
  void bindInt(int index, int64_t value) override { set(index, std::to_string(value), kInt8Oid); }
  void bindNull(int index) override {
    if (!inRange(index)) return;
    values_[index].reset();
    types_[index] = unboundType(index);
  }

  // Like SQLite, a step after the last row runs the statement again.
  bool step() override {
    if (!executed_ || done_) {
      execute();
      executed_ = true;
      row_ = 0;
    } else {
      ++row_;
    }
    done_ = row_ >= rows();
    return !done_;
  }

  void reset() override {
    result_.reset();
    executed_ = false;
    done_ = false;
    row_ = 0;
    clearBindings();
  }

  std::string columnText(int index) const override {
    if (columnIsNull(index)) return {};
    return std::string(PQgetvalue(result_.get(), row_, index),
                       static_cast<size_t>(PQgetlength(result_.get(), row_, index)));
  }

  int64_t columnInt(int index) const override {
    if (columnIsNull(index)) return 0;
    const char* text = PQgetvalue(result_.get(), row_, index);
    const char* end = text + PQgetlength(result_.get(), row_, index);
    if (std::string_view(text, end) == "t") return 1;  // booleans, from comparisons
    int64_t value = 0;
    std::from_chars(text, end, value);  // like SQLite: the leading integer, else 0
    return value;
  }

  bool columnIsNull(int index) const override {
    if (!result_ || row_ >= rows() || index < 0 || index >= PQnfields(result_.get())) return true;
    return PQgetisnull(result_.get(), row_, index) != 0;
  }

 private:
  bool inRange(int index) const { return index >= 1 && index <= sql_.parameterCount; }
  int rows() const { return result_ ? PQntuples(result_.get()) : 0; }
  // A NULL's type is left to PostgreSQL, except for a parameter the SQL never mentions, where it
  // could not infer one.
  Oid unboundType(int index) const { return sql_.referenced[index] ? kUnknownOid : kTextOid; }

  void set(int index, std::string value, Oid type) {
    if (!inRange(index)) return;  // like SQLite, a parameter the SQL lacks is ignored
    values_[index] = std::move(value);
    types_[index] = type;
  }

  void clearBindings() {
    values_.assign(sql_.parameterCount + 1, std::nullopt);
    types_.assign(sql_.parameterCount + 1, kUnknownOid);
    for (int i = 1; i <= sql_.parameterCount; ++i) types_[i] = unboundType(i);
  }

  void execute() {
    std::vector<const char*> values(sql_.parameterCount + 1, nullptr);
    for (int i = 1; i <= sql_.parameterCount; ++i) {
      if (values_[i]) values[i] = values_[i]->c_str();
    }
    result_ = connection_.run(sql_.text, sql_.parameterCount, types_.data() + 1, values.data() + 1);
  }

  PostgresConnection& connection_;
  PostgresSql sql_;
  std::vector<std::optional<std::string>> values_;  // [1..n]; nullopt is NULL
  std::vector<Oid> types_;
  PgResult result_{nullptr, &PQclear};
  bool executed_ = false;
  bool done_ = false;
  int row_ = 0;
};

std::unique_ptr<PreparedStatement> PostgresConnection::prepare(const std::string& sql) {
  return std::make_unique<PostgresStatement>(*this, sql);
}

}  // namespace

std::unique_ptr<Connection> openPostgresConnection(const std::string& url) {
  return std::make_unique<PostgresConnection>(url);
}

bool postgresUrlHasPassword(const std::string& url) {
  for (const auto& secret : passwordsIn(url)) {
    if (!secret.empty()) return true;
  }
  return false;
}

}  // namespace liaison::storage
