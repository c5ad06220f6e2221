// RS256 keys, JWT signing and signature verification, JWK publication and PEM round trips.
#include "crypto/jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/encoding.h"
#include "crypto/hash.h"

namespace liaison::crypto::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// Generating RSA keys is slow, so the suite shares two.
class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = new RsaKey(RsaKey::generate());
    other_ = new RsaKey(RsaKey::generate());
  }
  static void TearDownTestSuite() {
    delete key_;
    delete other_;
  }

  static std::vector<std::string> segments(const std::string& token) {
    return splitString(token, '.', false);
  }
  static json decodeSegment(const std::string& segment) {
    auto raw = base64UrlDecode(segment);
    EXPECT_TRUE(raw.has_value()) << segment;
    return json::parse(raw.value_or("null"));
  }
  // A compact JWS with arbitrary header and claims, signed (or not) by `signer`.
  static std::string forge(const json& header, const json& claims, const RsaKey* signer) {
    const std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(claims.dump());
    return input + "." + (signer ? base64UrlEncode(signer->sign(input)) : std::string());
  }
  static void expectInvalidToken(const Result<json>& result, const std::string& message_part) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::Unauthorized);
    EXPECT_EQ(result.error().key, "invalid_token");
    EXPECT_THAT(result.error().message, HasSubstr(message_part));
  }

  static inline RsaKey* key_ = nullptr;
  static inline RsaKey* other_ = nullptr;
  const json claims_ = {{"iss", "https://auth.example"},
                        {"sub", "user-1"},
                        {"exp", 1769176124},
                        {"scp", {"contact_data", "offline_access"}}};
};

TEST_F(JwtTest, SignedTokenHasRs256HeaderWithKidAndTheClaims) {
  const auto parts = segments(signJwt(*key_, claims_));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(decodeSegment(parts[0]), json({{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key_->kid()}}));
  EXPECT_EQ(decodeSegment(parts[1]), claims_);
  auto sig = base64UrlDecode(parts[2]);
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(sig->size(), 256u);  // 2048-bit RSA signature
}

TEST_F(JwtTest, VerifyReturnsTheClaimsOfAGenuineToken) {
  auto result = verifyJwtSignature(*key_, signJwt(*key_, claims_));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(*result, claims_);
}

TEST_F(JwtTest, TamperedPayloadFails) {
  auto parts = segments(signJwt(*key_, claims_));
  json changed = claims_;
  changed["sub"] = "admin";
  const std::string token = parts[0] + "." + base64UrlEncode(changed.dump()) + "." + parts[2];
  expectInvalidToken(verifyJwtSignature(*key_, token), "signature");
}

TEST_F(JwtTest, TamperedSignatureFails) {
  auto parts = segments(signJwt(*key_, claims_));
  std::string sig = base64UrlDecode(parts[2]).value();
  sig[100] = static_cast<char>(sig[100] ^ 0x01);
  const std::string token = parts[0] + "." + parts[1] + "." + base64UrlEncode(sig);
  expectInvalidToken(verifyJwtSignature(*key_, token), "signature");
}

TEST_F(JwtTest, TruncatedOrEmptySignatureFails) {
  auto parts = segments(signJwt(*key_, claims_));
  expectInvalidToken(verifyJwtSignature(*key_, parts[0] + "." + parts[1] + "."), "signature");
  expectInvalidToken(verifyJwtSignature(*key_, parts[0] + "." + parts[1] + "." + parts[2].substr(0, 100)),
                     "signature");
}

TEST_F(JwtTest, AlgNoneIsRejected) {
  expectInvalidToken(verifyJwtSignature(*key_, forge({{"alg", "none"}, {"typ", "JWT"}}, claims_, nullptr)),
                     "algorithm");
  // Even with a valid RS256 signature over the input, the header must say RS256.
  expectInvalidToken(verifyJwtSignature(*key_, forge({{"alg", "none"}}, claims_, key_)), "algorithm");
}

