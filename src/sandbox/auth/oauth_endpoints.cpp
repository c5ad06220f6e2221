#include "sandbox/auth/oauth_endpoints.h"

#include "cc/provider.h"

#include <nlohmann/json.hpp>

#include "cc/scopes.h"
#include "oauth/errors.h"
#include "oauth/request.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

constexpr const char* kDeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";
constexpr int kClientAuthFailuresPerMinute = 10;

Result<std::string> required(const Params& form, const char* name) {
  auto value = form.get(name);
  if (!value || value->empty()) {
    return oauth::oauthError(ErrorCode::InvalidRequest, "invalid_request",
                             std::string("The parameter '") + name + "' is required.");
  }
  return *value;
}

http::Response tooManyRequests(const std::string& message) {
  auto response =
      oauth::errorResponse(oauth::oauthError(ErrorCode::TooManyRequests, "too_many_requests", message));
  response.headers.set("Retry-After", "1");
  return response;
}

http::Response noStoreJson(const json& body) {
  auto response = http::Response::json(200, body);
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("Pragma", "no-cache");
  return response;
}

}  // namespace

OAuthEndpoints::OAuthEndpoints(SandboxContext& context)
    : context_(context),
      token_rate_(context.clock,
                  context.profile == Profile::Strict
                      ? cc::constantContact().limits.token_requests_per_second_per_client
                      : 0,
                  std::chrono::seconds(1)),
      auth_failures_(context.clock, kClientAuthFailuresPerMinute, std::chrono::seconds(60)) {}

void OAuthEndpoints::addRoutes(http::Router& router, FaultInjector& faults) {
  using http::Execution;
  auto bind = [this](http::Response (OAuthEndpoints::*fn)(http::Request&)) {
    return [this, fn](http::Request& request) { return (this->*fn)(request); };
  };
  auto faulted = [this, &faults](const char* operation,
                                 http::Response (OAuthEndpoints::*fn)(http::Request&)) {
    return [this, &faults, operation, fn](http::Request& request) {
      auto action = faults.any() ? faults.match(operation, "", claimedClient(request)) : std::nullopt;
      if (!action) return (this->*fn)(request);
      return applyFault(
          *action, [&] { return (this->*fn)(request); },
          [&] {
            auto failure = oauth::errorResponse(
                makeError(ErrorCode::Internal, action->oauth_error, action->error_message));
            failure.status = action->status;
            return failure;
          });
    };
  };
  router.add("POST", "/oauth2/default/v1/token", faulted("oauth.token", &OAuthEndpoints::token),
             Execution::Long);
  router.add("POST", "/oauth2/default/v1/device/authorize",
             faulted("oauth.device_authorize", &OAuthEndpoints::deviceAuthorize), Execution::Blocking);
  router.add("POST", "/oauth2/default/v1/revoke", faulted("oauth.revoke", &OAuthEndpoints::revoke),
             Execution::Blocking);
  router.add("GET", "/oauth2/default/v1/keys", faulted("oauth.keys", &OAuthEndpoints::keys));
  router.add("GET", "/.well-known/oauth-authorization-server", bind(&OAuthEndpoints::metadata));
}

void OAuthEndpoints::resetLimits() {
  token_rate_.clear();
  auth_failures_.clear();
}

std::string OAuthEndpoints::claimedClient(const http::Request& request) {
  auto basic = oauth::readBasicAuth(request);
  if (basic && *basic) return (*basic)->user;
  auto form = oauth::readForm(request, /*merge_query=*/true);
  return form ? form->getOr("client_id") : "";
}

Result<App> OAuthEndpoints::authenticate(const http::Request& request, const Params& form) {
  auto basic = oauth::readBasicAuth(request);
  if (!basic) return basic.error();
  const auto& credentials = basic.value();
  const std::string claimed = credentials ? credentials->user : form.getOr("client_id");
  const std::string failure_key = request.remote_address + "|" + claimed;
  if (auth_failures_.exhausted(failure_key)) {
    return oauth::oauthError(ErrorCode::TooManyRequests, "too_many_requests",
                             "Too many failed client authentications; try again in a minute.");
  }
  auto app = context_.auth.authenticateClient(
      credentials ? std::optional(credentials->user) : std::nullopt,
      credentials ? std::optional(credentials->password) : std::nullopt, form.get("client_id"));
  if (!app) (void)auth_failures_.tryAcquire(failure_key);
  return app;
}

http::Response OAuthEndpoints::token(http::Request& request) {
  auto form = oauth::readForm(request, /*merge_query=*/true);
  if (!form) return oauth::errorResponse(form.error());
  auto app = authenticate(request, *form);
  if (!app) return oauth::errorResponse(app.error());
  if (!token_rate_.tryAcquire(app->client_id)) {
    return tooManyRequests("The token endpoint allows 1 request per second per client.");
  }
  auto tokens = grant(*app, *form);
  if (!tokens) return oauth::errorResponse(tokens.error());
  http::Response response;
  response.body = oauth::renderTokenResponse(*tokens);
  response.headers.set("Content-Type", "application/json");
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("Pragma", "no-cache");
  return response;
}

