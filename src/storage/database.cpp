#include "storage/database.h"

#include <exception>

#include "storage/connection.h"

namespace liaison::storage {

Error storageError(const std::string& detail) {
  return internalError("storage", "The data could not be saved.", detail);
}

Statement::Statement(Database& db, const std::string& sql) : impl_(db.connection().prepare(sql)) {}

Statement::Statement(sqlite3* db, const std::string& sql) : impl_(prepareSqlite(db, sql)) {}

Statement::~Statement() = default;

Statement& Statement::bind(int index, const std::string& value) {
  impl_->bindText(index, value);
  return *this;
}

Statement& Statement::bindBorrowed(int index, std::string_view value) {
  impl_->bindBorrowedText(index, value);
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  impl_->bindInt(index, value);
  return *this;
}

Statement& Statement::bindNull(int index) {
  impl_->bindNull(index);
  return *this;
}

bool Statement::step() { return impl_->step(); }
void Statement::reset() { impl_->reset(); }
std::string Statement::columnText(int index) const { return impl_->columnText(index); }
int64_t Statement::columnInt(int index) const { return impl_->columnInt(index); }
bool Statement::columnIsNull(int index) const { return impl_->columnIsNull(index); }

bool isPostgresUrl(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Database::Database(const std::string& location, std::span<const Migration> migrations)
    : connection_(isPostgresUrl(location) ? openPostgresConnection(location)
                                          : openSqliteConnection(location)) {
  connection_->migrate(migrations);
}

Database::~Database() = default;

Dialect Database::dialect() const { return connection_->dialect(); }

void Database::exec(const std::string& sql) {
  auto status = tryExec(sql);
  if (!status) {
    const char* prefix = dialect() == Dialect::Postgres ? "postgres: " : "sqlite: ";
    throw DatabaseError(DatabaseError::Kind::Other, prefix + status.error().detail);
  }
}

Status Database::tryExec(const std::string& sql) { return connection_->tryExec(sql); }

int Database::schemaVersion() { return connection_->schemaVersion(); }

int64_t Database::changes() { return connection_->changes(); }

void Database::begin() { connection_->begin(); }
void Database::commit() { connection_->commit(); }
void Database::rollback() { connection_->rollback(); }

Status Database::transaction(const std::function<Status(Database&)>& work) {
  try {
    begin();
  } catch (const std::exception& e) {
    return storageError(e.what());
  }
  try {
    Status status = work(*this);
    if (!status) {
      rollback();
      return status;
    }
    commit();
    return okStatus();
  } catch (const std::exception& e) {
    rollback();
    return storageError(e.what());
  }
}

sqlite3* Database::handle() {
  sqlite3* handle = connection_->sqliteHandle();
  if (handle == nullptr) {
    throw DatabaseError(DatabaseError::Kind::Other,
                        "this code still needs SQLite; convert it to Statement(Database&, sql)");
  }
  return handle;
}

std::unique_ptr<Database> openDatabase(const std::string& location, std::span<const Migration> migrations) {
  return std::make_unique<Database>(location, migrations);
}

const char* forUpdateSkipLocked(const Database& db) {
  return db.dialect() == Dialect::Postgres ? " FOR UPDATE SKIP LOCKED" : "";
}

const char* forUpdate(const Database& db) { return db.dialect() == Dialect::Postgres ? " FOR UPDATE" : ""; }

std::string forUpdateOfSkipLocked(const Database& db, std::string_view table) {
  if (db.dialect() != Dialect::Postgres) return "";
  return " FOR UPDATE OF " + std::string(table) + " SKIP LOCKED";
}

void lockSchema(Database& db) {
  if (db.dialect() == Dialect::Postgres) db.exec(kSchemaLockSql);
}

}  // namespace liaison::storage
