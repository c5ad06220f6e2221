#include "sync/connectors/sql_table.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <new>
#include <span>
#include <utility>

#include "storage/database.h"

namespace liaison::sync {
namespace {

using storage::Database;
using storage::DatabaseError;
using storage::Dialect;
using storage::Statement;

// The table's columns from the catalogue rather than information_schema alone: format_type with
// the modifier -1 ("none") names the unconstrained type ("bpchar"; with NULL it says "character",
// which a cast reads as char(1)), so a text parameter cast to it is neither cut short nor refused,
// and the column's own length limit still applies when the value is stored. to_regclass resolves
// the quoted name through search_path.
constexpr const char* kPostgresColumnsSql =
    "SELECT a.attname, COALESCE(CAST(c.data_type AS text), format_type(a.atttypid, NULL)),"
    " format_type(a.atttypid, -1), NOT a.attnotnull"
    " FROM pg_attribute a"
    " JOIN pg_class r ON r.oid = a.attrelid"
    " JOIN pg_namespace n ON n.oid = r.relnamespace"
    " LEFT JOIN information_schema.columns c"
    "  ON c.table_schema = n.nspname AND c.table_name = r.relname AND c.column_name = a.attname"
    " WHERE a.attrelid = to_regclass(?1) AND a.attnum > 0 AND NOT a.attisdropped"
    "  AND r.relkind IN ('r', 'p', 'v', 'f', 'm')"
    " ORDER BY a.attnum";

constexpr const char* kSqliteColumnsSql = "SELECT name, type, \"notnull\" FROM pragma_table_info(?1)";

Error invalid(const std::string& what, std::string message) {
  return makeError(ErrorCode::InvalidRequest, "sync.sql_table." + what, std::move(message));
}

// A failure the database reported: a message for the caller, the database's own words for the log.
Error databaseError(const std::string& what, std::string message, const std::exception& error) {
  Error result = internalError("sync.sql_table." + what, std::move(message), error.what());
  if (const auto* database = dynamic_cast<const DatabaseError*>(&error)) {
    if (database->kind() == DatabaseError::Kind::Constraint) result.code = ErrorCode::Conflict;
    if (database->kind() == DatabaseError::Kind::Conflict) result.code = ErrorCode::Unavailable;
  }
  return result;
}

std::string quoteIdentifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

// PostgreSQL reads `schema.table` as two names. A SQLite sync table lives in the file's main
// schema, so a dot there is part of the name.
std::string quoteTable(std::string_view table, Dialect dialect) {
  const size_t dot = table.find('.');
  if (dialect == Dialect::Sqlite || dot == std::string_view::npos) return quoteIdentifier(table);
  return quoteIdentifier(table.substr(0, dot)) + "." + quoteIdentifier(table.substr(dot + 1));
}

std::string sqlitePath(const std::string& url) {
  for (std::string_view prefix : {"sqlite://", "file://", "file:"}) {
    if (url.starts_with(prefix)) return url.substr(prefix.size());
  }
  return url;
}

bool sameNameIgnoringCase(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return std::ranges::equal(a, b, [&](char x, char y) { return lower(x) == lower(y); });
}

// SHA-256 over a sequence of values, each length-prefixed so that no two sequences collide by
// shifting text from one value into the next.
class ValueHash {
 public:
  ValueHash() : context_(EVP_MD_CTX_new()) {
    if (context_ == nullptr || EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1) {
      EVP_MD_CTX_free(context_);
      throw std::bad_alloc();
    }
  }
  ~ValueHash() { EVP_MD_CTX_free(context_); }
  ValueHash(const ValueHash&) = delete;
  ValueHash& operator=(const ValueHash&) = delete;

  void add(std::string_view value) {
    const std::string length = std::to_string(value.size()) + ":";
    EVP_DigestUpdate(context_, length.data(), length.size());
    EVP_DigestUpdate(context_, value.data(), value.size());
  }
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_DigestFinal_ex(context_, digest.data(), &size);
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    for (unsigned char byte : std::span(digest.data(), size)) {
      text += kDigits[byte >> 4];
      text += kDigits[byte & 0xf];
    }
    return text;
  }

