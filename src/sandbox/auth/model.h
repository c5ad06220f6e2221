#pragma once
// The sandbox's authorization-server model: CC accounts, their users and roles, registered
// apps, and the grants and credentials minted for them. Secrets are held only as SHA-256
// hashes (tokens, codes, client secrets) or PBKDF2 (passwords).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace liaison::sandbox {

struct Account {
  std::string id;  // encoded_account_id
  nlohmann::json summary;  // the GET /v3/account/summary body, without derived fields
  nlohmann::json emails = nlohmann::json::array();  // GET /v3/account/emails
};

struct User {
  std::string id;
  std::string account_id;
  std::string email;  // lower-case login
  std::string password_hash;
  std::string role;  // "Account Owner", "Account Manager", "Campaign Creator"
  std::vector<std::string> privileges;  // explicit override; empty: the role's privileges
  bool active = true;                   // a deactivated user cannot log in, and their tokens stop working
};

enum class RefreshTokenType { Rotating, LongLived };

struct App {
  std::string client_id;  // the API key
  std::string name;
  std::string secret_hash;  // empty for public clients
  std::vector<std::string> redirect_uris;
  std::set<std::string> flows;  // "authorization_code", "pkce", "device", "implicit"
  RefreshTokenType refresh_type = RefreshTokenType::Rotating;
  bool confidential() const { return !secret_hash.empty(); }
  bool allows(const std::string& flow) const { return flows.count(flow) > 0; }
};

struct Grant {
  std::string id;
  std::string client_id;
  std::string user_id;
  std::string account_id;
  std::vector<std::string> scopes;
  int64_t created_at = 0;
  bool revoked = false;
  std::string revoked_reason;
};

enum class RefreshState { Active, Rotated, Revoked };

struct RefreshToken {
  std::string hash;  // id
  std::string grant_id;
  int generation = 1;
  int64_t created_at = 0;
  int64_t last_used_at = 0;
  RefreshState state = RefreshState::Active;
};

struct AccessTokenRecord {
  std::string jti;  // id
  std::string grant_id;  // empty for implicit tokens, which have no grant family
  std::string client_id;
  std::string user_id;  // so revoking a user's access reaches implicit tokens too
  int64_t expires_at = 0;
  bool revoked = false;
};

struct AuthCode {
  std::string hash;  // id
  std::string client_id;
  std::string redirect_uri;
  std::string user_id;
  std::string account_id;
  std::vector<std::string> scopes;
  std::string code_challenge;
  std::string code_challenge_method;
  std::string nonce;
  int64_t expires_at = 0;
  bool used = false;
  std::string grant_id;  // set on first redemption, so a replay can revoke what it minted
};

enum class DeviceStatus { Pending, Approved, Denied, Consumed };

struct DeviceAuthorization {
  std::string device_hash;  // id
  std::string user_code_hash;  // of the canonical XXXX-XXXX form
  std::string client_id;
  std::vector<std::string> scopes;
  int64_t expires_at = 0;
  int interval = 5;
  int64_t last_poll_at = 0;
  DeviceStatus status = DeviceStatus::Pending;
  std::string user_id;
  std::string account_id;
};

void to_json(nlohmann::json& j, const Account& v);
void from_json(const nlohmann::json& j, Account& v);
void to_json(nlohmann::json& j, const User& v);
void from_json(const nlohmann::json& j, User& v);
void to_json(nlohmann::json& j, const App& v);
void from_json(const nlohmann::json& j, App& v);
void to_json(nlohmann::json& j, const Grant& v);
void from_json(const nlohmann::json& j, Grant& v);
void to_json(nlohmann::json& j, const RefreshToken& v);
void from_json(const nlohmann::json& j, RefreshToken& v);
void to_json(nlohmann::json& j, const AccessTokenRecord& v);
void from_json(const nlohmann::json& j, AccessTokenRecord& v);
void to_json(nlohmann::json& j, const AuthCode& v);
void from_json(const nlohmann::json& j, AuthCode& v);
void to_json(nlohmann::json& j, const DeviceAuthorization& v);
void from_json(const nlohmann::json& j, DeviceAuthorization& v);

}  // namespace liaison::sandbox
