// AES-256-GCM sealing: known answers, round trips, and refusal of every altered or misbound value.
#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "crypto/hash.h"
#include "support/seeded_random.h"

namespace liaison::crypto::testing {
namespace {

using liaison::testing::TestRandom;
using namespace std::string_literals;

// Hands out zero bytes, so a known-answer test can fix the nonce.
class ZeroRandom final : public RandomSource {
 public:
  void fill(uint8_t* out, size_t size) override {
    for (size_t i = 0; i < size; ++i) out[i] = 0;
  }
};

const std::string kKey(32, '\x42');

TEST(AeadTest, MatchesGcmSpecificationVectorsWithAllZeroKeyAndNonce) {
  // McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13 and 14.
  ZeroRandom zero;
  const std::string key(32, '\0');
  EXPECT_EQ(toHex(aeadSeal(key, "", "", zero)), std::string(24, '0') + "530f8afbc74536b9a963b4f1c4cb738b");
  EXPECT_EQ(toHex(aeadSeal(key, std::string(16, '\0'), "", zero)),
            std::string(24, '0') + "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(AeadTest, RoundTripsAndAddsNonceAndTag) {
  TestRandom random;
  const std::string plaintext = "access-token-\x00\xff-with-binary"s;
  ASSERT_EQ(plaintext.size(), 27u);  // the NUL byte is part of it
  const std::string sealed = aeadSeal(kKey, plaintext, "connections/1/access_token", random.random());
  EXPECT_EQ(sealed.size(), plaintext.size() + kAeadOverhead);
  EXPECT_EQ(sealed.find(plaintext), std::string::npos);
  auto opened = aeadOpen(kKey, sealed, "connections/1/access_token");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, plaintext);
}

TEST(AeadTest, RoundTripsEmptyPlaintextAndEmptyAad) {
  TestRandom random;
  const std::string sealed = aeadSeal(kKey, "", "", random.random());
  EXPECT_EQ(sealed.size(), kAeadOverhead);
  auto opened = aeadOpen(kKey, sealed, "");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "");
  // The tag of an empty plaintext still binds key and aad.
  EXPECT_FALSE(aeadOpen(kKey, sealed, "x").ok());
  EXPECT_FALSE(aeadOpen(std::string(32, '\x43'), sealed, "").ok());
}

TEST(AeadTest, EachSealUsesAFreshNonce) {
  TestRandom random;
  const std::string a = aeadSeal(kKey, "same", "aad", random.random());
  const std::string b = aeadSeal(kKey, "same", "aad", random.random());
  EXPECT_NE(a.substr(0, kAeadNonceSize), b.substr(0, kAeadNonceSize));
  EXPECT_NE(a, b);
}

TEST(AeadTest, DetectsEverySingleBitFlip) {
  TestRandom random;
  for (const std::string& plaintext : {std::string(), std::string("refresh-token-0123456789")}) {
    const std::string sealed = aeadSeal(kKey, plaintext, "aad", random.random());
    for (size_t i = 0; i < sealed.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string altered = sealed;
        altered[i] = static_cast<char>(altered[i] ^ (1 << bit));
        auto opened = aeadOpen(kKey, altered, "aad");
        ASSERT_FALSE(opened.ok()) << "byte " << i << " bit " << bit;
        EXPECT_EQ(opened.error().key, "crypto.aead_open_failed");
      }
    }
  }
}

TEST(AeadTest, RefusesWrongAad) {
  TestRandom random;
  const std::string sealed = aeadSeal(kKey, "token", "connections/1/access_token", random.random());
  EXPECT_FALSE(aeadOpen(kKey, sealed, "connections/2/access_token").ok());
  EXPECT_FALSE(aeadOpen(kKey, sealed, "connections/1/refresh_token").ok());
  EXPECT_FALSE(aeadOpen(kKey, sealed, "").ok());
}

TEST(AeadTest, RefusesWrongKeyAndKeysOfTheWrongSize) {
  TestRandom random;
  const std::string sealed = aeadSeal(kKey, "token", "aad", random.random());
  std::string other = kKey;
  other[31] = '\x43';
  EXPECT_FALSE(aeadOpen(other, sealed, "aad").ok());
  EXPECT_FALSE(aeadOpen(kKey.substr(0, 16), sealed, "aad").ok());
  EXPECT_FALSE(aeadOpen("", sealed, "aad").ok());
  EXPECT_THROW(aeadSeal(kKey.substr(0, 31), "token", "aad", random.random()), std::invalid_argument);
}

TEST(AeadTest, RefusesTruncatedAndExtendedInput) {
  TestRandom random;
  const std::string sealed = aeadSeal(kKey, "token", "aad", random.random());
  for (size_t size = 0; size < sealed.size(); ++size) {
    EXPECT_FALSE(aeadOpen(kKey, sealed.substr(0, size), "aad").ok()) << "first " << size << " bytes";
    EXPECT_FALSE(aeadOpen(kKey, sealed.substr(sealed.size() - size), "aad").ok()) << "last " << size;
  }
  EXPECT_FALSE(aeadOpen(kKey, sealed + '\0', "aad").ok());
}

}  // namespace
}  // namespace liaison::crypto::testing
