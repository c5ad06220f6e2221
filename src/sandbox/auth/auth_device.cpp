// Device authorization grant (RFC 8628): starting a device authorization, the person's decision,
// and polling with authorization_pending / slow_down / access_denied / expired_token.
#include "cc/scopes.h"
#include "oauth/errors.h"
#include "oauth/user_code.h"
#include "sandbox/auth/auth_server.h"

namespace liaison::sandbox {

Result<DeviceStart> AuthServer::startDevice(const App& app, const std::vector<std::string>& scopes) {
  std::unique_lock lock(mutex_);
  Writes writes;
  DeviceStart start;
  start.device_code = random_.token(32);
  do {
    start.user_code = oauth::generateUserCode(random_);
  } while (device_by_user_code_.count(hashSecret(start.user_code)));
  start.expires_in = settings_.device_code_lifetime_s;
  start.interval = settings_.device_interval_s;
  DeviceAuthorization device;
  device.device_hash = hashSecret(start.device_code);
  device.user_code_hash = hashSecret(start.user_code);
  device.client_id = app.client_id;
  device.scopes = scopes;
  device.expires_at = nowSeconds() + start.expires_in;
  device.interval = start.interval;
  stage(writes, "device", device.device_hash, device);
  device_by_user_code_[device.user_code_hash] = device.device_hash;
  devices_[device.device_hash] = device;
  if (auto status = persist(writes); !status) return status.error();
  return start;
}

std::optional<DeviceAuthorization> AuthServer::findDeviceByUserCode(const std::string& user_code) const {
  auto canonical = oauth::normalizeUserCode(user_code);
  if (!canonical) return std::nullopt;
  std::shared_lock lock(mutex_);
  auto it = device_by_user_code_.find(hashSecret(*canonical));
  if (it == device_by_user_code_.end()) return std::nullopt;
  const auto& device = devices_.at(it->second);
  if (device.status != DeviceStatus::Pending || nowSeconds() >= device.expires_at) return std::nullopt;
  return device;
}

Status AuthServer::decideDevice(const std::string& device_hash, const User& user, bool approve) {
  std::unique_lock lock(mutex_);
  Writes writes;
  auto it = devices_.find(device_hash);
  if (it == devices_.end() || it->second.status != DeviceStatus::Pending || nowSeconds() >= it->second.expires_at) {
    return makeError(ErrorCode::NotFound, "invalid_user_code", "The code is invalid or has expired.");
  }
  it->second.status = approve ? DeviceStatus::Approved : DeviceStatus::Denied;
  it->second.user_id = user.id;
  it->second.account_id = user.account_id;
  stage(writes, "device", device_hash, it->second);
  return persist(writes);
}

Result<TokenSet> AuthServer::pollDevice(const App& app, const std::string& device_code) {
  std::unique_lock lock(mutex_);
  Writes writes;
  auto it = devices_.find(hashSecret(device_code));
  if (it == devices_.end() || it->second.client_id != app.client_id) {
    return oauth::invalidGrant("The device code is invalid.");
  }
  DeviceAuthorization& device = it->second;
  const int64_t now = nowSeconds();
  if (device.status == DeviceStatus::Consumed)
    return oauth::invalidGrant("The device code has already been used.");
  if (now >= device.expires_at)
    return oauth::oauthError(ErrorCode::InvalidRequest, "expired_token", "The device code has expired.");
  if (device.status == DeviceStatus::Denied) {
    device.status = DeviceStatus::Consumed;
    stage(writes, "device", device.device_hash, device);
    // The caller gets an error either way; a failed write reloads memory from the store.
    (void)persist(writes);
    return oauth::oauthError(ErrorCode::InvalidRequest, "access_denied", "The user denied the request.");
  }
  const bool too_fast = device.last_poll_at > 0 && now - device.last_poll_at < device.interval;
  device.last_poll_at = now;
  if (too_fast) {
    // RFC 8628 §3.5: each slow_down adds 5 seconds to the interval for the rest of the flow.
    device.interval += 5;
    stage(writes, "device", device.device_hash, device);
    // The caller gets an error either way; a failed write reloads memory from the store.
    (void)persist(writes);
    return oauth::oauthError(ErrorCode::InvalidRequest, "slow_down", "Polling too fast; wait the interval.");
  }
  if (device.status == DeviceStatus::Pending) {
    stage(writes, "device", device.device_hash, device);
    // The caller gets an error either way; a failed write reloads memory from the store.
    (void)persist(writes);
    return oauth::oauthError(ErrorCode::InvalidRequest, "authorization_pending",
                             "The user has not yet approved the request.");
  }
  if (!userActiveLocked(device.user_id)) return oauth::invalidGrant("The user has been deactivated.");
  Grant grant;
  grant.id = random_.uuid();
  grant.client_id = app.client_id;
  grant.user_id = device.user_id;
  grant.account_id = device.account_id;
  grant.scopes = device.scopes;
  grant.created_at = now;
  device.status = DeviceStatus::Consumed;
  stage(writes, "device", device.device_hash, device);
  stage(writes, "grant", grant.id, grant);
  grants_[grant.id] = grant;
  TokenSet tokens =
      mintTokensLocked(app, grant, grant.scopes, cc::hasScope(grant.scopes, "offline_access"), "", writes);
  if (auto status = persist(writes); !status) return status.error();
  return tokens;
}

}  // namespace liaison::sandbox
