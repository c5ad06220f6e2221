#pragma once
// Digests, message authentication and password hashing (OpenSSL 3).
#include <string>
#include <string_view>

namespace liaison::crypto {

// Raw 32-byte SHA-256 digest.
std::string sha256(std::string_view data);
// Lower-case hex SHA-256: how the sandbox stores high-entropy secrets (tokens, codes, client
// secrets) so that its database holds nothing a caller could present.
std::string sha256Hex(std::string_view data);
// Raw 32-byte HMAC-SHA256 (RFC 2104) of `data` under `key`.
std::string hmacSha256(std::string_view key, std::string_view data);
std::string toHex(std::string_view bytes);
bool constantTimeEquals(std::string_view a, std::string_view b);

// PBKDF2-HMAC-SHA256 for low-entropy secrets (user passwords). The stored form carries its
// parameters: "pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>".
std::string hashPassword(std::string_view password, std::string_view salt, int iterations);
bool verifyPassword(std::string_view password, std::string_view stored);

}  // namespace liaison::crypto