TEST_F(JwtTest, Hs256AndOtherAlgorithmsAreRejected) {
  for (const char* alg : {"HS256", "RS512", "PS256", "rs256", ""}) {
    expectInvalidToken(verifyJwtSignature(*key_, forge({{"alg", alg}, {"kid", key_->kid()}}, claims_, key_)),
                       "algorithm");
  }
  expectInvalidToken(verifyJwtSignature(*key_, forge({{"typ", "JWT"}}, claims_, key_)), "algorithm");
}

// An "alg" that is present but not a string must be an invalid_token, not an exception: the
// token needs no valid signature, so any bearer token reaching AuthServer::verifyAccessToken
// could otherwise raise one.
TEST_F(JwtTest, NonStringAlgIsRejectedWithoutThrowing) {
  const std::string token = forge({{"alg", 256}}, claims_, nullptr);
  Result<json> result = makeError(ErrorCode::Internal, "unset", "");
  ASSERT_NO_THROW(result = verifyJwtSignature(*key_, token));
  expectInvalidToken(result, "algorithm");
}

TEST_F(JwtTest, TokenFromAnotherKeyFails) {
  expectInvalidToken(verifyJwtSignature(*other_, signJwt(*key_, claims_)), "key id");
  // Without a kid to short-circuit, the signature check itself must fail.
  expectInvalidToken(verifyJwtSignature(*other_, forge({{"alg", "RS256"}}, claims_, key_)), "signature");
}

TEST_F(JwtTest, KidIsOptionalButMustMatchWhenPresent) {
  EXPECT_TRUE(verifyJwtSignature(*key_, forge({{"alg", "RS256"}}, claims_, key_)).ok());
  expectInvalidToken(
      verifyJwtSignature(*key_, forge({{"alg", "RS256"}, {"kid", "someone-else"}}, claims_, key_)), "key id");
}

TEST_F(JwtTest, MalformedStructureFails) {
  const std::string good = signJwt(*key_, claims_);
  for (const std::string& token :
       {std::string(), std::string("abc"), std::string("a.b"), good + ".extra", std::string("..")}) {
    EXPECT_FALSE(verifyJwtSignature(*key_, token).ok()) << token;
  }
  expectInvalidToken(verifyJwtSignature(*key_, "a.b"), "compact");
  auto parts = segments(good);
  expectInvalidToken(verifyJwtSignature(*key_, parts[0] + ".!!." + parts[2]), "base64url");
  expectInvalidToken(verifyJwtSignature(*key_, parts[0] + "=." + parts[1] + "." + parts[2]), "base64url");
}

TEST_F(JwtTest, HeaderThatIsNotAJsonObjectFails) {
  const std::string claims = base64UrlEncode(claims_.dump());
  expectInvalidToken(verifyJwtSignature(*key_, base64UrlEncode("not json") + "." + claims + "."),
                     "algorithm");
  expectInvalidToken(verifyJwtSignature(*key_, base64UrlEncode("[\"RS256\"]") + "." + claims + "."),
                     "algorithm");
}

TEST_F(JwtTest, SignedClaimsThatAreNotAnObjectFail) {
  expectInvalidToken(verifyJwtSignature(*key_, signJwt(*key_, json::array({1, 2}))), "JSON object");
}

TEST_F(JwtTest, PublicJwkDescribesTheVerificationKey) {
  const json jwk = key_->publicJwk();
  EXPECT_EQ(jwk["kty"], "RSA");
  EXPECT_EQ(jwk["alg"], "RS256");
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(jwk["kid"], key_->kid());
  EXPECT_EQ(jwk["e"], "AQAB");  // 65537
  auto n = base64UrlDecode(jwk["n"].get<std::string>());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->size(), 256u);
  EXPECT_NE(static_cast<unsigned char>((*n)[0]), 0u);  // minimal big-endian encoding
  EXPECT_FALSE(jwk.contains("d"));                     // never the private exponent
  EXPECT_NE(jwk["n"], other_->publicJwk()["n"]);
}

