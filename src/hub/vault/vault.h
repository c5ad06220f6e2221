#pragma once
// The hub's token vault: envelope encryption for the OAuth tokens it stores. Each value is sealed
// (AES-256-GCM) with a data key; data keys are stored wrapped by the key-encryption key (KEK),
// which never touches the database. A sealed value reads "v<N>." + base64url(nonce || ciphertext
// || tag), where N is the data key's version, and is bound to a context naming where it is stored
// ("connections/42/access_token"): moved to another row or field, it no longer opens.
//
// Rotation: rotate() makes a new data key current; older keys still open what they sealed until
// every value is re-sealed (isCurrent() finds the ones to re-seal) and the key is retired.
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.h"
#include "core/result.h"
#include "core/secret.h"
#include "hub/vault/data_key_repository.h"

namespace liaison::hub {

class Vault {
 public:
  // Opens the vault kept in `repository` with `kek` (32 bytes). A fresh repository gets the key
  // check value and data key v1. Otherwise the key check value is compared first, and a KEK that
  // does not match is refused ("vault.key_mismatch") before anything is written; then every data
  // key still in use is unwrapped, and one that does not unwrap is refused too. `repository` and
  // `random` must outlive the vault; `random` is only called under the vault's own lock.
  static Result<std::unique_ptr<Vault>> open(DataKeyRepository& repository, const Secret& kek,
                                             RandomSource& random);

  Vault(const Vault&) = delete;
  Vault& operator=(const Vault&) = delete;
  ~Vault();

  // Seals `plaintext` with the current data key for `context` (table/row/field).
  Result<std::string> seal(const Secret& plaintext, std::string_view context);
  // The plaintext of a value sealed for `context`. Malformed, altered or misplaced values are
  // "vault.tampered", values of an unknown or retired key "vault.unknown_key" (both
  // ErrorCode::Internal); messages never carry a secret. Never throws.
  Result<Secret> open(std::string_view sealed, std::string_view context);

  // Reads the stored keys again: another process (`liaison vault rotate`) may have made a new
  // current key or retired one. The hub calls this on every round of background work and when
  // it meets a version it does not know.
  Status reload();

  int currentVersion() const;
  // Whether `sealed` uses the current data key; a value that does not needs re-sealing.
  bool isCurrent(std::string_view sealed) const;
  // Creates a new data key and makes it current; returns its version. Older keys keep opening.
  Result<int> rotate();
  // Retires data key `version`, which then opens nothing. Refused (ErrorCode::Conflict) for the
  // current key and while `ciphertexts_still_using_it` (the caller's count of stored values
  // sealed with it) is not zero. Retiring a retired key again succeeds.
  Status retire(int version, size_t ciphertexts_still_using_it);

  // The data key version named by the prefix of `sealed` ("v12." → 12), if it is well formed.
  static std::optional<int> versionOf(std::string_view sealed);

 private:
  class LockedRandom;
  Vault(DataKeyRepository& repository, const Secret& kek, RandomSource& random);
  Status load(const std::vector<StoredDataKey>& stored_keys);
  Result<int> createDataKey();

  DataKeyRepository& repository_;
  const Secret kek_;
  std::unique_ptr<LockedRandom> random_;
  // Serialises changes (rotate, retire) so the repository sees one at a time; seal and open
  // only take keys_mutex_, shared, and wait for a change only while its result is swapped in.
  std::mutex change_mutex_;
  mutable std::shared_mutex keys_mutex_;
  std::map<int, Secret> keys_;  // unwrapped data keys that are not retired
  std::set<int> retired_;
  int current_ = 0;
  int highest_ = 0;  // highest version ever stored, retired included: versions are never reused
};

}  // namespace liaison::hub
