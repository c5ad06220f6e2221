#pragma once
// RS256 JSON Web Tokens (RFC 7515/7519) and the JWKS that publishes the verification key.
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace liaison::crypto {

class RsaKey {
 public:
  ~RsaKey();
  RsaKey(RsaKey&&) noexcept;
  RsaKey& operator=(RsaKey&&) noexcept;
  RsaKey(const RsaKey&) = delete;
  RsaKey& operator=(const RsaKey&) = delete;

  static RsaKey generate(int bits = 2048);
  static Result<RsaKey> fromPem(const std::string& pem);
  // The public key of an RSA JWK ({"kty":"RSA","n","e","kid"?}), as a JWKS publishes it: for
  // verifying only. The key id is the JWK's own `kid` when it has one.
  static Result<RsaKey> fromPublicJwk(const nlohmann::json& jwk);
  std::string privatePem() const;
  // Key id: base64url SHA-256 of the public modulus, stable for the key's life.
  const std::string& kid() const { return kid_; }
  // The public half as a JWK (kty, alg, use, kid, n, e).
  nlohmann::json publicJwk() const;

  std::string sign(std::string_view data) const;
  bool verify(std::string_view data, std::string_view signature) const;

 private:
  explicit RsaKey(void* pkey);
  void* pkey_ = nullptr;  // EVP_PKEY*
  std::string kid_;
};

// Encodes header {alg:RS256, typ:JWT, kid} and the claims, and signs them.
std::string signJwt(const RsaKey& key, const nlohmann::json& claims);

// Checks structure, alg and signature only; claim checks (exp, aud, iss) belong to the caller,
// which owns the clock. Returns the claims.
Result<nlohmann::json> verifyJwtSignature(const RsaKey& key, std::string_view token);

}  // namespace liaison::crypto
