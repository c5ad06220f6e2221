#pragma once
// The sandbox's OAuth2 authorization server: the state (accounts, users, apps, grants, codes,
// device authorizations, tokens) and the protocol rules of RFC 6749, 7636, 7009 and 8628 as
// Constant Contact applies them. HTTP parsing lives in the endpoint files; this class is pure
// logic on an injected clock, random source and document store.
#include <nlohmann/json.hpp>

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "crypto/jwt.h"
#include "oauth/token_response.h"
#include "sandbox/auth/model.h"
#include "storage/document_store.h"

namespace liaison::sandbox {

// Demo: the demo account, its users and apps, and a small business in it (contacts, lists,
// campaigns); Bare: the same account, users and apps with no contacts, lists or campaigns
// (suites that count from zero); Empty: nothing.
enum class SeedKind { Demo, Bare, Empty };
// "demo", "bare" or "empty".
std::optional<SeedKind> parseSeed(std::string_view name);

struct AuthSettings {
  std::string issuer = "http://127.0.0.1:8600";  // the sandbox's own base URL
  std::string audience = "https://api.cc.email/v3";
  int code_lifetime_s = 300;
  int access_token_lifetime_s = 86400;
  int implicit_token_lifetime_s = 28800;
  int device_code_lifetime_s = 300;
  int device_interval_s = 5;
  int refresh_idle_lifetime_s = 180 * 86400;
  int password_hash_iterations = 20000;
};

// What the token endpoint answers (RFC 6749 §5.1), in the shape OAuth clients parse.
using TokenSet = oauth::TokenResponse;

struct DeviceStart {
  std::string device_code;
  std::string user_code;  // XXXX-XXXX
  int expires_in = 0;
  int interval = 0;
};

// Who an access token speaks for, as the API layer needs it.
struct TokenIdentity {
  std::string jti;
  std::string grant_id;
  std::string client_id;
  std::string user_id;
  std::string account_id;
  std::vector<std::string> scopes;
  int64_t expires_at = 0;
};

struct AppSpec {
  std::string client_id;  // generated when empty
  std::string name;
  bool confidential = true;
  std::optional<std::string> client_secret;  // generated for confidential apps when absent
  std::vector<std::string> redirect_uris;
  std::set<std::string> flows;
  RefreshTokenType refresh_type = RefreshTokenType::Rotating;
};

struct UserSpec {
  std::string account_id;
  std::string email;
  std::string password;
  std::string role;
  std::vector<std::string> privileges;
};

class AuthServer {
 public:
  AuthServer(AuthSettings settings, const Clock& clock, RandomSource& random,
             storage::DocumentStore* store, SeedKind seed);

  const AuthSettings& settings() const { return settings_; }
  void setIssuer(const std::string& issuer) { settings_.issuer = issuer; }
  // Generated in the background at first start so start-up never waits on RSA key generation.
  const crypto::RsaKey& signingKey() const { return *key_.get(); }
  const Clock& clock() const { return clock_; }

  // --- Registry (control API and seed) ---
  Status reset(SeedKind seed);
  Result<Account> createAccount(const nlohmann::json& summary);
  // Applies `change` to a copy of the account and stores it if the change succeeds.
  Result<Account> updateAccount(const std::string& account_id, const std::function<Status(Account&)>& change);
  Result<User> createUser(const UserSpec& spec);
  // Returns the app and, for confidential apps, the client secret (shown once).
  Result<std::pair<App, std::string>> registerApp(const AppSpec& spec);
  std::optional<App> findApp(const std::string& client_id) const;
  std::vector<App> listApps() const;
  std::optional<User> findUser(const std::string& user_id) const;
  std::optional<Account> findAccount(const std::string& account_id) const;
  Result<User> checkPassword(const std::string& email, const std::string& password) const;
  std::vector<std::string> userPrivileges(const User& user) const;
  // Which of `required` the user lacks; nullopt when there is no such user. Copies nothing on
  // the way: every API call asks.
  std::optional<std::vector<std::string>> missingPrivileges(const std::string& user_id,
                                                            const std::vector<std::string>& required) const;
  Result<User> findUserByEmail(const std::string& email) const;

  // --- What a CC account administrator does (control API; auth_admin.cpp) ---
  // The user removes the app's access: every grant of the user for the client ends, with its
  // refresh and access tokens, and codes or device approvals not yet redeemed. Returns how many
  // grants ended.
  Result<int> revokeUserAccess(const std::string& client_id, const std::string& email);
  // A new role (its privileges replace any explicit list) and/or (de)activation.
  Result<User> updateUser(const std::string& email, const std::optional<std::string>& role,
                          std::optional<bool> active);
  // A new client secret for a confidential app; the old one stops working at once. Issued
  // tokens stay valid, as they do at CC.
  Result<std::string> regenerateSecret(const std::string& client_id);

  // --- Client authentication (token and revocation endpoints) ---
  // `basic_user`/`basic_password` from an Authorization: Basic header, if any; `form_client_id`
  // from the body. Confidential apps must use Basic; public apps send client_id alone.
  Result<App> authenticateClient(const std::optional<std::string>& basic_user,
                                 const std::optional<std::string>& basic_password,
                                 const std::optional<std::string>& form_client_id) const;

