#pragma once
// The vault's data keys and key check value in the hub's store (SQLite or PostgreSQL): tables vault_keys and
// vault_meta, created if missing. Every value is text (wrapped keys and the check value are
// base64url), and no row holds a key in plaintext.
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "hub/vault/data_key_repository.h"
#include "storage/database.h"

namespace liaison::hub {

class StoreDataKeyRepository final : public DataKeyRepository {
 public:
  // Creates the tables if they do not exist (throws on failure: this runs at start-up).
  // `database` and `clock` (which dates new keys) must outlive the repository.
  StoreDataKeyRepository(storage::Database& database, const Clock& clock);

  Result<std::vector<StoredDataKey>> load() override;
  Status insert(const StoredDataKey& key) override;
  Status makeCurrent(int version) override;
  Status retire(int version) override;
  Result<std::optional<std::string>> keyCheck() override;
  Status setKeyCheck(const std::string& value) override;

 private:
  // Runs `change` in one transaction, rolled back if it fails or throws.
  template <typename Change>
  Status inTransaction(Change&& change);

  storage::Database& db_;
  const Clock& clock_;
  // One transaction at a time on the shared connection.
  std::mutex mutex_;
};

}  // namespace liaison::hub
