#pragma once
// Authenticated encryption (AES-256-GCM, OpenSSL 3) for secrets the service must store and read
// back: OAuth tokens at rest, the data keys of the hub's vault. Any change to a sealed value, or
// opening it with another key or another associated context, is detected and refused.
#include <string>
#include <string_view>

#include "core/random.h"
#include "core/result.h"

namespace liaison::crypto {

inline constexpr size_t kAeadKeySize = 32;
inline constexpr size_t kAeadNonceSize = 12;
inline constexpr size_t kAeadTagSize = 16;
// Bytes a sealed value has beyond its plaintext (nonce and tag).
inline constexpr size_t kAeadOverhead = kAeadNonceSize + kAeadTagSize;

// Encrypts `plaintext` under `key32` (exactly 32 bytes) with a fresh random nonce, binding `aad`
// (authenticated, not encrypted). Returns raw bytes: nonce(12) || ciphertext || tag(16).
// A key of another size is a programming error: throws std::invalid_argument.
std::string aeadSeal(std::string_view key32, std::string_view plaintext, std::string_view aad,
                     RandomSource& random);

// The plaintext of a value made by aeadSeal with the same key and aad. Every failure (short
// input, wrong key, altered byte, other aad, key of the wrong size) is the same error
// ("crypto.aead_open_failed"), so a caller learns nothing about which check failed.
Result<std::string> aeadOpen(std::string_view key32, std::string_view sealed, std::string_view aad);

}  // namespace liaison::crypto
