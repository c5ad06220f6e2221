#include "sandbox/auth/browser_flow.h"

#include "cc/scopes.h"
#include "crypto/hash.h"
#include "http/status.h"
#include "oauth/pkce.h"
#include "oauth/redirect_uri.h"
#include "oauth/request.h"
#include "oauth/user_code.h"
#include "sandbox/auth/pages.h"

namespace liaison::sandbox {

namespace {

constexpr const char* kSessionCookie = "liaison_session";
constexpr int kPasswordFailuresPer5Min = 10;
// RFC 8628 §5.1: with 8 letters from 20 (34.6 bits), at most 5 wrong guesses per code lifetime
// keep the odds of guessing a live code at 5 / 20^8 ≈ 2^-32.3. The strict profile counts wrong
// codes across all addresses, since an attacker has many; the fast profile only brakes per address.
constexpr int kUserCodeFailuresStrict = 5;
constexpr int kUserCodeFailuresFastPerAddress = 10;
constexpr int kUserCodeFailuresFastGlobal = 1000;

bool strict(const SandboxContext& context) { return context.profile == Profile::Strict; }
std::chrono::seconds codeLifetime(const SandboxContext& context) {
  return std::chrono::seconds(context.auth.settings().device_code_lifetime_s);
}

http::Response errorPage(int status, const std::string& title, const std::string& text) {
  return pages::page(status, pages::message(title, text));
}

// Sends the browser back to the client with the result (RFC 6749 §4.1.2, §4.2.2): in the query
// for the code flow, in the fragment for the implicit flow.
http::Response redirectTo(const std::string& redirect_uri, bool fragment, const Params& params) {
  const char separator = fragment ? '#' : (redirect_uri.find('?') == std::string::npos ? '?' : '&');
  return http::Response::seeOther(redirect_uri + separator + params.encode());
}

http::Response redirectError(const std::string& redirect_uri, bool fragment, const std::string& state,
                             const std::string& error, const std::string& description) {
  Params params;
  params.add("error", error);
  params.add("error_description", description);
  if (!state.empty()) params.add("state", state);
  return redirectTo(redirect_uri, fragment, params);
}

std::vector<pages::ScopeLine> scopeLines(const std::vector<std::string>& scopes) {
  std::vector<pages::ScopeLine> lines;
  for (const auto& name : scopes) {
    const auto* info = cc::findScope(name);
    lines.push_back({name, info ? std::string(info->description) : name});
  }
  return lines;
}

}  // namespace

BrowserFlow::BrowserFlow(SandboxContext& context)
    : context_(context),
      interactions_(context.clock, context.random),
      password_failures_(context.clock, kPasswordFailuresPer5Min, std::chrono::seconds(300)),
      user_code_failures_(context.clock, strict(context) ? kUserCodeFailuresStrict : kUserCodeFailuresFastPerAddress,
                          strict(context) ? codeLifetime(context) : std::chrono::seconds(60)),
      user_code_global_(context.clock, strict(context) ? kUserCodeFailuresStrict : kUserCodeFailuresFastGlobal,
                        strict(context) ? codeLifetime(context) : std::chrono::seconds(60)) {}

void BrowserFlow::addRoutes(http::Router& router) {
  using http::Execution;
  auto bind = [this](http::Response (BrowserFlow::*fn)(http::Request&)) {
    return [this, fn](http::Request& request) { return (this->*fn)(request); };
  };
  router.add("GET", "/oauth2/default/v1/authorize", bind(&BrowserFlow::authorize));
  router.add("GET", "/oauth2/default/v1/login", bind(&BrowserFlow::loginPage));
  // Password hashing and grant writes may take milliseconds: off the I/O threads.
  router.add("POST", "/oauth2/default/v1/login", bind(&BrowserFlow::login), Execution::Long);
  router.add("GET", "/oauth2/default/v1/consent", bind(&BrowserFlow::consentPage));
  router.add("POST", "/oauth2/default/v1/consent", bind(&BrowserFlow::consent), Execution::Blocking);
  router.add("GET", "/activate", bind(&BrowserFlow::activatePage));
  router.add("POST", "/activate", bind(&BrowserFlow::activate));
}

void BrowserFlow::reset() {
  interactions_.clear();
  password_failures_.clear();
  user_code_failures_.clear();
  user_code_global_.clear();
}

std::string BrowserFlow::session(const http::Request& request, http::Headers& response_headers) {
  auto existing = request.cookie(kSessionCookie);
  if (existing && existing->size() >= 32 && existing->size() <= 64) return *existing;
  std::string fresh = context_.random.token(32);
  response_headers.add("Set-Cookie", std::string(kSessionCookie) + "=" + fresh +
                                         "; Path=/; HttpOnly; SameSite=Lax");
  return fresh;
}

http::Response BrowserFlow::authorize(http::Request& request) {
  auto query = oauth::readQuery(request);
  if (!query) return errorPage(400, "Invalid request", query.error().message);
  const Params& q = *query;
  // Until the client and redirect URI are known good, errors are shown here and never redirected
  // (RFC 6749 §4.1.2.1): otherwise the endpoint would be an open redirector.
  auto app = context_.auth.findApp(q.getOr("client_id"));
  if (!app) return errorPage(400, "Unknown application", "The client_id is missing or not registered.");
  const std::string redirect_uri = q.getOr("redirect_uri");
  if (redirect_uri.empty() || !oauth::redirectUriAllowed(redirect_uri, app->redirect_uris)) {
    return errorPage(400, "Invalid redirect URI",
                     "The redirect_uri is missing or is not registered for " + app->name + ".");
  }
  const std::string response_type = q.getOr("response_type");
  const std::string state = q.getOr("state");
  const bool implicit = response_type == "token";
  auto fail = [&](const std::string& error, const std::string& description) {
    return redirectError(redirect_uri, implicit, state, error, description);
  };
  if (response_type != "code" && response_type != "token") {
    return fail("unsupported_response_type", "response_type must be code or token.");
  }
  if (implicit && !app->allows("implicit")) {
    return fail("unauthorized_client", "The implicit flow is not enabled for this application.");
  }
  if (!implicit && !app->allows(app->confidential() ? "authorization_code" : "pkce")) {
    return fail("unauthorized_client", "The authorization code flow is not enabled for this application.");
  }
  if (q.getOr("scope").empty()) return fail("invalid_scope", "The scope parameter is required.");
  auto scopes = cc::parseScopes(q.getOr("scope"));
  if (!scopes) return fail("invalid_scope", scopes.error().message);
  if (implicit && cc::hasScope(*scopes, "offline_access")) {
    return fail("invalid_scope", "The implicit flow cannot issue refresh tokens (offline_access).");
  }
  Interaction interaction;
  interaction.kind = InteractionKind::Authorize;
  interaction.client_id = app->client_id;
  interaction.scopes = *scopes;
  interaction.response_type = response_type;
  interaction.redirect_uri = redirect_uri;
  interaction.state = state;
  interaction.nonce = q.getOr("nonce");
  const std::string challenge = q.getOr("code_challenge");
  if (!challenge.empty() || q.has("code_challenge_method")) {
    if (implicit) return fail("invalid_request", "PKCE applies to response_type=code only.");
    if (q.getOr("code_challenge_method") != "S256") {
      return fail("invalid_request", "code_challenge_method must be S256.");
    }
    if (!oauth::isValidVerifier(challenge) || challenge.size() != 43) {
      return fail("invalid_request", "code_challenge must be BASE64URL(SHA-256(code_verifier)), 43 characters.");
    }
    interaction.code_challenge = challenge;
    interaction.code_challenge_method = "S256";
  } else if (!implicit && !app->confidential()) {
    return fail("invalid_request", "Public clients must send a code_challenge (PKCE).");
  }
  return startLogin(request, std::move(interaction));
}

http::Response BrowserFlow::startLogin(const http::Request& request, Interaction interaction) {
  http::Headers headers;
  interaction.session_hash = crypto::sha256Hex(session(request, headers));
  const Interaction stored = interactions_.create(std::move(interaction));
  auto response = http::Response::seeOther("/oauth2/default/v1/login?interaction=" + stored.id);
  for (const auto& [name, value] : headers.pairs()) response.headers.add(name, value);
  response.headers.set("Cache-Control", "no-store");
  return response;
}

Result<Interaction> BrowserFlow::current(const http::Request& request, const Params& params,
                                         bool check_csrf) {
  const auto expired = makeError(ErrorCode::InvalidRequest, "interaction_expired",
                                 "This sign-in request has expired or was opened in another browser. "
                                 "Start again from the application.");
  auto interaction = interactions_.find(params.getOr("interaction"));
  auto cookie = request.cookie(kSessionCookie);
  if (!interaction || !cookie) return expired;
  if (!crypto::constantTimeEquals(crypto::sha256Hex(*cookie), interaction->session_hash)) return expired;
  if (check_csrf && !crypto::constantTimeEquals(params.getOr("csrf"), interaction->csrf)) {
    return makeError(ErrorCode::Forbidden, "csrf", "The form could not be verified. Start again.");
  }
  return *interaction;
}

http::Response BrowserFlow::loginPage(http::Request& request) {
  auto query = oauth::readQuery(request);
  if (!query) return errorPage(400, "Invalid request", query.error().message);
  auto interaction = current(request, *query, false);
  if (!interaction) return errorPage(400, "Request expired", interaction.error().message);
  auto app = context_.auth.findApp(interaction->client_id);
  return pages::page(200, pages::login(app ? app->name : interaction->client_id, interaction->id,
                                       interaction->csrf, "", ""));
}

http::Response BrowserFlow::login(http::Request& request) {
  auto form = oauth::readForm(request, false);
  if (!form) return errorPage(400, "Invalid request", form.error().message);
  auto interaction = current(request, *form, true);
  if (!interaction) return errorPage(http::statusFor(interaction.error().code), "Request expired", interaction.error().message);
  auto app = context_.auth.findApp(interaction->client_id);
  const std::string app_name = app ? app->name : interaction->client_id;
  const std::string email = toLower(form->getOr("email"));
  const std::string throttle_key = email + "|" + request.remote_address;
  if (password_failures_.exhausted(throttle_key)) {
    return pages::page(429, pages::login(app_name, interaction->id, interaction->csrf, email,
                                         "Too many failed attempts. Wait a few minutes and try again."));
  }
  auto user = context_.auth.checkPassword(email, form->getOr("password"));
  if (!user && user.error().code == ErrorCode::Forbidden) {
    // The right password of a deactivated user: say so, as CC's login page does.
    return pages::page(
        403, pages::login(app_name, interaction->id, interaction->csrf, email, user.error().message));
  }
  if (!user) {
    (void)password_failures_.tryAcquire(throttle_key);
    return pages::page(401, pages::login(app_name, interaction->id, interaction->csrf, email,
                                         "The email or password is incorrect."));
  }
  Interaction updated = *interaction;
  updated.user_id = user->id;
  interactions_.update(updated);
  return http::Response::seeOther("/oauth2/default/v1/consent?interaction=" + updated.id);
}

http::Response BrowserFlow::consentPage(http::Request& request) {
  auto query = oauth::readQuery(request);
  if (!query) return errorPage(400, "Invalid request", query.error().message);
  auto interaction = current(request, *query, false);
  if (!interaction) return errorPage(400, "Request expired", interaction.error().message);
  auto user = context_.auth.findUser(interaction->user_id);
  if (!user) return http::Response::seeOther("/oauth2/default/v1/login?interaction=" + interaction->id);
  auto app = context_.auth.findApp(interaction->client_id);
  return pages::page(200, pages::consent(app ? app->name : interaction->client_id, user->email,
                                         scopeLines(interaction->scopes), interaction->id,
                                         interaction->csrf));
}

http::Response BrowserFlow::consent(http::Request& request) {
  auto form = oauth::readForm(request, false);
  if (!form) return errorPage(400, "Invalid request", form.error().message);
  auto interaction = current(request, *form, true);
  if (!interaction) return errorPage(http::statusFor(interaction.error().code), "Request expired", interaction.error().message);
  auto user = context_.auth.findUser(interaction->user_id);
  if (!user) return http::Response::seeOther("/oauth2/default/v1/login?interaction=" + interaction->id);
  const std::string decision = form->getOr("decision");
  if (decision != "allow" && decision != "deny") {
    return errorPage(400, "Invalid request", "Choose Allow Access or Deny.");
  }
  interactions_.remove(interaction->id);  // one decision per interaction
  return interaction->kind == InteractionKind::Device
             ? finishDevice(*interaction, *user, decision == "allow")
             : finishAuthorize(*interaction, *user, decision == "allow");
}

http::Response BrowserFlow::finishAuthorize(const Interaction& interaction, const User& user, bool allow) {
  const bool implicit = interaction.response_type == "token";
  if (!allow) {
    return redirectError(interaction.redirect_uri, implicit, interaction.state, "access_denied",
                         "The user denied the request.");
  }
  auto app = context_.auth.findApp(interaction.client_id);
  if (!app) return errorPage(400, "Unknown application", "The application no longer exists.");
  Params params;
  if (implicit) {
    auto tokens = context_.auth.issueImplicit(*app, user, interaction.scopes);
    if (!tokens) return errorPage(500, "Something went wrong", tokens.error().message);
    params.add("access_token", tokens->access_token);
    params.add("token_type", "Bearer");
    params.add("expires_in", std::to_string(tokens->expires_in));
    params.add("scope", cc::joinScopes(tokens->scopes));
  } else {
    const std::string code =
        context_.auth.issueCode(*app, interaction.redirect_uri, user, interaction.scopes,
                                interaction.code_challenge, interaction.code_challenge_method, interaction.nonce);
    if (code.empty()) return errorPage(500, "Something went wrong", "The authorization could not be saved.");
    params.add("code", code);
  }
  if (!interaction.state.empty()) params.add("state", interaction.state);
  return redirectTo(interaction.redirect_uri, implicit, params);
}

http::Response BrowserFlow::finishDevice(const Interaction& interaction, const User& user, bool allow) {
  auto status = context_.auth.decideDevice(interaction.device_hash, user, allow);
  if (!status) return errorPage(400, "Code expired", "The code has expired. Start again on your device.");
  if (!allow) return errorPage(200, "Access denied", "You denied access. You can close this window.");
  return errorPage(200, "Device connected",
                   "You're all set. Follow the instructions on your device to continue.");
}

http::Response BrowserFlow::activatePage(http::Request& request) {
  auto query = request.query();
  const std::string prefill = query ? query->getOr("user_code") : "";
  return pages::page(200, pages::activate(prefill.substr(0, 16), ""));
}

http::Response BrowserFlow::activate(http::Request& request) {
  auto form = oauth::readForm(request, false);
  if (!form) return pages::page(400, pages::activate("", form.error().message));
  const std::string typed = form->getOr("user_code").substr(0, 32);
  if (user_code_failures_.exhausted(request.remote_address) || user_code_global_.exhausted("*")) {
    return pages::page(429, pages::activate(typed, "Too many wrong codes were entered. Wait a few minutes and try again."));
  }
  auto device = context_.auth.findDeviceByUserCode(typed);
  if (!device) {
    (void)user_code_failures_.tryAcquire(request.remote_address);
    (void)user_code_global_.tryAcquire("*");
    return pages::page(400, pages::activate(typed, "That code is invalid or has expired. Check your device."));
  }
  Interaction interaction;
  interaction.kind = InteractionKind::Device;
  interaction.client_id = device->client_id;
  interaction.scopes = device->scopes;
  interaction.device_hash = device->device_hash;
  return startLogin(request, std::move(interaction));
}

}  // namespace liaison::sandbox
