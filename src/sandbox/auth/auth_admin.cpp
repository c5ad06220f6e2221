// What a CC account administrator (or the user) changes behind an app's back: access removed
// inside CC, a user's role or active state, and a regenerated client secret. Each takes effect
// on the next request, as at CC.
#include <spdlog/spdlog.h>

#include "cc/privileges.h"
#include "core/encoding.h"
#include "sandbox/auth/auth_server.h"

namespace liaison::sandbox {

namespace {

Error notFound(const std::string& message) {
  return makeError(ErrorCode::NotFound, "sandbox.not_found", message);
}

}  // namespace

bool AuthServer::userActiveLocked(const std::string& user_id) const {
  auto it = users_.find(user_id);
  return it != users_.end() && it->second.active;
}

Result<int> AuthServer::revokeUserAccess(const std::string& client_id, const std::string& email) {
  std::unique_lock lock(mutex_);
  if (!apps_.count(client_id)) return notFound("No app has that client_id.");
  auto user = user_by_email_.find(toLower(email));
  if (user == user_by_email_.end()) return notFound("No user has that email.");
  const std::string& user_id = user->second;
  Writes writes;
  int ended = 0;
  for (auto& [id, grant] : grants_) {
    if (grant.client_id != client_id || grant.user_id != user_id || grant.revoked) continue;
    revokeGrantLocked(id, "access removed by the user in Constant Contact", writes);
    ++ended;
  }
  // Implicit tokens belong to no grant; they end with the rest of the user's access.
  for (auto& [jti, token] : access_) {
    if (token.grant_id.empty() && token.client_id == client_id && token.user_id == user_id &&
        !token.revoked) {
      token.revoked = true;
      stage(writes, "access", jti, token);
    }
  }
  // Consent given but not yet redeemed must not outlive the removal either.
  const int64_t now = nowSeconds();
  for (auto& [hash, code] : codes_) {
    if (code.client_id == client_id && code.user_id == user_id && !code.used && code.expires_at > now) {
      code.expires_at = now;
      stage(writes, "code", hash, code);
    }
  }
  for (auto& [hash, device] : devices_) {
    if (device.client_id == client_id && device.user_id == user_id &&
        device.status == DeviceStatus::Approved) {
      device.status = DeviceStatus::Denied;
      stage(writes, "device", hash, device);
    }
  }
  if (auto status = persist(writes); !status) return status.error();
  return ended;
}

Result<User> AuthServer::updateUser(const std::string& email, const std::optional<std::string>& role,
                                    std::optional<bool> active) {
  if (role && !cc::isKnownRole(*role)) {
    return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                     "role must be Account Owner, Account Manager or Campaign Creator.");
  }
  std::unique_lock lock(mutex_);
  auto id = user_by_email_.find(toLower(email));
  if (id == user_by_email_.end()) return notFound("No user has that email.");
  User updated = users_.at(id->second);
  if (role) {
    updated.role = *role;
    updated.privileges.clear();  // the new role's bundle, not a list chosen for the old one
  }
  if (active) updated.active = *active;
  Writes writes;
  stage(writes, "user", updated.id, updated);
  if (auto status = persist(writes); !status) return status.error();
  users_[updated.id] = updated;
  return updated;
}

Result<std::string> AuthServer::regenerateSecret(const std::string& client_id) {
  std::unique_lock lock(mutex_);
  auto it = apps_.find(client_id);
  if (it == apps_.end()) return notFound("No app has that client_id.");
  if (!it->second.confidential()) {
    return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                     "A public app has no client secret.");
  }
  const std::string secret = random_.token(32);
  App updated = it->second;
  updated.secret_hash = hashSecret(secret);
  Writes writes;
  stage(writes, "app", updated.client_id, updated);
  if (auto status = persist(writes); !status) return status.error();
  it->second = updated;
  spdlog::info("client secret of {} regenerated", client_id);
  return secret;
}

}  // namespace liaison::sandbox
