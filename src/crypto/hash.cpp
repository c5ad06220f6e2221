#include "crypto/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <stdexcept>

#include "core/encoding.h"

namespace liaison::crypto {

std::string sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

std::string toHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string sha256Hex(std::string_view data) { return toHex(sha256(data)); }

std::string hmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // Never a null pointer, even for empty input: OpenSSL's HMAC API reads a null key as "reuse the
  // previous key", and an empty string_view may hold one.
  static const unsigned char kEmpty = 0;
  const void* key_bytes = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  const auto* data_bytes = data.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(data.data());
  if (HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()), data_bytes, data.size(), out, &size) ==
      nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<char*>(out), size);
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {
std::string pbkdf2(std::string_view password, std::string_view salt, int iterations) {
  unsigned char out[32];
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                        iterations, EVP_sha256(), sizeof out, out) != 1) {
    throw std::runtime_error("PBKDF2 failed");
  }
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}
}  // namespace

std::string hashPassword(std::string_view password, std::string_view salt, int iterations) {
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + base64UrlEncode(salt) + "$" +
         base64UrlEncode(pbkdf2(password, salt, iterations));
}

bool verifyPassword(std::string_view password, std::string_view stored) {
  auto parts = splitString(stored, '$', false);
  if (parts.size() != 4 || parts[0] != "pbkdf2-sha256") return false;
  int iterations = 0;
  try {
    iterations = std::stoi(parts[1]);
  } catch (...) {
    return false;
  }
  if (iterations < 1 || iterations > 10'000'000) return false;
  auto salt = base64UrlDecode(parts[2]);
  auto expected = base64UrlDecode(parts[3]);
  if (!salt || !expected) return false;
  return constantTimeEquals(pbkdf2(password, *salt, iterations), *expected);
}

}  // namespace liaison::crypto