  // --- Grants ---
  std::string issueCode(const App& app, const std::string& redirect_uri, const User& user,
                        const std::vector<std::string>& scopes, const std::string& challenge,
                        const std::string& method, const std::string& nonce);
  Result<TokenSet> exchangeCode(const App& app, const std::string& code,
                                const std::optional<std::string>& redirect_uri,
                                const std::optional<std::string>& verifier);
  Result<TokenSet> refresh(const App& app, const std::string& refresh_token,
                           const std::optional<std::string>& scope);
  Result<TokenSet> issueImplicit(const App& app, const User& user, const std::vector<std::string>& scopes);
  Result<DeviceStart> startDevice(const App& app, const std::vector<std::string>& scopes);
  Result<TokenSet> pollDevice(const App& app, const std::string& device_code);
  // Looks up a live device authorization by user code (any case, with or without dash).
  std::optional<DeviceAuthorization> findDeviceByUserCode(const std::string& user_code) const;
  Status decideDevice(const std::string& device_hash, const User& user, bool approve);
  // RFC 7009. Unknown tokens succeed; another client's token fails with invalid_grant.
  Status revoke(const App& app, const std::string& token, const std::string& hint);

  // --- API side ---
  // Checks signature (cached), expiry, and revocation of the token and of its grant.
  // Snapshots: the state as documents (without the signing key, which outlives snapshots as it
  // outlives resets), and replacing the state with such documents.
  std::vector<storage::Document> documents() const;
  // Whether this process seeded the state (memory, or a data directory used for the first time).
  bool startedFresh() const { return started_fresh_; }
  Status restoreDocuments(const std::vector<storage::Document>& docs);

  Result<TokenIdentity> verifyAccessToken(const std::string& token) const;
  size_t verificationCacheSize() const;
  void clearVerificationCache() const;

 private:
  using Writes = std::vector<storage::Write>;
  template <typename T>
  static void stage(Writes& writes, const char* kind, const std::string& id, const T& value) {
    writes.push_back({kind, id, nlohmann::json(value).dump()});
  }
  // Persists staged writes; on failure reloads memory from the store so the two never diverge.
  Status persist(const Writes& writes);
  // Returns whether the store had been initialized (seeded) before.
  bool loadFromStore();
  // Replaces memory with `docs`; returns whether they mark an initialized store.
  bool loadDocuments(const std::vector<storage::Document>& docs);
  void seedInto(SeedKind seed, Writes& writes);
  void clearMemory();
  void ensureSigningKey(Writes& writes);
  int64_t nowSeconds() const;
  bool userActiveLocked(const std::string& user_id) const;  // mutex_ held (either way)
  std::string hashSecret(const std::string& secret) const;

  // The *Locked helpers expect mutex_ held exclusively.
  Result<Account> createAccountLocked(const nlohmann::json& summary, Writes& writes);
  Result<User> createUserLocked(const UserSpec& spec, Writes& writes);
  Result<std::pair<App, std::string>> registerAppLocked(const AppSpec& spec, Writes& writes);
  TokenSet mintTokensLocked(const App& app, const Grant& grant, const std::vector<std::string>& scopes,
                            bool with_refresh, const std::string& nonce, Writes& writes);
  std::string mintAccessTokenLocked(const std::string& client_id, const std::string& grant_id,
                                    const std::string& user_id, const std::string& account_id,
                                    const std::vector<std::string>& scopes, int lifetime,
                                    Writes& writes);
  std::string mintRefreshLocked(const Grant& grant, int generation, Writes& writes);
  void revokeGrantLocked(const std::string& grant_id, const std::string& reason, Writes& writes);

  AuthSettings settings_;
  const Clock& clock_;
  RandomSource& random_;
  storage::DocumentStore* store_;
  std::shared_future<std::shared_ptr<crypto::RsaKey>> key_;

  mutable std::shared_mutex mutex_;
  std::map<std::string, Account> accounts_;
  std::map<std::string, User> users_;
  std::map<std::string, std::string> user_by_email_;
  std::map<std::string, App> apps_;
  // What each seed produced the first time, so a reset does not hash the demo passwords again.
  struct SeedCache {
    std::map<std::string, Account> accounts;
    std::map<std::string, User> users;
    std::map<std::string, std::string> user_by_email;
    std::map<std::string, App> apps;
    Writes writes;
  };
  std::map<SeedKind, SeedCache> seed_cache_;
  bool started_fresh_ = false;
  std::map<std::string, Grant> grants_;
  std::unordered_map<std::string, RefreshToken> refresh_;
  std::unordered_map<std::string, AccessTokenRecord> access_;
  std::unordered_map<std::string, AuthCode> codes_;
  std::unordered_map<std::string, DeviceAuthorization> devices_;
  std::unordered_map<std::string, std::string> device_by_user_code_;

  mutable std::shared_mutex cache_mutex_;
  mutable std::unordered_map<std::string, TokenIdentity> verified_;
};

}  // namespace liaison::sandbox
