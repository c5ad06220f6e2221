#pragma once
// Durable storage of JSON documents keyed by (kind, id). The sandbox keeps its state in memory
// and writes every change through this seam before it answers, so an acknowledged change
// survives a kill -9. Tests substitute MemoryDocumentStore.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace liaison::storage {

struct Document {
  std::string kind;
  std::string id;
  std::string json;
};

struct Write {
  std::string kind;
  std::string id;
  std::optional<std::string> json;  // nullopt deletes the document
};

class DocumentStore {
 public:
  virtual ~DocumentStore() = default;
  // Applies all writes atomically and durably.
  virtual Status commit(const std::vector<Write>& writes) = 0;
  virtual std::vector<Document> loadAll() = 0;
  // Deletes every document (used by a reset to seed).
  virtual Status clear() = 0;
};

class MemoryDocumentStore final : public DocumentStore {
 public:
  Status commit(const std::vector<Write>& writes) override;
  std::vector<Document> loadAll() override;
  Status clear() override;
  size_t commits() const { return commits_; }

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::string> docs_;
  size_t commits_ = 0;
};

// SQLite file at `path` (the sandbox uses `<data dir>/sandbox.sqlite3`), WAL mode, schema managed by numbered migrations.
std::unique_ptr<DocumentStore> openSqliteDocumentStore(const std::string& path);

}  // namespace liaison::storage
