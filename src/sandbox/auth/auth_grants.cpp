// Grant flows of the authorization server: client authentication, codes, refresh rotation,
// revocation and access-token verification. The device grant is in auth_device.cpp.
#include <spdlog/spdlog.h>

#include "cc/scopes.h"
#include "crypto/hash.h"
#include "oauth/errors.h"
#include "oauth/pkce.h"
#include "oauth/user_code.h"
#include "sandbox/auth/auth_server.h"

namespace liaison::sandbox {

using nlohmann::json;

Result<App> AuthServer::authenticateClient(const std::optional<std::string>& basic_user,
                                           const std::optional<std::string>& basic_password,
                                           const std::optional<std::string>& form_client_id) const {
  const auto invalidClient = [] {
    return oauth::oauthError(ErrorCode::Unauthorized, "invalid_client", "Client authentication failed.");
  };
  const std::string client_id = basic_user ? *basic_user : form_client_id.value_or("");
  if (basic_user && form_client_id && *form_client_id != *basic_user) return invalidClient();
  auto app = findApp(client_id);
  if (!app) return invalidClient();
  if (app->confidential()) {
    if (!basic_password) return invalidClient();
    if (!crypto::constantTimeEquals(hashSecret(*basic_password), app->secret_hash)) return invalidClient();
  } else if (basic_password && !basic_password->empty()) {
    // A public client has no secret; presenting one is a misconfigured client.
    return invalidClient();
  }
  return *app;
}

std::string AuthServer::issueCode(const App& app, const std::string& redirect_uri, const User& user,
                                  const std::vector<std::string>& scopes, const std::string& challenge,
                                  const std::string& method, const std::string& nonce) {
  const std::string code = random_.token(32);
  AuthCode record;
  record.hash = hashSecret(code);
  record.client_id = app.client_id;
  record.redirect_uri = redirect_uri;
  record.user_id = user.id;
  record.account_id = user.account_id;
  record.scopes = scopes;
  record.code_challenge = challenge;
  record.code_challenge_method = method;
  record.nonce = nonce;
  record.expires_at = nowSeconds() + settings_.code_lifetime_s;
  std::unique_lock lock(mutex_);
  Writes writes;
  stage(writes, "code", record.hash, record);
  codes_[record.hash] = record;
  if (!persist(writes)) return {};
  return code;
}

Result<TokenSet> AuthServer::exchangeCode(const App& app, const std::string& code,
                                          const std::optional<std::string>& redirect_uri,
                                          const std::optional<std::string>& verifier) {
  std::unique_lock lock(mutex_);
  Writes writes;
  auto it = codes_.find(hashSecret(code));
  if (it == codes_.end()) return oauth::invalidGrant("The authorization code is invalid.");
  AuthCode& record = it->second;
  if (record.used) {
    // RFC 6749 §4.1.2: a replayed code revokes every token it minted.
    if (!record.grant_id.empty()) revokeGrantLocked(record.grant_id, "authorization code replayed", writes);
    // The caller gets an error either way; a failed write reloads memory from the store.
    (void)persist(writes);
    return oauth::invalidGrant("The authorization code has already been used.");
  }
  if (record.client_id != app.client_id)
    return oauth::invalidGrant("The authorization code was issued to another client.");
  if (nowSeconds() >= record.expires_at) return oauth::invalidGrant("The authorization code has expired.");
  if (!userActiveLocked(record.user_id)) return oauth::invalidGrant("The user has been deactivated.");
  if (!redirect_uri || *redirect_uri != record.redirect_uri) {
    return oauth::invalidGrant("The redirect_uri does not match the one of the authorization request.");
  }
  if (record.code_challenge.empty()) {
    // RFC 9700 §4.8.2: a verifier without a challenge is refused (PKCE downgrade).
    if (verifier)
      return oauth::invalidGrant("A code_verifier was sent but the request had no code_challenge.");
  } else {
    if (!verifier)
      return oauth::oauthError(ErrorCode::InvalidRequest, "invalid_request", "code_verifier is required.");
    if (!oauth::verifyPkce(record.code_challenge_method, record.code_challenge, *verifier)) {
      return oauth::invalidGrant("PKCE verification failed.");
    }
  }
  Grant grant;
  grant.id = random_.uuid();
  grant.client_id = app.client_id;
  grant.user_id = record.user_id;
  grant.account_id = record.account_id;
  grant.scopes = record.scopes;
  grant.created_at = nowSeconds();
  record.used = true;
  record.grant_id = grant.id;
  stage(writes, "code", record.hash, record);
  stage(writes, "grant", grant.id, grant);
  grants_[grant.id] = grant;
  TokenSet tokens = mintTokensLocked(app, grant, grant.scopes, cc::hasScope(grant.scopes, "offline_access"),
                                     record.nonce, writes);
  if (auto status = persist(writes); !status) return status.error();
  return tokens;
}

TokenSet AuthServer::mintTokensLocked(const App& app, const Grant& grant,
                                      const std::vector<std::string>& scopes, bool with_refresh,
                                      const std::string& nonce, Writes& writes) {
  TokenSet tokens;
  tokens.scopes = scopes;
  tokens.expires_in = settings_.access_token_lifetime_s;
  tokens.access_token = mintAccessTokenLocked(app.client_id, grant.id, grant.user_id, grant.account_id,
                                              scopes, settings_.access_token_lifetime_s, writes);
  if (with_refresh) tokens.refresh_token = mintRefreshLocked(grant, 1, writes);
  if (cc::hasScope(scopes, "openid")) {
    const auto user = users_.find(grant.user_id);
    json claims = {{"iss", settings_.issuer},
                   {"aud", app.client_id},
                   {"sub", grant.user_id},
                   {"iat", nowSeconds()},
                   {"exp", nowSeconds() + 3600},
                   {"auth_time", nowSeconds()}};
    if (!nonce.empty()) claims["nonce"] = nonce;
    if (user != users_.end() && cc::hasScope(scopes, "profile")) claims["email"] = user->second.email;
    tokens.id_token = crypto::signJwt(signingKey(), claims);
  }
  return tokens;
}

std::string AuthServer::mintAccessTokenLocked(const std::string& client_id, const std::string& grant_id,
                                              const std::string& user_id, const std::string& account_id,
                                              const std::vector<std::string>& scopes, int lifetime,
                                              Writes& writes) {
  const int64_t now = nowSeconds();
  AccessTokenRecord record;
  record.jti = "AT." + random_.token(24);
  record.grant_id = grant_id;
  record.client_id = client_id;
  record.user_id = user_id;
  record.expires_at = now + lifetime;
  const json claims = {{"ver", 1},
                       {"jti", record.jti},
                       {"iss", settings_.issuer},
                       {"aud", settings_.audience},
                       {"iat", now},
                       {"exp", record.expires_at},
                       {"cid", client_id},
                       {"uid", user_id},
                       {"scp", scopes},
                       {"sub", user_id},
                       {"platform_user_id", account_id}};
  stage(writes, "access", record.jti, record);
  access_[record.jti] = record;
  return crypto::signJwt(signingKey(), claims);
}

std::string AuthServer::mintRefreshLocked(const Grant& grant, int generation, Writes& writes) {
  const std::string token = random_.token(32);
  RefreshToken record;
  record.hash = hashSecret(token);
  record.grant_id = grant.id;
  record.generation = generation;
  record.created_at = nowSeconds();
  record.last_used_at = record.created_at;
  stage(writes, "refresh", record.hash, record);
  refresh_[record.hash] = record;
  return token;
}

void AuthServer::revokeGrantLocked(const std::string& grant_id, const std::string& reason, Writes& writes) {
  auto it = grants_.find(grant_id);
  if (it == grants_.end() || it->second.revoked) return;
  it->second.revoked = true;
  it->second.revoked_reason = reason;
  stage(writes, "grant", grant_id, it->second);
  for (auto& [hash, token] : refresh_) {
    if (token.grant_id == grant_id && token.state != RefreshState::Revoked) {
      token.state = RefreshState::Revoked;
      stage(writes, "refresh", hash, token);
    }
  }
  spdlog::info("grant {} of client {} revoked: {}", grant_id, it->second.client_id, reason);
}

Result<TokenSet> AuthServer::refresh(const App& app, const std::string& refresh_token,
                                     const std::optional<std::string>& scope) {
  std::unique_lock lock(mutex_);
  Writes writes;
  auto it = refresh_.find(hashSecret(refresh_token));
  if (it == refresh_.end()) return oauth::invalidGrant("The refresh token is invalid.");
  RefreshToken& token = it->second;
  auto grant_it = grants_.find(token.grant_id);
  if (grant_it == grants_.end()) return oauth::invalidGrant("The refresh token is invalid.");
  const Grant& grant = grant_it->second;
  if (grant.client_id != app.client_id)
    return oauth::invalidGrant("The refresh token was issued to another client.");
  if (grant.revoked || token.state == RefreshState::Revoked)
    return oauth::invalidGrant("The refresh token has been revoked.");
  if (!userActiveLocked(grant.user_id)) return oauth::invalidGrant("The user has been deactivated.");
  if (token.state == RefreshState::Rotated) {
    // Reuse of a superseded token means two parties hold the family: end it (RFC 9700 §4.14.2).
    revokeGrantLocked(grant.id, "rotated refresh token replayed", writes);
    // The caller gets an error either way; a failed write reloads memory from the store.
    (void)persist(writes);
    return oauth::invalidGrant("The refresh token has already been used.");
  }
  const int64_t now = nowSeconds();
  if (now - token.last_used_at >= settings_.refresh_idle_lifetime_s) {
    return oauth::invalidGrant("The refresh token has expired.");
  }
  std::vector<std::string> scopes = grant.scopes;
  if (scope) {
    auto requested = cc::parseScopes(*scope);
    if (!requested) return requested.error();
    if (!cc::isSubset(*requested, grant.scopes)) {
      return oauth::oauthError(ErrorCode::InvalidRequest, "invalid_scope",
                               "The requested scope exceeds the scope granted by the resource owner.");
    }
    scopes = *requested;
  }
  TokenSet tokens;
  tokens.scopes = scopes;
  tokens.expires_in = settings_.access_token_lifetime_s;
  tokens.access_token = mintAccessTokenLocked(app.client_id, grant.id, grant.user_id, grant.account_id,
                                              scopes, settings_.access_token_lifetime_s, writes);
  if (app.refresh_type == RefreshTokenType::Rotating) {
    token.state = RefreshState::Rotated;
    token.last_used_at = now;
    stage(writes, "refresh", token.hash, token);
    tokens.refresh_token = mintRefreshLocked(grant, token.generation + 1, writes);
  } else {
    token.last_used_at = now;
    stage(writes, "refresh", token.hash, token);
    tokens.refresh_token = refresh_token;
  }
  if (auto status = persist(writes); !status) return status.error();
  return tokens;
}

Result<TokenSet> AuthServer::issueImplicit(const App& app, const User& user, const std::vector<std::string>& scopes) {
  std::unique_lock lock(mutex_);
  Writes writes;
  TokenSet tokens;
  tokens.scopes = scopes;
  tokens.expires_in = settings_.implicit_token_lifetime_s;
  tokens.access_token = mintAccessTokenLocked(app.client_id, "", user.id, user.account_id, scopes,
                                              settings_.implicit_token_lifetime_s, writes);
  if (auto status = persist(writes); !status) return status.error();
  return tokens;
}

Status AuthServer::revoke(const App& app, const std::string& token, const std::string& hint) {
  std::unique_lock lock(mutex_);
  Writes writes;
  const auto revokeRefresh = [&]() -> std::optional<Status> {
    auto it = refresh_.find(hashSecret(token));
    if (it == refresh_.end()) return std::nullopt;
    auto grant = grants_.find(it->second.grant_id);
    if (grant == grants_.end()) return std::nullopt;
    if (grant->second.client_id != app.client_id)
      return Status(oauth::invalidGrant("The token was issued to another client."));
    revokeGrantLocked(grant->first, "refresh token revoked by the client", writes);
    return persist(writes);
  };
  const auto revokeAccess = [&]() -> std::optional<Status> {
    auto claims = crypto::verifyJwtSignature(signingKey(), token);
    if (!claims || !claims->contains("jti")) return std::nullopt;
    auto it = access_.find(claims->value("jti", ""));
    if (it == access_.end()) return std::nullopt;
    if (it->second.client_id != app.client_id)
      return Status(oauth::invalidGrant("The token was issued to another client."));
    it->second.revoked = true;
    stage(writes, "access", it->first, it->second);
    return persist(writes);
  };
  // The hint only orders the search (RFC 7009 §2.1); a wrong hint still finds the token.
  auto first = hint == "access_token" ? revokeAccess() : revokeRefresh();
  if (first) return *first;
  auto second = hint == "access_token" ? revokeRefresh() : revokeAccess();
  if (second) return *second;
  return okStatus();
}

Result<TokenIdentity> AuthServer::verifyAccessToken(const std::string& token) const {
  TokenIdentity identity;
  bool cached = false;
  {
    std::shared_lock lock(cache_mutex_);
    auto it = verified_.find(token);
    if (it != verified_.end()) {
      identity = it->second;
      cached = true;
    }
  }
  if (!cached) {
    auto claims = crypto::verifyJwtSignature(signingKey(), token);
    if (!claims) return claims.error();
    const json& c = *claims;
    if (c.value("iss", "") != settings_.issuer || c.value("aud", "") != settings_.audience ||
        !c.contains("exp") || !c["exp"].is_number_integer() || !c.contains("scp") || !c["scp"].is_array()) {
      return makeError(ErrorCode::Unauthorized, "invalid_token", "The token was not issued by this server.");
    }
    identity.jti = c.value("jti", "");
    identity.client_id = c.value("cid", "");
    identity.user_id = c.value("uid", "");
    identity.account_id = c.value("platform_user_id", "");
    identity.expires_at = c["exp"].get<int64_t>();
    for (const auto& s : c["scp"]) {
      if (s.is_string()) identity.scopes.push_back(s.get<std::string>());
    }
  }
  if (nowSeconds() >= identity.expires_at) {
    return makeError(ErrorCode::Unauthorized, "invalid_token", "The access token has expired.");
  }
  {
    std::shared_lock lock(mutex_);
    auto record = access_.find(identity.jti);
    if (record == access_.end() || record->second.revoked) {
      return makeError(ErrorCode::Unauthorized, "invalid_token", "The access token has been revoked.");
    }
    identity.grant_id = record->second.grant_id;
    if (!userActiveLocked(identity.user_id)) {
      return makeError(ErrorCode::Unauthorized, "invalid_token", "The token's user has been deactivated.");
    }
    if (!identity.grant_id.empty()) {
      auto grant = grants_.find(identity.grant_id);
      if (grant == grants_.end() || grant->second.revoked) {
        return makeError(ErrorCode::Unauthorized, "invalid_token", "The access token has been revoked.");
      }
    }
  }
  if (!cached) {
    std::unique_lock lock(cache_mutex_);
    if (verified_.size() >= 100000) verified_.clear();  // bounded: a full cache starts over
    verified_.emplace(token, identity);
  }
  return identity;
}

size_t AuthServer::verificationCacheSize() const {
  std::shared_lock lock(cache_mutex_);
  return verified_.size();
}

void AuthServer::clearVerificationCache() const {
  std::unique_lock lock(cache_mutex_);
  verified_.clear();
}

}  // namespace liaison::sandbox
