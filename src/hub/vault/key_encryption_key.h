#pragma once
// The vault's key-encryption key (KEK): 32 random bytes that wrap every data key. It lives outside
// the database, in LIAISON_VAULT_KEY or in a key file only its owner can read, so a copy of the
// database alone opens nothing. Its text form is "lvk1." + base64url(32 bytes); the prefix names
// the format, so a future format can be told apart and an unrelated string is refused.
#include <optional>
#include <string>
#include <string_view>

#include "core/random.h"
#include "core/result.h"
#include "core/secret.h"

namespace liaison::hub {

inline constexpr std::string_view kVaultKeyEnv = "LIAISON_VAULT_KEY";
inline constexpr std::string_view kVaultKeyPrefix = "lvk1.";
inline constexpr size_t kVaultKeySize = 32;

// A fresh random 32-byte key.
Secret generateKeyEncryptionKey(RandomSource& random);
// "lvk1." + base64url of a 32-byte key.
Secret formatKeyEncryptionKey(const Secret& key);
// The 32 bytes of a key in text form; surrounding whitespace (a trailing newline) is ignored.
// `source` names where the text came from ("LIAISON_VAULT_KEY", "key file /etc/...") for the
// error, which never repeats the text itself.
Result<Secret> parseKeyEncryptionKey(std::string_view text, std::string_view source);

// The KEK for this process: `env_value` (the value of LIAISON_VAULT_KEY, if set), else the key
// file at `key_file`, which must be a regular file that group and others cannot access. Both
// present and different: refused ("vault.key_conflict").
// Every error is one line naming what is wrong and how to fix it, without any key material.
Result<Secret> loadKeyEncryptionKey(const std::optional<std::string>& env_value, const std::string& key_file);

// Creates `path` holding a new random key in text form, mode 0600 from its creation (O_CREAT |
// O_EXCL), and never replaces an existing file: the data sealed under that key would be lost.
Status writeKeyFile(const std::string& path, RandomSource& random);

}  // namespace liaison::hub
