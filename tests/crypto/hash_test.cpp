// SHA-256 digests, hex, constant-time comparison and PBKDF2 password hashing.
#include "crypto/hash.h"

#include <gtest/gtest.h>

namespace liaison::crypto::testing {
namespace {

using namespace std::string_literals;

TEST(Sha256Test, MatchesFips180Vectors) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, RawDigestIs32BytesAndHexesToTheSameValue) {
  const std::string raw = sha256("abc");
  ASSERT_EQ(raw.size(), 32u);
  EXPECT_EQ(static_cast<unsigned char>(raw[0]), 0xba);
  EXPECT_EQ(static_cast<unsigned char>(raw[31]), 0xad);
  EXPECT_EQ(toHex(raw), sha256Hex("abc"));
}

TEST(Sha256Test, HashesEmbeddedNulBytes) { EXPECT_NE(sha256Hex("a\0b"s), sha256Hex("a")); }

TEST(ToHexTest, EncodesEveryByteAsTwoLowerCaseDigits) {
  EXPECT_EQ(toHex(""), "");
  EXPECT_EQ(toHex("\x00\xff\x10\xab"s), "00ff10ab");
}

TEST(ConstantTimeEqualsTest, ComparesContentAndLength) {
  EXPECT_TRUE(constantTimeEquals("", ""));
  EXPECT_TRUE(constantTimeEquals("secret", "secret"));
  EXPECT_FALSE(constantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(constantTimeEquals("secret", "secret "));
  EXPECT_FALSE(constantTimeEquals("secret", ""));
  EXPECT_FALSE(constantTimeEquals("a\0b"s, "a\0c"s));
}

TEST(HmacSha256Test, MatchesRfc4231Vectors) {
  EXPECT_EQ(toHex(hmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(toHex(hmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // A key longer than the block size is hashed first.
  EXPECT_EQ(
      toHex(hmacSha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Test, AcceptsEmptyKeyAndDataAndDependsOnBoth) {
  EXPECT_EQ(toHex(hmacSha256("", "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_NE(hmacSha256("key-a", "data"), hmacSha256("key-b", "data"));
  EXPECT_NE(hmacSha256("key", "data-a"), hmacSha256("key", "data-b"));
  EXPECT_EQ(hmacSha256("key", "data").size(), 32u);
}

TEST(HashPasswordTest, MatchesRfc7914Pbkdf2VectorInStoredForm) {
  // RFC 7914 §11: PBKDF2-HMAC-SHA256("passwd", "salt", c=1) starts 55ac046e56e3089f...
  EXPECT_EQ(hashPassword("passwd", "salt", 1),
            "pbkdf2-sha256$1$c2FsdA$VawEblbjCJ_sFpHCJUS2BflBhSFt3gRl5oudV8INrLw");
}

TEST(HashPasswordTest, CarriesIterationsAndSaltInTheStoredForm) {
  EXPECT_EQ(hashPassword("correct horse", "NaCl-1234", 1000),
            "pbkdf2-sha256$1000$TmFDbC0xMjM0$TcFKGhOcGxWl0jpYfp1OvW3mcUBgfmkhB6mWRpR53Iw");
}

TEST(HashPasswordTest, DifferentSaltsGiveDifferentHashes) {
  EXPECT_NE(hashPassword("pw", "salt-a", 10), hashPassword("pw", "salt-b", 10));
}

TEST(VerifyPasswordTest, AcceptsTheRightPasswordAndRejectsWrongOnes) {
  const std::string stored = hashPassword("correct horse", "NaCl-1234", 1000);
  EXPECT_TRUE(verifyPassword("correct horse", stored));
  EXPECT_FALSE(verifyPassword("correct horsf", stored));
  EXPECT_FALSE(verifyPassword("Correct horse", stored));
  EXPECT_FALSE(verifyPassword("correct horse ", stored));
  EXPECT_FALSE(verifyPassword("", stored));
}

TEST(VerifyPasswordTest, AcceptsAKnownStoredValue) {
  EXPECT_TRUE(verifyPassword("passwd", "pbkdf2-sha256$1$c2FsdA$VawEblbjCJ_sFpHCJUS2BflBhSFt3gRl5oudV8INrLw"));
}

TEST(VerifyPasswordTest, RejectsTamperedOrMalformedStoredValues) {
  const std::string hash = "VawEblbjCJ_sFpHCJUS2BflBhSFt3gRl5oudV8INrLw";
  for (const std::string& stored : {
           "pbkdf2-sha256$2$c2FsdA$" + hash,         // different iteration count
           "pbkdf2-sha256$1$cGVwcGVy$" + hash,       // different salt ("pepper")
           "pbkdf2-sha1$1$c2FsdA$" + hash,           // unknown scheme
           "pbkdf2-sha256$0$c2FsdA$" + hash,         // zero iterations
           "pbkdf2-sha256$-5$c2FsdA$" + hash,        // negative iterations
           "pbkdf2-sha256$20000000$c2FsdA$" + hash,  // absurd work factor
           "pbkdf2-sha256$x$c2FsdA$" + hash,         // not a number
           "pbkdf2-sha256$1$c2F!dA$" + hash,         // salt is not base64url
           "pbkdf2-sha256$1$c2FsdA$" + hash.substr(0, 42) + "!", "pbkdf2-sha256$1$c2FsdA$" + hash.substr(1),
           std::string("pbkdf2-sha256$1$c2FsdA"), "pbkdf2-sha256$1$c2FsdA$" + hash + "$extra", std::string(),
           std::string("passwd"),  // a plain-text password is never a valid stored hash
       }) {
    EXPECT_FALSE(verifyPassword("passwd", stored)) << stored;
  }
}

}  // namespace
}  // namespace liaison::crypto::testing
