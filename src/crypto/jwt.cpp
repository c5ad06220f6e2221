#include "crypto/jwt.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <optional>
#include <stdexcept>

#include "core/encoding.h"
#include "crypto/hash.h"

namespace liaison::crypto {
namespace {

EVP_PKEY* asKey(void* p) { return static_cast<EVP_PKEY*>(p); }

std::string bnParam(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error("RSA parameter missing");
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

Error invalidToken(std::string message) {
  return makeError(ErrorCode::Unauthorized, "invalid_token", std::move(message));
}

}  // namespace

RsaKey::RsaKey(void* pkey) : pkey_(pkey) {
  kid_ = base64UrlEncode(sha256(bnParam(asKey(pkey_), OSSL_PKEY_PARAM_RSA_N))).substr(0, 22);
}
RsaKey::~RsaKey() { EVP_PKEY_free(asKey(pkey_)); }
RsaKey::RsaKey(RsaKey&& other) noexcept : pkey_(other.pkey_), kid_(std::move(other.kid_)) {
  other.pkey_ = nullptr;
}
RsaKey& RsaKey::operator=(RsaKey&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(asKey(pkey_));
    pkey_ = other.pkey_;
    kid_ = std::move(other.kid_);
    other.pkey_ = nullptr;
  }
  return *this;
}

RsaKey RsaKey::generate(int bits) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned>(bits));
  if (key == nullptr) throw std::runtime_error("RSA key generation failed");
  return RsaKey(key);
}

Result<RsaKey> RsaKey::fromPem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    EVP_PKEY_free(key);
    return makeError(ErrorCode::Internal, "bad_key", "stored signing key is not an RSA private key");
  }
  return RsaKey(key);
}

Result<RsaKey> RsaKey::fromPublicJwk(const nlohmann::json& jwk) {
  auto bad = [](const char* why) {
    return makeError(ErrorCode::InvalidRequest, "bad_jwk",
                     std::string("JWK is not a usable RSA key: ") + why);
  };
  if (!jwk.is_object()) return bad("not an object");
  const auto field = [&jwk](const char* name) -> std::optional<std::string> {
    const auto it = jwk.find(name);
    if (it == jwk.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  if (field("kty") != "RSA") return bad("kty is not RSA");
  const auto n = field("n") ? base64UrlDecode(*field("n")) : std::nullopt;
  const auto e = field("e") ? base64UrlDecode(*field("e")) : std::nullopt;
  if (!n || !e || n->size() < 256 || e->empty() || e->size() > 8) return bad("n or e missing or too short");
  BIGNUM* bn_n =
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr);
  BIGNUM* bn_e =
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr);
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* key = nullptr;
  if (bn_n && bn_e && builder && ctx && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1 &&
      (params = OSSL_PARAM_BLD_to_param(builder)) != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(builder);
  EVP_PKEY_CTX_free(ctx);
  BN_free(bn_n);
  BN_free(bn_e);
  if (key == nullptr) return bad("OpenSSL refused n and e");
  RsaKey out(key);
  if (auto kid = field("kid")) out.kid_ = *kid;
  return out;
}

std::string RsaKey::privatePem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, asKey(pkey_), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

nlohmann::json RsaKey::publicJwk() const {
  return {{"kty", "RSA"},
          {"alg", "RS256"},
          {"use", "sig"},
          {"kid", kid_},
          {"n", base64UrlEncode(bnParam(asKey(pkey_), OSSL_PKEY_PARAM_RSA_N))},
          {"e", base64UrlEncode(bnParam(asKey(pkey_), OSSL_PKEY_PARAM_RSA_E))}};
}

std::string RsaKey::sign(std::string_view data) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, asKey(pkey_)) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) == 1) {
    sig.resize(len);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
      sig.clear();
    }
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (sig.empty()) throw std::runtime_error("RS256 signing failed");
  return sig;
}

bool RsaKey::verify(std::string_view data, std::string_view signature) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, asKey(pkey_)) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                             data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::string signJwt(const RsaKey& key, const nlohmann::json& claims) {
  const nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key.kid()}};
  std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(claims.dump());
  std::string sig = key.sign(input);
  return input + "." + base64UrlEncode(sig);
}

Result<nlohmann::json> verifyJwtSignature(const RsaKey& key, std::string_view token) {
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return invalidToken("token is not a JWS compact serialization");
  }
  auto header_raw = base64UrlDecode(token.substr(0, dot1));
  auto claims_raw = base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto sig = base64UrlDecode(token.substr(dot2 + 1));
  if (!header_raw || !claims_raw || !sig) return invalidToken("token segments are not base64url");
  auto header = nlohmann::json::parse(*header_raw, nullptr, false);
  if (!header.is_object() || !header.contains("alg") || header["alg"] != "RS256") {
    // Only RS256 is accepted: this closes the alg=none and HS256-with-public-key confusions.
    return invalidToken("unsupported token algorithm");
  }
  if (header.contains("kid") && header["kid"] != key.kid()) return invalidToken("unknown key id");
  if (!key.verify(token.substr(0, dot2), *sig)) return invalidToken("bad token signature");
  auto claims = nlohmann::json::parse(*claims_raw, nullptr, false);
  if (!claims.is_object()) return invalidToken("token claims are not a JSON object");
  return claims;
}

}  // namespace liaison::crypto
