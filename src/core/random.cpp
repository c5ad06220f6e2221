#include "core/random.h"

#include <openssl/rand.h>

#include <stdexcept>

#include "core/encoding.h"

namespace liaison {

std::vector<uint8_t> RandomSource::bytes(size_t size) {
  std::vector<uint8_t> out(size);
  fill(out.data(), out.size());
  return out;
}

std::string RandomSource::token(size_t size) {
  auto raw = bytes(size);
  return base64UrlEncode(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
}

uint32_t RandomSource::uniform(uint32_t bound) {
  if (bound <= 1) return 0;
  // Rejection sampling: discard the top partial range so every value is equally likely.
  const uint32_t limit = UINT32_MAX - (UINT32_MAX % bound);
  for (;;) {
    uint32_t v = 0;
    fill(reinterpret_cast<uint8_t*>(&v), sizeof v);
    if (v < limit) return v % bound;
  }
}

std::string RandomSource::uuid() {
  uint8_t b[16];
  fill(b, sizeof b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  // Formatted by hand: snprintf cost more than the random bytes in a 40k-contact import.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t pos = 0;
  for (int i = 0; i < 16; ++i) {
    if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
    out[pos++] = kHex[b[i] >> 4];
    out[pos++] = kHex[b[i] & 0x0f];
  }
  return out;
}

void CryptoRandom::fill(uint8_t* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    // Without entropy no secret can be minted safely; this is not recoverable.
    throw std::runtime_error("RAND_bytes failed");
  }
}

void SeededRandom::fill(uint8_t* out, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    out[i] = static_cast<uint8_t>(z ^ (z >> 31));
  }
}

}  // namespace liaison
