#pragma once
// What a person does in the browser: the authorize endpoint, login, consent, and the device
// activation page. Each step is a form POST answered with 303 See Other, so reloading never
// re-submits credentials.
#include "http/router.h"
#include "sandbox/auth/interactions.h"
#include "sandbox/context.h"
#include "sandbox/limits.h"

namespace liaison::sandbox {

class BrowserFlow {
 public:
  explicit BrowserFlow(SandboxContext& context);
  void addRoutes(http::Router& router);
  void reset();

  http::Response authorize(http::Request& request);
  http::Response loginPage(http::Request& request);
  http::Response login(http::Request& request);
  http::Response consentPage(http::Request& request);
  http::Response consent(http::Request& request);
  http::Response activatePage(http::Request& request);
  http::Response activate(http::Request& request);

 private:
  // The interaction named by the request, if it belongs to this browser (session cookie) and,
  // for form posts, carries the right CSRF token.
  Result<Interaction> current(const http::Request& request, const Params& params, bool check_csrf);
  // Returns the browser's session id, creating one (and a Set-Cookie header) when absent.
  std::string session(const http::Request& request, http::Headers& response_headers);
  http::Response startLogin(const http::Request& request, Interaction interaction);
  http::Response finishAuthorize(const Interaction& interaction, const User& user, bool allow);
  http::Response finishDevice(const Interaction& interaction, const User& user, bool allow);

  SandboxContext& context_;
  InteractionStore interactions_;
  WindowLimiter password_failures_;     // per email and address
  WindowLimiter user_code_failures_;    // per address
  WindowLimiter user_code_global_;      // all addresses together
};

}  // namespace liaison::sandbox
