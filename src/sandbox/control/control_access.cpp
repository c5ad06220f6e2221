// Control API: access changes made inside CC, which an app only notices on its next call.
#include "cc/errors.h"
#include "sandbox/control/control_api.h"
#include "sandbox/control/control_json.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

http::Response accessFailure(const Error& error) { return cc::errorResponse(error); }

http::Response revokeGrants(SandboxContext& context, const http::Request& request) {
  auto body = readJson(request);
  if (!body) return accessFailure(body.error());
  auto client_id = field<std::string>(*body, "client_id", "");
  auto email = field<std::string>(*body, "email", "");
  if (!client_id) return accessFailure(client_id.error());
  if (!email) return accessFailure(email.error());
  if (client_id->empty() || email->empty()) {
    return accessFailure(makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                                   "client_id and email are required."));
  }
  auto ended = context.auth.revokeUserAccess(*client_id, *email);
  if (!ended) return accessFailure(ended.error());
  return http::Response::json(
      200, {{"client_id", *client_id}, {"email", toLower(*email)}, {"revoked_grants", *ended}});
}

http::Response updateUser(SandboxContext& context, const http::Request& request,
                          const std::function<void(const User&)>& on_user_changed) {
  auto body = readJson(request);
  if (!body) return accessFailure(body.error());
  std::optional<std::string> role;
  std::optional<bool> active;
  if (body->contains("role")) {
    auto value = field<std::string>(*body, "role", "");
    if (!value) return accessFailure(value.error());
    role = *value;
  }
  if (body->contains("active")) {
    auto value = field<bool>(*body, "active", true);
    if (!value) return accessFailure(value.error());
    active = *value;
  }
  if (!role && !active) {
    return accessFailure(
        makeError(ErrorCode::InvalidRequest, "sandbox.validation.error", "Send role, active or both."));
  }
  auto user = context.auth.updateUser(request.path_params.at("email"), role, active);
  if (!user) return accessFailure(user.error());
  if (on_user_changed) on_user_changed(*user);
  return http::Response::json(200, {{"user_id", user->id},
                                    {"account_id", user->account_id},
                                    {"email", user->email},
                                    {"role", user->role},
                                    {"active", user->active},
                                    {"privileges", context.auth.userPrivileges(*user)}});
}

http::Response regenerateSecret(SandboxContext& context, const http::Request& request) {
  const std::string client_id = request.path_params.at("client_id");
  auto secret = context.auth.regenerateSecret(client_id);
  if (!secret) return accessFailure(secret.error());
  // Answered once, like CC's developer portal: only the hash is kept.
  auto response = http::Response::json(200, {{"client_id", client_id}, {"client_secret", *secret}});
  response.headers.set("Cache-Control", "no-store");
  return response;
}

}  // namespace

void addAccessControls(http::Router& router, SandboxContext& context,
                       std::function<void(const User&)> on_user_changed) {
  using http::Execution;
  router.add(
      "POST", "/__sandbox/grants/revoke",
      [&context](http::Request& request) { return revokeGrants(context, request); }, Execution::Blocking);
  router.add(
      "PUT", "/__sandbox/users/{email}",
      [&context, hook = std::move(on_user_changed)](http::Request& request) {
        return updateUser(context, request, hook);
      },
      Execution::Blocking);
  router.add(
      "POST", "/__sandbox/apps/{client_id}/secret",
      [&context](http::Request& request) { return regenerateSecret(context, request); }, Execution::Blocking);
}

}  // namespace liaison::sandbox
