#include "storage/document_store.h"

#include <spdlog/spdlog.h>

#include "storage/sqlite_database.h"

namespace liaison::storage {

Status MemoryDocumentStore::commit(const std::vector<Write>& writes) {
  std::lock_guard lock(mutex_);
  for (const auto& w : writes) {
    if (w.json) {
      docs_[{w.kind, w.id}] = *w.json;
    } else {
      docs_.erase({w.kind, w.id});
    }
  }
  ++commits_;
  return okStatus();
}

std::vector<Document> MemoryDocumentStore::loadAll() {
  std::lock_guard lock(mutex_);
  std::vector<Document> out;
  for (const auto& [key, json] : docs_) out.push_back({key.first, key.second, json});
  return out;
}

Status MemoryDocumentStore::clear() {
  std::lock_guard lock(mutex_);
  docs_.clear();
  return okStatus();
}

namespace {

constexpr Migration kMigrations[] = {
    {1,
     "CREATE TABLE documents ("
     "  kind TEXT NOT NULL,"
     "  id TEXT NOT NULL,"
     "  json TEXT NOT NULL,"
     "  PRIMARY KEY (kind, id)"
     ") WITHOUT ROWID;"},
};

class SqliteDocumentStore final : public DocumentStore {
 public:
  explicit SqliteDocumentStore(const std::string& path)
      : db_(path, kMigrations),
        upsert_(db_.handle(),
                "INSERT INTO documents(kind, id, json) VALUES(?1, ?2, ?3) "
                "ON CONFLICT(kind, id) DO UPDATE SET json = excluded.json"),
        erase_(db_.handle(), "DELETE FROM documents WHERE kind = ?1 AND id = ?2") {}

  Status commit(const std::vector<Write>& writes) override {
    std::lock_guard lock(mutex_);
    try {
      db_.exec("BEGIN IMMEDIATE");
      for (const auto& w : writes) {
        auto& stmt = w.json ? upsert_ : erase_;
        stmt.reset();
        stmt.bind(1, w.kind).bind(2, w.id);
        if (w.json) stmt.bind(3, *w.json);
        stmt.step();
      }
      db_.exec("COMMIT");
    } catch (const std::exception& e) {
      (void)db_.tryExec("ROLLBACK");
      spdlog::error("storage commit failed: {}", e.what());
      return internalError("storage", "The data could not be saved.", e.what());
    }
    return okStatus();
  }

  std::vector<Document> loadAll() override {
    std::lock_guard lock(mutex_);
    std::vector<Document> out;
    Statement stmt(db_.handle(), "SELECT kind, id, json FROM documents");
    while (stmt.step()) out.push_back({stmt.columnText(0), stmt.columnText(1), stmt.columnText(2)});
    return out;
  }

  Status clear() override {
    std::lock_guard lock(mutex_);
    return db_.tryExec("DELETE FROM documents");
  }

 private:
  std::mutex mutex_;
  Database db_;
  Statement upsert_;
  Statement erase_;
};

}  // namespace

std::unique_ptr<DocumentStore> openSqliteDocumentStore(const std::string& path) {
  return std::make_unique<SqliteDocumentStore>(path);
}

}  // namespace liaison::storage
