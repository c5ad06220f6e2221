#include "hub/upstream/token_verifier.h"

#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace liaison::hub {

namespace {

constexpr auto kRefetchAfter = std::chrono::minutes(1);
// Clock skew tolerated on `exp` between CC and the hub.
constexpr auto kLeeway = std::chrono::seconds(60);

Error rejected(std::string why) {
  return makeError(ErrorCode::Unauthorized, "token.rejected",
                   "Constant Contact's access token was refused: " + why);
}

std::string kidOf(const std::string& token) {
  const auto dot = token.find('.');
  if (dot == std::string::npos) return "";
  const auto header = base64UrlDecode(std::string_view(token).substr(0, dot));
  if (!header) return "";
  const auto json = nlohmann::json::parse(*header, nullptr, false);
  if (!json.is_object() || !json.contains("kid") || !json["kid"].is_string()) return "";
  return json["kid"].get<std::string>();
}

}  // namespace

TokenVerifier::TokenVerifier(CcClient& client, const Clock& clock, std::string issuer, std::string audience)
    : client_(client), clock_(clock), issuer_(std::move(issuer)), audience_(std::move(audience)) {}

Status TokenVerifier::refreshKeys() {
  auto body = client_.fetchJwks();
  if (!body) return body.error();
  const auto json = nlohmann::json::parse(*body, nullptr, false);
  if (!json.is_object() || !json.contains("keys") || !json["keys"].is_array()) {
    return makeError(ErrorCode::Unavailable, "jwks.unreadable",
                     "Constant Contact's key set could not be read.");
  }
  std::map<std::string, std::shared_ptr<crypto::RsaKey>> keys;
  for (const auto& jwk : json["keys"]) {
    auto key = crypto::RsaKey::fromPublicJwk(jwk);
    if (!key) continue;
    std::string kid = key->kid();  // read before the key is moved
    keys[std::move(kid)] = std::make_shared<crypto::RsaKey>(std::move(*key));
  }
  keys_ = std::move(keys);
  fetched_at_ = clock_.now();
  return okStatus();
}

Result<VerifiedToken> TokenVerifier::verify(const Secret& access_token) {
  const std::string kid = kidOf(access_token.reveal());
  std::shared_ptr<crypto::RsaKey> key;
  {
    std::lock_guard lock(mutex_);
    auto found = keys_.find(kid);
    if (found == keys_.end() && (keys_.empty() || clock_.now() - fetched_at_ >= kRefetchAfter)) {
      if (auto status = refreshKeys(); !status) return status.error();
      found = keys_.find(kid);
    }
    if (found == keys_.end()) {
      // Without a kid, a key set of one key is unambiguous.
      if (kid.empty() && keys_.size() == 1) {
        key = keys_.begin()->second;
      } else {
        return rejected("it is signed by a key Constant Contact does not publish.");
      }
    } else {
      key = found->second;
    }
  }
  auto claims = crypto::verifyJwtSignature(*key, access_token.reveal());
  if (!claims) return rejected("its signature does not verify.");
  const auto& c = *claims;
  const auto text = [&c](const char* name) {
    return c.contains(name) && c[name].is_string() ? c[name].get<std::string>() : std::string();
  };
  if (text("iss") != issuer_) return rejected("it was issued by another authorization server.");
  bool audience_ok = text("aud") == audience_;
  if (c.contains("aud") && c["aud"].is_array()) {
    for (const auto& a : c["aud"])
      audience_ok = audience_ok || (a.is_string() && a.get<std::string>() == audience_);
  }
  if (!audience_ok) return rejected("it is meant for another audience.");
  if (!c.contains("exp") || !c["exp"].is_number_integer()) return rejected("it has no expiry.");
  VerifiedToken out;
  out.expires_at = fromUnixSeconds(c["exp"].get<int64_t>());
  if (out.expires_at + kLeeway < clock_.now()) return rejected("it has expired.");
  out.subject = text("sub");
  out.account_id = text("platform_user_id");
  if (c.contains("scp") && c["scp"].is_array()) {
    for (const auto& s : c["scp"]) {
      if (s.is_string()) out.scopes.push_back(s.get<std::string>());
    }
  }
  return out;
}

}  // namespace liaison::hub
