#pragma once
// The authorization server's machine endpoints: token, device authorization, revocation,
// JWKS and RFC 8414 metadata. Browser pages live in browser_flow.h.
#include "http/router.h"
#include "sandbox/context.h"
#include "sandbox/control/faults.h"
#include "sandbox/limits.h"

namespace liaison::sandbox {

class OAuthEndpoints {
 public:
  explicit OAuthEndpoints(SandboxContext& context);
  // Every endpoint runs through the fault rules naming its oauth.* operation.
  void addRoutes(http::Router& router, FaultInjector& faults);
  // Clears rate-limit state (control API reset).
  void resetLimits();

  http::Response token(http::Request& request);
  http::Response deviceAuthorize(http::Request& request);
  http::Response revoke(http::Request& request);
  http::Response keys(http::Request& request);
  http::Response metadata(http::Request& request);

 private:
  Result<App> authenticate(const http::Request& request, const Params& form);
  Result<TokenSet> grant(const App& app, const Params& form);
  // The client a request names (Basic user or form client_id), for matching fault rules.
  static std::string claimedClient(const http::Request& request);

  SandboxContext& context_;
  WindowLimiter token_rate_;     // strict profile: 1 token request/s per client
  WindowLimiter auth_failures_;  // failed client authentications per address and client
};

}  // namespace liaison::sandbox
