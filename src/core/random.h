#pragma once
// Randomness for secrets goes through an injected source: the CSPRNG in production,
// a seeded deterministic generator where tests need reproducible values.
#include <cstdint>
#include <string>
#include <vector>

namespace liaison {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void fill(uint8_t* out, size_t size) = 0;

  std::vector<uint8_t> bytes(size_t size);
  // `size` random bytes, base64url-encoded without padding.
  std::string token(size_t size);
  // Uniform integer in [0, bound) without modulo bias.
  uint32_t uniform(uint32_t bound);
  // UUID version 4 in canonical lower-case form.
  std::string uuid();
};

// OpenSSL's RAND_bytes (a CSPRNG seeded by the OS).
class CryptoRandom final : public RandomSource {
 public:
  void fill(uint8_t* out, size_t size) override;
};

// SplitMix64 stream: deterministic for a seed; never used for real secrets.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  void fill(uint8_t* out, size_t size) override;

 private:
  uint64_t state_;
};

}  // namespace liaison