Result<TokenSet> OAuthEndpoints::grant(const App& app, const Params& form) {
  auto grant_type = required(form, "grant_type");
  if (!grant_type) return grant_type.error();
  const auto unauthorizedClient = [] {
    return oauth::oauthError(ErrorCode::InvalidRequest, "unauthorized_client",
                             "This client is not allowed to use this grant type.");
  };
  if (*grant_type == "authorization_code") {
    if (!app.allows(app.confidential() ? "authorization_code" : "pkce")) return unauthorizedClient();
    auto code = required(form, "code");
    if (!code) return code.error();
    return context_.auth.exchangeCode(app, *code, form.get("redirect_uri"), form.get("code_verifier"));
  }
  if (*grant_type == "refresh_token") {
    auto token = required(form, "refresh_token");
    if (!token) return token.error();
    return context_.auth.refresh(app, *token, form.get("scope"));
  }
  if (*grant_type == kDeviceGrant) {
    if (!app.allows("device")) return unauthorizedClient();
    auto device_code = required(form, "device_code");
    if (!device_code) return device_code.error();
    return context_.auth.pollDevice(app, *device_code);
  }
  return oauth::oauthError(ErrorCode::InvalidRequest, "unsupported_grant_type",
                           "The grant type '" + *grant_type + "' is not supported.");
}

http::Response OAuthEndpoints::deviceAuthorize(http::Request& request) {
  auto form = oauth::readForm(request, /*merge_query=*/false);
  if (!form) return oauth::errorResponse(form.error());
  auto app = authenticate(request, *form);
  if (!app) return oauth::errorResponse(app.error());
  if (!app->allows("device")) {
    return oauth::errorResponse(oauth::oauthError(ErrorCode::InvalidRequest, "unauthorized_client",
                                                  "This client is not allowed to use the device flow."));
  }
  auto scope = required(*form, "scope");
  if (!scope) return oauth::errorResponse(scope.error());
  auto scopes = cc::parseScopes(*scope);
  if (!scopes) return oauth::errorResponse(scopes.error());
  auto start = context_.auth.startDevice(*app, *scopes);
  if (!start) return oauth::errorResponse(start.error());
  const std::string verification_uri = context_.base_url + "/activate";
  return noStoreJson({{"device_code", start->device_code},
                      {"user_code", start->user_code},
                      {"verification_uri", verification_uri},
                      {"verification_uri_complete", verification_uri + "?user_code=" + start->user_code},
                      {"expires_in", start->expires_in},
                      {"interval", start->interval}});
}

http::Response OAuthEndpoints::revoke(http::Request& request) {
  auto form = oauth::readForm(request, /*merge_query=*/false);
  if (!form) return oauth::errorResponse(form.error());
  auto app = authenticate(request, *form);
  if (!app) return oauth::errorResponse(app.error());
  auto token = required(*form, "token");
  if (!token) return oauth::errorResponse(token.error());
  auto status = context_.auth.revoke(*app, *token, form->getOr("token_type_hint"));
  if (!status) return oauth::errorResponse(status.error());
  auto response = http::Response::text(200, "");
  response.headers.set("Cache-Control", "no-store");
  return response;
}

http::Response OAuthEndpoints::keys(http::Request& /*request*/) {
  auto response = http::Response::json(200, {{"keys", json::array({context_.auth.signingKey().publicJwk()})}});
  response.headers.set("Cache-Control", "max-age=300");
  return response;
}

http::Response OAuthEndpoints::metadata(http::Request& /*request*/) {
  const std::string& base = context_.base_url;
  json scopes = json::array();
  for (const auto& scope : cc::scopeCatalogue()) scopes.push_back(scope.name);
  return http::Response::json(
      200, {{"issuer", context_.auth.settings().issuer},
            {"authorization_endpoint", base + "/oauth2/default/v1/authorize"},
            {"token_endpoint", base + "/oauth2/default/v1/token"},
            {"device_authorization_endpoint", base + "/oauth2/default/v1/device/authorize"},
            {"revocation_endpoint", base + "/oauth2/default/v1/revoke"},
            {"jwks_uri", base + "/oauth2/default/v1/keys"},
            {"scopes_supported", scopes},
            {"response_types_supported", {"code", "token"}},
            {"response_modes_supported", {"query", "fragment"}},
            {"grant_types_supported", {"authorization_code", "refresh_token", "implicit", kDeviceGrant}},
            {"code_challenge_methods_supported", {"S256"}},
            {"token_endpoint_auth_methods_supported", {"client_secret_basic", "none"}},
            {"revocation_endpoint_auth_methods_supported", {"client_secret_basic", "none"}}});
}

}  // namespace liaison::sandbox