 private:
  EVP_MD_CTX* context_;
};

}  // namespace

SqlTable::SqlTable(SqlTableOptions options, std::unique_ptr<Database> db)
    : options_(std::move(options)), db_(std::move(db)) {}

SqlTable::~SqlTable() = default;

Result<std::unique_ptr<SqlTable>> SqlTable::open(SqlTableOptions options) {
  if (options.table.empty()) return invalid("missing_table", "The SQL table side needs a table name.");
  if (options.key.empty()) return invalid("missing_key", "The SQL table side needs a key column.");
  for (const std::string* name : {&options.table, &options.key, &options.updated_at}) {
    if (name->find('\0') != std::string::npos) return invalid("invalid_name", "A name holds a NUL byte.");
  }
  if (options.where.find(';') != std::string::npos) {
    return invalid("invalid_where", "The where condition must be a single condition: ';' is not allowed.");
  }
  std::string location = options.url;
  if (!storage::isPostgresUrl(location)) {
    // Opening a SQLite path that is not there would create an empty database instead of failing.
    location = sqlitePath(location);
    std::error_code ignored;
    if (location.empty() || !std::filesystem::is_regular_file(location, ignored)) {
      Error error = invalid("missing_database", "The SQLite database file does not exist.");
      error.detail = location;
      return error;
    }
  }
  std::unique_ptr<Database> db;
  try {
    db = storage::openDatabase(location, {});
  } catch (const std::exception& e) {  // the storage layer's message never holds the password
    Error error = databaseError("unreachable", "The sync's SQL database could not be opened.", e);
    error.code = ErrorCode::Unavailable;
    return error;
  }
  std::unique_ptr<SqlTable> table(new SqlTable(std::move(options), std::move(db)));
  if (auto status = table->readSchema(); !status) return status.error();
  if (auto status = table->checkWhere(); !status) return status.error();
  return table;
}

Status SqlTable::readSchema() {
  const bool postgres = db_->dialect() == Dialect::Postgres;
  quoted_table_ = quoteTable(options_.table, db_->dialect());
  try {
    Statement columns(*db_, postgres ? kPostgresColumnsSql : kSqliteColumnsSql);
    columns.bind(1, postgres ? quoted_table_ : options_.table);
    while (columns.step()) {
      columns_.push_back(Column{columns.columnText(0), columns.columnText(1)});
      const bool nullable = postgres ? columns.columnInt(3) != 0 : columns.columnInt(2) == 0;
      traits_.push_back(ColumnTraits{nullable, postgres ? columns.columnText(2) : std::string()});
    }
  } catch (const std::exception& e) {
    return databaseError("schema_unreadable",
                         "The columns of table " + options_.table + " could not be read.", e);
  }
  if (columns_.empty()) {
    return invalid("missing_table", "Table " + options_.table + " does not exist in the sync's database.");
  }
  key_column_ = findColumn(options_.key);
  if (key_column_ < 0) {
    return invalid("missing_key_column",
                   "Table " + options_.table + " has no key column " + options_.key + ".");
  }
  if (!options_.updated_at.empty()) {
    updated_at_column_ = findColumn(options_.updated_at);
    if (updated_at_column_ < 0) {
      return invalid("missing_updated_at_column",
                     "Table " + options_.table + " has no updated_at column " + options_.updated_at + ".");
    }
  }
  return okStatus();
}

std::string SqlTable::whereClause() const {
  return options_.where.empty() ? std::string() : " WHERE (" + options_.where + ")";
}

