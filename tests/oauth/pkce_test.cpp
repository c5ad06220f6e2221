// PKCE (RFC 7636): verifier syntax, the S256 transform and verification.
#include "oauth/pkce.h"

#include <gtest/gtest.h>

namespace liaison::oauth::testing {
namespace {

// RFC 7636 Appendix B (the verifier is the base64url of the 32 octets listed there).
constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr const char* kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

TEST(PkceTest, S256ChallengeMatchesRfc7636AppendixB) { EXPECT_EQ(s256Challenge(kVerifier), kChallenge); }

TEST(PkceTest, VerifierLengthMustBeBetween43And128) {
  EXPECT_FALSE(isValidVerifier(""));
  EXPECT_FALSE(isValidVerifier(std::string(42, 'a')));
  EXPECT_TRUE(isValidVerifier(std::string(43, 'a')));
  EXPECT_TRUE(isValidVerifier(std::string(128, 'a')));
  EXPECT_FALSE(isValidVerifier(std::string(129, 'a')));
}

TEST(PkceTest, VerifierMayUseOnlyUnreservedCharacters) {
  const std::string base(42, 'a');
  for (char ok : {'Z', '9', '-', '.', '_', '~'}) EXPECT_TRUE(isValidVerifier(base + ok)) << ok;
  for (char bad : {'+', '/', '=', ' ', '%', '!', '\0'}) EXPECT_FALSE(isValidVerifier(base + bad)) << int(bad);
  EXPECT_FALSE(isValidVerifier(base + "\xc3\xa9"));
}

TEST(PkceTest, S256AcceptsTheMatchingVerifierOnly) {
  EXPECT_TRUE(verifyPkce("S256", kChallenge, kVerifier));
  std::string other = kVerifier;
  other.back() = 'N';
  EXPECT_FALSE(verifyPkce("S256", kChallenge, other));
  // The challenge itself is not a valid answer.
  EXPECT_FALSE(verifyPkce("S256", kChallenge, kChallenge));
}

TEST(PkceTest, PlainComparesVerifierAndChallengeDirectly) {
  EXPECT_TRUE(verifyPkce("plain", kVerifier, kVerifier));
  EXPECT_FALSE(verifyPkce("plain", kChallenge, kVerifier));
}

TEST(PkceTest, UnknownOrMiscasedMethodsFail) {
  EXPECT_FALSE(verifyPkce("s256", kChallenge, kVerifier));
  EXPECT_FALSE(verifyPkce("", kChallenge, kVerifier));
  EXPECT_FALSE(verifyPkce("PLAIN", kVerifier, kVerifier));
}

TEST(PkceTest, SyntacticallyInvalidVerifierFailsEvenIfItMatches) {
  const std::string short_verifier = "too-short";
  EXPECT_FALSE(verifyPkce("plain", short_verifier, short_verifier));
  EXPECT_FALSE(verifyPkce("S256", s256Challenge(short_verifier), short_verifier));
}

}  // namespace
}  // namespace liaison::oauth::testing
