#include "sandbox/auth/model.h"

namespace liaison::sandbox {

using nlohmann::json;

void to_json(json& j, const Account& v) { j = {{"id", v.id}, {"summary", v.summary}, {"emails", v.emails}}; }
void from_json(const json& j, Account& v) {
  j.at("id").get_to(v.id);
  v.summary = j.at("summary");
  v.emails = j.value("emails", json::array());
}

void to_json(json& j, const User& v) {
  j = {
      {"id", v.id},     {"account_id", v.account_id}, {"email", v.email},  {"password_hash", v.password_hash},
      {"role", v.role}, {"privileges", v.privileges}, {"active", v.active}};
}
void from_json(const json& j, User& v) {
  j.at("id").get_to(v.id);
  j.at("account_id").get_to(v.account_id);
  j.at("email").get_to(v.email);
  j.at("password_hash").get_to(v.password_hash);
  j.at("role").get_to(v.role);
  j.at("privileges").get_to(v.privileges);
  v.active = j.value("active", true);  // stored before users could be deactivated
}

void to_json(json& j, const App& v) {
  j = {{"client_id", v.client_id},
       {"name", v.name},
       {"secret_hash", v.secret_hash},
       {"redirect_uris", v.redirect_uris},
       {"flows", v.flows},
       {"refresh_type", v.refresh_type == RefreshTokenType::Rotating ? "rotating" : "long_lived"}};
}
void from_json(const json& j, App& v) {
  j.at("client_id").get_to(v.client_id);
  j.at("name").get_to(v.name);
  j.at("secret_hash").get_to(v.secret_hash);
  j.at("redirect_uris").get_to(v.redirect_uris);
  j.at("flows").get_to(v.flows);
  v.refresh_type = j.at("refresh_type") == "rotating" ? RefreshTokenType::Rotating
                                                      : RefreshTokenType::LongLived;
}

void to_json(json& j, const Grant& v) {
  j = {{"id", v.id},           {"client_id", v.client_id}, {"user_id", v.user_id},
       {"account_id", v.account_id}, {"scopes", v.scopes}, {"created_at", v.created_at},
       {"revoked", v.revoked}, {"revoked_reason", v.revoked_reason}};
}
void from_json(const json& j, Grant& v) {
  j.at("id").get_to(v.id);
  j.at("client_id").get_to(v.client_id);
  j.at("user_id").get_to(v.user_id);
  j.at("account_id").get_to(v.account_id);
  j.at("scopes").get_to(v.scopes);
  j.at("created_at").get_to(v.created_at);
  j.at("revoked").get_to(v.revoked);
  j.at("revoked_reason").get_to(v.revoked_reason);
}

void to_json(json& j, const RefreshToken& v) {
  j = {{"hash", v.hash},
       {"grant_id", v.grant_id},
       {"generation", v.generation},
       {"created_at", v.created_at},
       {"last_used_at", v.last_used_at},
       {"state", static_cast<int>(v.state)}};
}
void from_json(const json& j, RefreshToken& v) {
  j.at("hash").get_to(v.hash);
  j.at("grant_id").get_to(v.grant_id);
  j.at("generation").get_to(v.generation);
  j.at("created_at").get_to(v.created_at);
  j.at("last_used_at").get_to(v.last_used_at);
  v.state = static_cast<RefreshState>(j.at("state").get<int>());
}

void to_json(json& j, const AccessTokenRecord& v) {
  j = {{"jti", v.jti},         {"grant_id", v.grant_id},     {"client_id", v.client_id},
       {"user_id", v.user_id}, {"expires_at", v.expires_at}, {"revoked", v.revoked}};
}
void from_json(const json& j, AccessTokenRecord& v) {
  j.at("jti").get_to(v.jti);
  j.at("grant_id").get_to(v.grant_id);
  j.at("client_id").get_to(v.client_id);
  v.user_id = j.value("user_id", "");
  j.at("expires_at").get_to(v.expires_at);
  j.at("revoked").get_to(v.revoked);
}

void to_json(json& j, const AuthCode& v) {
  j = {{"hash", v.hash},
       {"client_id", v.client_id},
       {"redirect_uri", v.redirect_uri},
       {"user_id", v.user_id},
       {"account_id", v.account_id},
       {"scopes", v.scopes},
       {"code_challenge", v.code_challenge},
       {"code_challenge_method", v.code_challenge_method},
       {"nonce", v.nonce},
       {"expires_at", v.expires_at},
       {"used", v.used},
       {"grant_id", v.grant_id}};
}
void from_json(const json& j, AuthCode& v) {
  j.at("hash").get_to(v.hash);
  j.at("client_id").get_to(v.client_id);
  j.at("redirect_uri").get_to(v.redirect_uri);
  j.at("user_id").get_to(v.user_id);
  j.at("account_id").get_to(v.account_id);
  j.at("scopes").get_to(v.scopes);
  j.at("code_challenge").get_to(v.code_challenge);
  j.at("code_challenge_method").get_to(v.code_challenge_method);
  j.at("nonce").get_to(v.nonce);
  j.at("expires_at").get_to(v.expires_at);
  j.at("used").get_to(v.used);
  j.at("grant_id").get_to(v.grant_id);
}

void to_json(json& j, const DeviceAuthorization& v) {
  j = {{"device_hash", v.device_hash},
       {"user_code_hash", v.user_code_hash},
       {"client_id", v.client_id},
       {"scopes", v.scopes},
       {"expires_at", v.expires_at},
       {"interval", v.interval},
       {"last_poll_at", v.last_poll_at},
       {"status", static_cast<int>(v.status)},
       {"user_id", v.user_id},
       {"account_id", v.account_id}};
}
void from_json(const json& j, DeviceAuthorization& v) {
  j.at("device_hash").get_to(v.device_hash);
  j.at("user_code_hash").get_to(v.user_code_hash);
  j.at("client_id").get_to(v.client_id);
  j.at("scopes").get_to(v.scopes);
  j.at("expires_at").get_to(v.expires_at);
  j.at("interval").get_to(v.interval);
  j.at("last_poll_at").get_to(v.last_poll_at);
  v.status = static_cast<DeviceStatus>(j.at("status").get<int>());
  j.at("user_id").get_to(v.user_id);
  j.at("account_id").get_to(v.account_id);
}

}  // namespace liaison::sandbox
