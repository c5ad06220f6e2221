#include "hub/vault/data_key_repository.h"

namespace liaison::hub {
namespace {

Error unknownVersion(int version) {
  return makeError(ErrorCode::NotFound, "vault.unknown_key",
                   "The vault has no data key v" + std::to_string(version) + ".");
}

}  // namespace

Result<std::vector<StoredDataKey>> MemoryDataKeyRepository::load() {
  std::lock_guard lock(mutex_);
  std::vector<StoredDataKey> out;
  for (const auto& [version, key] : keys_) out.push_back(key);
  return out;
}

Status MemoryDataKeyRepository::insert(const StoredDataKey& key) {
  std::lock_guard lock(mutex_);
  if (!keys_.emplace(key.version, key).second) {
    return makeError(ErrorCode::Conflict, "vault.key_exists",
                     "The vault already has data key v" + std::to_string(key.version) + ".");
  }
  ++writes_;
  return okStatus();
}

Status MemoryDataKeyRepository::makeCurrent(int version) {
  std::lock_guard lock(mutex_);
  auto it = keys_.find(version);
  if (it == keys_.end() || it->second.retired) return unknownVersion(version);
  for (auto& [v, key] : keys_) key.current = v == version;
  ++writes_;
  return okStatus();
}

Status MemoryDataKeyRepository::retire(int version) {
  std::lock_guard lock(mutex_);
  auto it = keys_.find(version);
  if (it == keys_.end()) return unknownVersion(version);
  it->second.retired = true;
  it->second.current = false;
  ++writes_;
  return okStatus();
}

Result<std::optional<std::string>> MemoryDataKeyRepository::keyCheck() {
  std::lock_guard lock(mutex_);
  return key_check_;
}

Status MemoryDataKeyRepository::setKeyCheck(const std::string& value) {
  std::lock_guard lock(mutex_);
  key_check_ = value;
  ++writes_;
  return okStatus();
}

int MemoryDataKeyRepository::writes() const {
  std::lock_guard lock(mutex_);
  return writes_;
}

}  // namespace liaison::hub
