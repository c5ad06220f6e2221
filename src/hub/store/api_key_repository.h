#pragma once
// Hub API keys as rows: only a hash of each key is kept; the key itself is shown once.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/store/hub_database.h"
#include "hub/store/model.h"

namespace liaison::hub {

class ApiKeyRepository {
 public:
  explicit ApiKeyRepository(HubDatabase& db) : db_(db) {}
  Status insert(const ApiKey& key);
  Result<std::vector<ApiKey>> list();
  // The live (not revoked) key with that hash.
  Result<std::optional<ApiKey>> findLiveByHash(const std::string& hash);
  // Revokes by id or by name; false when nothing live matched.
  Result<bool> revoke(const std::string& id_or_name, TimePoint now);
  Status touch(const std::string& id, TimePoint now);
  // Moves on after every insert or revocation through this repository (core/ttl_cache.h).
  uint64_t version() const { return version_.load(); }

 private:
  HubDatabase& db_;
  std::atomic<uint64_t> version_{0};
};

}  // namespace liaison::hub