// Runs the condition once on no rows, so a typo in it fails the open rather than every read.
Status SqlTable::checkWhere() {
  if (options_.where.empty()) return okStatus();
  try {
    Statement probe(*db_, "SELECT 1 FROM " + quoted_table_ + whereClause() + " LIMIT 0");
    probe.step();
  } catch (const std::exception& e) {
    Error error =
        invalid("invalid_where", "The where condition is not valid for table " + options_.table + ".");
    error.detail = e.what();
    return error;
  }
  return okStatus();
}

int SqlTable::findColumn(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return static_cast<int>(i);
  }
  if (db_->dialect() == Dialect::Postgres) return -1;  // quoted PostgreSQL names are case-sensitive
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (sameNameIgnoringCase(columns_[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

Result<TableRead> SqlTable::readAll() {
  TableRead read;
  read.columns = columns_;
  read.rows.complete = true;
  std::string select = "SELECT ";
  for (size_t i = 0; i < columns_.size(); ++i) select += (i ? ", " : "") + quoteIdentifier(columns_[i].name);
  select +=
      " FROM " + quoted_table_ + whereClause() + " ORDER BY " + quoteIdentifier(columns_[key_column_].name);
  ValueHash hash;
  int64_t newest_change = 0;
  // Count and newest change time tell rows apart only while every row has a change time; an
  // undated row could change unseen, so then the fingerprint hashes every value instead.
  bool every_row_dated = updated_at_column_ >= 0;
  try {
    Statement rows(*db_, select);
    while (rows.step()) {
      Record record;
      record.text.reserve(columns_.size());
      for (size_t i = 0; i < columns_.size(); ++i) {
        std::string value = rows.columnText(static_cast<int>(i));
        hash.add(value);
        record.text.emplace(columns_[i].name, std::move(value));
      }
      record.id = record.field(columns_[key_column_].name);
      if (updated_at_column_ >= 0) {
        record.changed_at_ms = parseChangeTimeMs(record.field(columns_[updated_at_column_].name));
        every_row_dated = every_row_dated && record.changed_at_ms != 0;
        newest_change = std::max(newest_change, record.changed_at_ms);
      }
      read.rows.records.push_back(std::move(record));
    }
  } catch (const std::exception& e) {
    return databaseError("read_failed", "Table " + options_.table + " could not be read.", e);
  }
  read.fingerprint = "rows=" + std::to_string(read.rows.records.size()) +
                     (every_row_dated ? ";newest=" + std::to_string(newest_change) : ";sha256=" + hash.hex());
  return read;
}

Result<std::vector<std::string>> SqlTable::apply(const std::vector<RowWrite>& writes) {
  // Every name is checked before the first statement, so a mapping's typo writes nothing.
  for (const RowWrite& write : writes) {
    for (const auto& [name, value] : write.values) {
      if (findColumn(name) < 0) {
        return invalid("unknown_column", "Table " + options_.table + " has no column " + name + ".");
      }
    }
    if (write.kind == RowWrite::Kind::Update && write.id.empty()) {
      return invalid("missing_row_key", "An update of table " + options_.table + " names no row.");
    }
  }
  std::vector<std::string> created;
  if (writes.empty()) return created;
  try {
    storage::Transaction transaction(*db_);  // an early return rolls back
    Prepared cache;
    for (const RowWrite& write : writes) {
      if (write.kind == RowWrite::Kind::Create) {
        auto key = create(write, cache);
        if (!key) return key.error();
        created.push_back(std::move(*key));
      } else if (auto status = update(write, cache); !status) {
        return status.error();
      }
    }
    cache.clear();  // statements end before their transaction does
    transaction.commit();
  } catch (const std::exception& e) {
    return databaseError(
        "write_failed", "The rows could not be written to table " + options_.table + "; nothing was written.",
        e);
  }
  return created;
}

std::string SqlTable::parameter(int index, int column) const {
  std::string placeholder = "?";
  placeholder += std::to_string(index);
  if (db_->dialect() == Dialect::Sqlite) return placeholder;  // the column's affinity converts text
  return std::string("CAST(")
      .append(placeholder)
      .append(" AS ")
      .append(traits_[column].cast_type)
      .append(")");
}

void SqlTable::bindValue(Statement& statement, int index, int column, const std::string& value) const {
  if (value.empty() && traits_[column].nullable) {
    statement.bindNull(index);
  } else {
    statement.bind(index, value);
  }
}

Statement& SqlTable::prepared(Prepared& cache, const std::string& sql) {
  auto& statement = cache[sql];
  if (statement) {
    statement->reset();
  } else {
    statement = std::make_unique<Statement>(*db_, sql);
  }
  return *statement;
}

Result<std::string> SqlTable::create(const RowWrite& write, Prepared& cache) {
  std::vector<std::pair<int, const std::string*>> assigned;  // column, value
  for (const auto& [name, value] : write.values) assigned.emplace_back(findColumn(name), &value);
  const bool key_assigned =
      std::ranges::any_of(assigned, [&](const auto& a) { return a.first == key_column_; });
  if (!write.id.empty() && !key_assigned) assigned.emplace_back(key_column_, &write.id);

  std::string sql = "INSERT INTO " + quoted_table_;
  if (assigned.empty()) {
    sql += " DEFAULT VALUES";
  } else {
    std::string names, values;
    for (size_t i = 0; i < assigned.size(); ++i) {
      if (i > 0) {
        names += ", ";
        values += ", ";
      }
      names += quoteIdentifier(columns_[assigned[i].first].name);
      values += parameter(static_cast<int>(i) + 1, assigned[i].first);
    }
    sql += " (" + names + ") VALUES (" + values + ")";
  }
  // RETURNING gives the key the database chose (an autoincrement or identity column) and the key
  // as the database spells it when the write gave one.
  sql += " RETURNING " + quoteIdentifier(columns_[key_column_].name);
  Statement& insert = prepared(cache, sql);
  for (size_t i = 0; i < assigned.size(); ++i) {
    bindValue(insert, static_cast<int>(i) + 1, assigned[i].first, *assigned[i].second);
  }
  if (!insert.step()) {
    return internalError("sync.sql_table.no_key_returned",
                         "Table " + options_.table + " returned no key for a new row; nothing was written.",
                         "");
  }
  std::string key = insert.columnText(0);
  while (insert.step()) {
    // Stepped to its end: SQLite completes a RETURNING statement only there.
  }
  return key;
}

Status SqlTable::update(const RowWrite& write, Prepared& cache) {
  const std::string& key_name = columns_[key_column_].name;
  const int key_index = static_cast<int>(write.values.size()) + 1;
  const std::string key_match =
      " WHERE " + quoteIdentifier(key_name) + " = " + parameter(key_index, key_column_);
  // An update with no values changes nothing but must still name a row that exists.
  std::string sql =
      write.values.empty() ? "SELECT COUNT(*) FROM " + quoted_table_ : "UPDATE " + quoted_table_ + " SET ";
  int index = 1;
  for (const auto& [name, value] : write.values) {
    const int column = findColumn(name);
    sql +=
        (index > 1 ? ", " : "") + quoteIdentifier(columns_[column].name) + " = " + parameter(index, column);
    ++index;
  }
  Statement& statement = prepared(cache, sql + key_match);
  index = 1;
  for (const auto& [name, value] : write.values) bindValue(statement, index++, findColumn(name), value);
  statement.bind(key_index, write.id);
  const bool counted = statement.step();
  const int64_t rows = write.values.empty() ? (counted ? statement.columnInt(0) : 0) : db_->changes();
  if (rows == 1) return okStatus();
  Error error = makeError(rows == 0 ? ErrorCode::NotFound : ErrorCode::Conflict,
                          rows == 0 ? "sync.sql_table.row_not_found" : "sync.sql_table.key_not_unique",
                          "An update of table " + options_.table + " matched " + std::to_string(rows) +
                              " rows instead of one; nothing was written.");
  error.detail = key_name + " = " + write.id;  // a key can be personal data: logs only
  return error;
}

}  // namespace liaison::sync
