#include "hub/webhooks/signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <optional>
#include <stdexcept>
#include <vector>

#include "crypto/hash.h"

namespace liaison::hub::webhooks {

namespace {

std::string hmacSha256Hex(std::string_view secret, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
           &size) == nullptr) {
    // Only an OpenSSL without SHA-256 fails here: nothing a caller could recover from.
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return crypto::toHex(std::string_view(reinterpret_cast<const char*>(digest), size));
}

std::string signedPayload(int64_t unix_time, std::string_view body) {
  std::string payload = std::to_string(unix_time);
  payload += '.';
  payload += body;
  return payload;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Digits only (no sign, no spaces), so "t=+5" or "t=1e9" never parse as a time.
std::optional<int64_t> parseUnixTime(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct ParsedHeader {
  std::optional<int64_t> time;
  std::vector<std::string_view> v1;
};

std::optional<ParsedHeader> parseHeader(std::string_view header) {
  ParsedHeader parsed;
  int times = 0;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    const std::string_view item = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    if (key == "t") {
      ++times;
      parsed.time = parseUnixTime(value);
    } else if (key == "v1") {
      parsed.v1.push_back(value);
    }
  }
  // Two t= entries would let a forger pair a fresh time with an old signature.
  if (times != 1 || !parsed.time || parsed.v1.empty()) return std::nullopt;
  return parsed;
}

}  // namespace

std::string signatureHeader(std::string_view secret, int64_t unix_time, std::string_view body) {
  return "t=" + std::to_string(unix_time) + ",v1=" + hmacSha256Hex(secret, signedPayload(unix_time, body));
}

bool verifySignature(std::string_view header, std::string_view secret, std::string_view body, int64_t now,
                     int64_t tolerance_s) {
  const auto parsed = parseHeader(header);
  if (!parsed) return false;
  const int64_t age = now - *parsed->time;
  if (age > tolerance_s || age < -tolerance_s) return false;
  const std::string expected = hmacSha256Hex(secret, signedPayload(*parsed->time, body));
  bool matched = false;
  // Every entry is compared, so the time taken does not tell which one matched.
  for (std::string_view candidate : parsed->v1) matched |= crypto::constantTimeEquals(candidate, expected);
  return matched;
}

}  // namespace liaison::hub::webhooks