TEST_F(JwtTest, KidIsTruncatedBase64UrlSha256OfTheModulus) {
  const auto n = base64UrlDecode(key_->publicJwk()["n"].get<std::string>()).value();
  EXPECT_EQ(key_->kid(), base64UrlEncode(sha256(n)).substr(0, 22));
  EXPECT_EQ(key_->kid().size(), 22u);
  EXPECT_NE(key_->kid(), other_->kid());
}

TEST_F(JwtTest, RawSignVerifyDetectsChangedData) {
  const std::string sig = key_->sign("hello");
  EXPECT_TRUE(key_->verify("hello", sig));
  EXPECT_FALSE(key_->verify("hellO", sig));
  EXPECT_FALSE(other_->verify("hello", sig));
}

TEST_F(JwtTest, PemRoundTripKeepsTheKey) {
  const std::string pem = key_->privatePem();
  EXPECT_THAT(pem, HasSubstr("-----BEGIN PRIVATE KEY-----"));
  auto loaded = RsaKey::fromPem(pem);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->kid(), key_->kid());
  EXPECT_EQ(loaded->publicJwk(), key_->publicJwk());
  auto result = verifyJwtSignature(*loaded, signJwt(*key_, claims_));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, claims_);
}

TEST_F(JwtTest, FromPemRejectsGarbageAndNonRsaKeys) {
  auto garbage = RsaKey::fromPem("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().key, "bad_key");
  EXPECT_FALSE(RsaKey::fromPem("").ok());

  EVP_PKEY* ec = EVP_EC_gen("P-256");
  ASSERT_NE(ec, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, ec, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  const std::string ec_pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(ec);
  auto not_rsa = RsaKey::fromPem(ec_pem);
  ASSERT_FALSE(not_rsa.ok());
  EXPECT_EQ(not_rsa.error().key, "bad_key");
}

TEST_F(JwtTest, MovedKeyKeepsWorking) {
  auto loaded = RsaKey::fromPem(key_->privatePem());
  ASSERT_TRUE(loaded.ok());
  RsaKey moved = std::move(loaded).value();
  EXPECT_EQ(moved.kid(), key_->kid());
  EXPECT_TRUE(verifyJwtSignature(moved, signJwt(moved, claims_)).ok());
  RsaKey assigned = RsaKey::generate(1024);
  assigned = std::move(moved);
  EXPECT_EQ(assigned.kid(), key_->kid());
  EXPECT_TRUE(verifyJwtSignature(*key_, signJwt(assigned, claims_)).ok());
}

TEST_F(JwtTest, PublicJwkVerifiesTokensOfItsKeyOnly) {
  auto public_key = RsaKey::fromPublicJwk(key_->publicJwk());
  ASSERT_TRUE(public_key.ok()) << public_key.error().message;
  EXPECT_EQ(public_key->kid(), key_->kid());
  EXPECT_TRUE(verifyJwtSignature(*public_key, signJwt(*key_, claims_)).ok());
  RsaKey other = RsaKey::generate(2048);
  EXPECT_FALSE(verifyJwtSignature(*public_key, signJwt(other, claims_)).ok());
}

TEST_F(JwtTest, PublicJwkKeepsItsOwnKidAndRefusesBrokenKeys) {
  auto jwk = key_->publicJwk();
  jwk["kid"] = "issuer-chosen-kid";
  auto loaded = RsaKey::fromPublicJwk(jwk);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->kid(), "issuer-chosen-kid");
  for (const char* broken : {"kty", "n", "e"}) {
    auto missing = key_->publicJwk();
    missing.erase(broken);
    EXPECT_FALSE(RsaKey::fromPublicJwk(missing).ok()) << broken;
  }
  auto short_n = key_->publicJwk();
  short_n["n"] = "AQAB";
  EXPECT_FALSE(RsaKey::fromPublicJwk(short_n).ok());
  EXPECT_FALSE(RsaKey::fromPublicJwk(nlohmann::json::array()).ok());
  auto wrong_type = key_->publicJwk();
  wrong_type["n"] = 5;
  EXPECT_FALSE(RsaKey::fromPublicJwk(wrong_type).ok());
}

}  // namespace
}  // namespace liaison::crypto::testing
