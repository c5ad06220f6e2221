// Registry, persistence and seed of the authorization server.
#include <spdlog/spdlog.h>

#include "cc/email_address.h"
#include "cc/privileges.h"
#include "core/encoding.h"
#include "crypto/hash.h"
#include "sandbox/auth/auth_server.h"

namespace liaison::sandbox {

using nlohmann::json;

std::optional<SeedKind> parseSeed(std::string_view name) {
  if (name == "demo") return SeedKind::Demo;
  if (name == "bare") return SeedKind::Bare;
  if (name == "empty") return SeedKind::Empty;
  return std::nullopt;
}

AuthServer::AuthServer(AuthSettings settings, const Clock& clock, RandomSource& random,
                       storage::DocumentStore* store, SeedKind seed)
    : settings_(std::move(settings)), clock_(clock), random_(random), store_(store) {
  std::unique_lock lock(mutex_);
  bool initialized = false;
  if (store_) initialized = loadFromStore();
  Writes writes;
  started_fresh_ = !initialized;
  if (!initialized) {
    // A fresh database (or memory): seed it once. A later reset to an empty seed stays empty
    // across restarts because the marker below is kept.
    seedInto(seed, writes);
    writes.push_back({"meta", "initialized", "{}"});
  }
  ensureSigningKey(writes);
  if (store_ && !writes.empty() && !store_->commit(writes).ok()) {
    throw std::runtime_error("cannot write the sandbox's initial state");
  }
}

int64_t AuthServer::nowSeconds() const { return toUnixSeconds(clock_.now()); }

std::string AuthServer::hashSecret(const std::string& secret) const {
  return crypto::sha256Hex(secret);
}

void AuthServer::ensureSigningKey(Writes& writes) {
  if (key_.valid()) return;
  if (!store_) {
    key_ = std::async(std::launch::async, [] {
             return std::make_shared<crypto::RsaKey>(crypto::RsaKey::generate());
           }).share();
    return;
  }
  // With a data directory the key must be on disk before any token signed by it is handed out,
  // so it is generated here, once per database.
  auto key = std::make_shared<crypto::RsaKey>(crypto::RsaKey::generate());
  writes.push_back({"meta", "signing_key", json{{"pem", key->privatePem()}}.dump()});
  std::promise<std::shared_ptr<crypto::RsaKey>> ready;
  ready.set_value(std::move(key));
  key_ = ready.get_future().share();
}

void AuthServer::clearMemory() {
  accounts_.clear();
  users_.clear();
  user_by_email_.clear();
  apps_.clear();
  grants_.clear();
  refresh_.clear();
  access_.clear();
  codes_.clear();
  devices_.clear();
  device_by_user_code_.clear();
  clearVerificationCache();
}

Status AuthServer::persist(const Writes& writes) {
  if (!store_ || writes.empty()) return okStatus();
  auto status = store_->commit(writes);
  if (!status) {
    spdlog::error("storage commit failed; reloading state");
    loadFromStore();
    return makeError(ErrorCode::Internal, "server_error", "The change could not be stored.");
  }
  return okStatus();
}

Status AuthServer::reset(SeedKind seed) {
  std::unique_lock lock(mutex_);
  if (store_) {
    auto status = store_->clear();
    if (!status) return status;
  }
  clearMemory();
  Writes writes;
  if (auto cached = seed_cache_.find(seed); cached != seed_cache_.end()) {
    accounts_ = cached->second.accounts;
    users_ = cached->second.users;
    user_by_email_ = cached->second.user_by_email;
    apps_ = cached->second.apps;
    writes = cached->second.writes;
  } else {
    seedInto(seed, writes);
    seed_cache_[seed] = {accounts_, users_, user_by_email_, apps_, writes};
  }
  // The signing key survives a reset: clients keep their cached JWKS.
  if (store_) {
    writes.push_back({"meta", "signing_key", json{{"pem", key_.get()->privatePem()}}.dump()});
  }
  writes.push_back({"meta", "initialized", "{}"});
  return persist(writes);
}

Result<Account> AuthServer::createAccount(const json& summary) {
  std::unique_lock lock(mutex_);
  Writes writes;
  auto account = createAccountLocked(summary, writes);
  if (!account) return account;
  if (auto status = persist(writes); !status) return status.error();
  return account;
}

Result<Account> AuthServer::updateAccount(const std::string& account_id,
                                          const std::function<Status(Account&)>& change) {
  std::unique_lock lock(mutex_);
  auto it = accounts_.find(account_id);
  if (it == accounts_.end()) return makeError(ErrorCode::NotFound, "account.api.not_found", "Account not found.");
  Account updated = it->second;
  if (auto status = change(updated); !status) return status.error();
  Writes writes;
  stage(writes, "account", updated.id, updated);
  if (auto status = persist(writes); !status) return status.error();
  it->second = updated;
  return updated;
}

Result<Account> AuthServer::createAccountLocked(const json& summary, Writes& writes) {
  if (!summary.is_object()) {
    return makeError(ErrorCode::InvalidRequest, "sandbox.invalid_account", "account must be a JSON object");
  }
  Account account;
  account.id = summary.value("encoded_account_id", "");
  if (account.id.empty()) {
    const auto raw = random_.bytes(6);
    account.id = "a";
    account.id += crypto::toHex(std::string(reinterpret_cast<const char*>(raw.data()), raw.size()));
  }
  if (accounts_.count(account.id)) {
    return makeError(ErrorCode::Conflict, "sandbox.conflict", "an account with this id exists");
  }
  account.summary = summary;
  account.summary.erase("encoded_account_id");
  if (!account.summary.contains("organization_name")) account.summary["organization_name"] = "Sandbox Account";
  stage(writes, "account", account.id, account);
  accounts_[account.id] = account;
  return account;
}

Result<User> AuthServer::createUser(const UserSpec& spec) {
  std::unique_lock lock(mutex_);
  Writes writes;
  auto user = createUserLocked(spec, writes);
  if (!user) return user;
  if (auto status = persist(writes); !status) return status.error();
  return user;
}

Result<User> AuthServer::createUserLocked(const UserSpec& spec, Writes& writes) {
  const std::string email = toLower(spec.email);
  if (!cc::isEmailAddress(email)) {
    return makeError(ErrorCode::InvalidRequest, "sandbox.invalid_user", "email must be an email address");
  }
  if (spec.password.size() < 6) {
    return makeError(ErrorCode::InvalidRequest, "sandbox.invalid_user", "password must have at least 6 characters");
  }
  if (!accounts_.count(spec.account_id)) {
    return makeError(ErrorCode::NotFound, "sandbox.not_found", "account_id names no account");
  }
  if (!cc::isKnownRole(spec.role)) {
    return makeError(ErrorCode::InvalidRequest, "sandbox.invalid_user",
                     "role must be Account Owner, Account Manager or Campaign Creator");
  }
  for (const auto& p : spec.privileges) {
    if (!cc::findPrivilege(p)) {
      return makeError(ErrorCode::InvalidRequest, "sandbox.invalid_user", "unknown privilege: " + p);
    }
  }
  if (user_by_email_.count(email)) {
    return makeError(ErrorCode::Conflict, "sandbox.conflict", "a user with this email exists");
  }
  User user;
  user.id = random_.uuid();
  user.account_id = spec.account_id;
  user.email = email;
  const auto salt = random_.bytes(16);
  user.password_hash = crypto::hashPassword(
      spec.password, std::string_view(reinterpret_cast<const char*>(salt.data()), salt.size()),
      settings_.password_hash_iterations);
  user.role = spec.role;
  user.privileges = spec.privileges;
  stage(writes, "user", user.id, user);
  user_by_email_[email] = user.id;
  users_[user.id] = user;
  return user;
}

Result<std::pair<App, std::string>> AuthServer::registerApp(const AppSpec& spec) {
  std::unique_lock lock(mutex_);
  Writes writes;
  auto app = registerAppLocked(spec, writes);
  if (!app) return app;
  if (auto status = persist(writes); !status) return status.error();
  return app;
}

Result<std::pair<App, std::string>> AuthServer::registerAppLocked(const AppSpec& spec, Writes& writes) {
  static const std::set<std::string> kFlows = {"authorization_code", "pkce", "device", "implicit"};
  for (const auto& flow : spec.flows) {
    if (!kFlows.count(flow)) {
      return makeError(ErrorCode::InvalidRequest, "sandbox.invalid_app", "unknown flow: " + flow);
    }
  }
  for (const auto& uri : spec.redirect_uris) {
    if (!(uri.starts_with("https://") || uri.starts_with("http://")) || uri.find('#') != std::string::npos) {
      return makeError(ErrorCode::InvalidRequest, "sandbox.invalid_app",
                       "redirect URIs must be absolute http(s) URIs without a fragment");
    }
  }
  if (spec.confidential && spec.client_secret && spec.client_secret->size() < 8) {
    return makeError(ErrorCode::InvalidRequest, "sandbox.invalid_app", "client_secret is too short");
  }
  App app;
  app.client_id = spec.client_id.empty() ? random_.uuid() : spec.client_id;
  if (apps_.count(app.client_id)) {
    return makeError(ErrorCode::Conflict, "sandbox.conflict", "an app with this client_id exists");
  }
  app.name = spec.name.empty() ? "Unnamed app" : spec.name;
  std::string secret;
  if (spec.confidential) {
    secret = spec.client_secret ? *spec.client_secret : random_.token(32);
    app.secret_hash = hashSecret(secret);
  }
  app.redirect_uris = spec.redirect_uris;
  app.flows = spec.flows;
  app.refresh_type = spec.refresh_type;
  stage(writes, "app", app.client_id, app);
  apps_[app.client_id] = app;
  return std::make_pair(app, secret);
}

std::optional<App> AuthServer::findApp(const std::string& client_id) const {
  std::shared_lock lock(mutex_);
  auto it = apps_.find(client_id);
  return it == apps_.end() ? std::nullopt : std::optional<App>(it->second);
}

std::vector<App> AuthServer::listApps() const {
  std::shared_lock lock(mutex_);
  std::vector<App> out;
  for (const auto& [id, app] : apps_) out.push_back(app);
  return out;
}

std::optional<User> AuthServer::findUser(const std::string& user_id) const {
  std::shared_lock lock(mutex_);
  auto it = users_.find(user_id);
  return it == users_.end() ? std::nullopt : std::optional<User>(it->second);
}

std::optional<Account> AuthServer::findAccount(const std::string& account_id) const {
  std::shared_lock lock(mutex_);
  auto it = accounts_.find(account_id);
  return it == accounts_.end() ? std::nullopt : std::optional<Account>(it->second);
}

Result<User> AuthServer::findUserByEmail(const std::string& email) const {
  std::shared_lock lock(mutex_);
  auto it = user_by_email_.find(toLower(email));
  if (it == user_by_email_.end()) {
    return makeError(ErrorCode::NotFound, "sandbox.not_found", "no user with this email");
  }
  return users_.at(it->second);
}

Result<User> AuthServer::checkPassword(const std::string& email, const std::string& password) const {
  auto user = findUserByEmail(email);
  // The same answer for an unknown email and a wrong password: logins do not reveal accounts.
  if (!user || !crypto::verifyPassword(password, user->password_hash)) {
    return makeError(ErrorCode::Unauthorized, "invalid_credentials", "The email or password is incorrect.");
  }
  if (!user->active) {
    return makeError(ErrorCode::Forbidden, "user_deactivated",
                     "This user has been deactivated in the account.");
  }
  return user;
}

std::vector<std::string> AuthServer::userPrivileges(const User& user) const {
  return user.privileges.empty() ? cc::privilegesForRole(user.role) : user.privileges;
}

std::optional<std::vector<std::string>> AuthServer::missingPrivileges(const std::string& user_id,
                                                                      const std::vector<std::string>& required) const {
  std::shared_lock lock(mutex_);
  auto it = users_.find(user_id);
  if (it == users_.end()) return std::nullopt;
  const User& user = it->second;
  std::vector<std::string> missing;
  for (const auto& privilege : required) {
    const bool held = user.privileges.empty() ? cc::roleGrants(user.role, privilege)
                                              : std::find(user.privileges.begin(), user.privileges.end(),
                                                          privilege) != user.privileges.end();
    if (!held) missing.push_back(privilege);
  }
  return missing;
}

void AuthServer::seedInto(SeedKind seed, Writes& writes) {
  if (seed == SeedKind::Empty) return;
  const json bakery = {
      {"encoded_account_id", "a07e1sandbox01"},
      {"organization_name", "Sandbox Bakery"},
      {"first_name", "Olive"},
      {"last_name", "Owner"},
      {"contact_email", "owner@sandbox.test"},
      {"contact_phone", "555-0100"},
      {"organization_phone", "555-0199"},
      {"website", "https://bakery.sandbox.test"},
      {"country_code", "US"},
      {"state_code", "MA"},
      {"time_zone_id", "America/New_York"},
      {"physical_address",
       {{"address_line1", "1 Flour Lane"},
        {"city", "Waltham"},
        {"state_code", "MA"},
        {"postal_code", "02451"},
        {"country_code", "US"}}}};
  auto account = createAccountLocked(bakery, writes);
  account->emails = json::array({{{"email_address", "owner@sandbox.test"},
                                  {"email_id", 1},
                                  {"confirm_status", "CONFIRMED"},
                                  {"confirm_time", "2026-01-05T15:00:00.000Z"},
                                  {"confirm_source_type", "SITE_OWNER"},
                                  {"roles", {"CONTACT", "BILLING", "REPLY_TO"}},
                                  {"pending_roles", json::array()}}});
  accounts_[account->id] = *account;
  stage(writes, "account", account->id, *account);
  (void)createUserLocked({account->id, "owner@sandbox.test", "sandbox", "Account Owner", {}}, writes);
  (void)createUserLocked({account->id, "creator@sandbox.test", "sandbox", "Campaign Creator", {}}, writes);
  const std::vector<std::string> loopback = {"http://127.0.0.1/callback", "http://localhost/callback"};
  (void)registerAppLocked({"sandbox-client", "Sandbox Confidential App", true, std::string("sandbox-secret"),
                     loopback, {"authorization_code"}, RefreshTokenType::Rotating},
                    writes);
  (void)registerAppLocked({"sandbox-public", "Sandbox Public App", false, std::nullopt, loopback,
                     {"pkce", "device"}, RefreshTokenType::Rotating},
                    writes);
}

}  // namespace liaison::sandbox
