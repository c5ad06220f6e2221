#pragma once
// Where the vault keeps its data keys (each wrapped by the key-encryption key) and the key check
// value. The vault decides; a repository only stores, so the vault's rules are tested once
// against MemoryDataKeyRepository and hold for StoreDataKeyRepository too.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace liaison::hub {

struct StoredDataKey {
  int version = 0;       // 1, 2, 3, ... never reused, not even after retirement
  std::string wrapped;   // base64url of the data key sealed by the KEK (never the key itself)
  bool current = false;  // the one key new values are sealed with
  bool retired = false;  // no value uses it any more; it no longer opens anything

  friend bool operator==(const StoredDataKey&, const StoredDataKey&) = default;
};

class DataKeyRepository {
 public:
  virtual ~DataKeyRepository() = default;
  // Every stored data key, retired ones included, in ascending version order.
  virtual Result<std::vector<StoredDataKey>> load() = 0;
  // Stores `key` as given; fails if its version exists. New keys are inserted not current and
  // then made current, so a failure in between leaves the previous current key in place.
  virtual Status insert(const StoredDataKey& key) = 0;
  // Atomically: `version` becomes the current key and no other is. Fails for an unknown or
  // retired version.
  virtual Status makeCurrent(int version) = 0;
  // Marks `version` retired (and not current). Fails for an unknown version.
  virtual Status retire(int version) = 0;
  // The stored key check value, if one was ever stored.
  virtual Result<std::optional<std::string>> keyCheck() = 0;
  virtual Status setKeyCheck(const std::string& value) = 0;
};

// In memory, for tests and for a hub run without a database. Thread-safe.
class MemoryDataKeyRepository final : public DataKeyRepository {
 public:
  Result<std::vector<StoredDataKey>> load() override;
  Status insert(const StoredDataKey& key) override;
  Status makeCurrent(int version) override;
  Status retire(int version) override;
  Result<std::optional<std::string>> keyCheck() override;
  Status setKeyCheck(const std::string& value) override;

  // Successful writes so far, so a test can tell that a refused open wrote nothing.
  int writes() const;

 private:
  mutable std::mutex mutex_;
  std::map<int, StoredDataKey> keys_;
  std::optional<std::string> key_check_;
  int writes_ = 0;
};

}  // namespace liaison::hub
