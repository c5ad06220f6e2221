#pragma once
// Named snapshots of the whole sandbox (accounts, users, apps, grants, contacts, lists, fields,
// tags, activities, social links, campaigns), taken and restored through the control API. A
// snapshot's JSON is also the fixture format: save one, commit it, and start a sandbox from it
// with `--fixture` or PUT it back. Signing keys are never part of a snapshot; tokens, codes and
// passwords appear only as the hashes the sandbox stores.
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "http/router.h"
#include "storage/document_store.h"

namespace liaison::sandbox {

class Snapshots {
 public:
  using Collect = std::function<std::vector<storage::Document>()>;
  using Restore = std::function<Status(const std::vector<storage::Document>&)>;
  Snapshots(const Clock& clock, Collect collect, Restore restore);

  Result<nlohmann::json> take(const std::string& name);
  Status restore(const std::string& name);
  // Fixture JSON <-> stored snapshot.
  Result<nlohmann::json> exportSnapshot(const std::string& name) const;
  Result<nlohmann::json> importSnapshot(const std::string& name, const nlohmann::json& fixture);
  nlohmann::json list() const;
  bool remove(const std::string& name);

  void addRoutes(http::Router& router);

 private:
  struct Snapshot {
    std::string created_at;
    std::vector<storage::Document> documents;
  };
  static nlohmann::json summary(const std::string& name, const Snapshot& snapshot);

  const Clock& clock_;
  Collect collect_;
  Restore restore_;
  mutable std::mutex mutex_;
  std::map<std::string, Snapshot> snapshots_;
};

}  // namespace liaison::sandbox
