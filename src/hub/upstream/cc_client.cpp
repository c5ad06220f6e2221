#include "hub/upstream/cc_client.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "cc/scopes.h"
#include "core/encoding.h"
#include "oauth/errors.h"
#include "oauth/token_response.h"

namespace liaison::hub {

namespace {

constexpr const char* kTransientKey = "upstream.unavailable";

Error transient(std::string message) {
  return makeError(ErrorCode::Unavailable, kTransientKey, std::move(message));
}

// 429 on its own: CC refusing a call for its rate limits is what the budget exists to prevent,
// so it must be visible apart from every other 4xx.
// How long CC has to answer a call (and, for a streamed body, the longest silence in it).
constexpr std::chrono::milliseconds kCallTimeout{15000};

std::string statusClass(int status) { return status == 429 ? "429" : std::to_string(status / 100) + "xx"; }

}  // namespace

bool UpstreamError::isTransient(const Error& error) {
  return error.key == kTransientKey || error.key == kNoAnswer || error.code == ErrorCode::Unavailable ||
         error.code == ErrorCode::TooManyRequests;
}

CcClient::CcClient(http::HttpClient& http, Governor& governor, const Clock& clock, Metrics& metrics,
                   AppCredentials app, cc::Endpoints endpoints, std::chrono::milliseconds max_queue_wait)
    : http_(http),
      governor_(governor),
      clock_(clock),
      metrics_(metrics),
      app_(std::move(app)),
      endpoints_(std::move(endpoints)),
      max_queue_wait_(max_queue_wait) {}

Status CcClient::clearToSend(CallTicket ticket, const std::string& operation, const SendCondition& condition,
                             Admission* budget, std::chrono::milliseconds timeout) {
  ticket.app_id = app_.app_id;
  // People wait their turn, a little. Background work never waits in line: it is rescheduled.
  const Admission admission = ticket.call_class == CallClass::Interactive
                                  ? governor_.acquire(ticket, max_queue_wait_)
                                  : governor_.admit(ticket);
  if (budget) *budget = admission;
  if (!admission.admitted) {
    metrics_.increment("liaison_cc_calls_total", {{"operation", operation}, {"status", "throttled"}});
    return makeError(ErrorCode::TooManyRequests, "budget.exhausted",
                     std::string("The CC app's rate budget has no room now (") + admission.reason + ").");
  }
  // The wait for the budget (or a pause of the whole process) may have eaten the caller's
  // lease: a refresh token sent now could be spent after another holder spent it.
  const bool late = condition.before && clock_.now() + timeout > *condition.before;
  if (late || (condition.commit && !condition.commit())) {
    metrics_.increment("liaison_cc_calls_total", {{"operation", operation}, {"status", "too_late"}});
    return makeError(ErrorCode::Unavailable, "upstream.too_late",
                     "The call was not sent: its answer could no longer arrive in time.");
  }
  return okStatus();
}

Error CcClient::noAnswer(const std::string& operation, const Error& transport) {
  metrics_.increment("liaison_cc_calls_total", {{"operation", operation}, {"status", "transport_error"}});
  spdlog::warn("cc {}: transport failure: {}", operation, transport.message);
  return makeError(ErrorCode::Unavailable, UpstreamError::kNoAnswer, "Constant Contact did not answer.");
}

Result<http::ClientResponse> CcClient::send(http::ClientRequest request, CallTicket ticket,
                                            const std::string& operation, const SendCondition& condition,
                                            Admission* budget) {
  request.timeout = kCallTimeout;
  if (auto clear = clearToSend(std::move(ticket), operation, condition, budget, request.timeout); !clear)
    return clear.error();
  auto response = http_.send(request);
  if (!response) return noAnswer(operation, response.error());
  metrics_.increment("liaison_cc_calls_total",
                     {{"operation", operation}, {"status", statusClass(response->status)}});
  return response;
}

std::optional<Admission> CcClient::admitNow(const std::string& connection_id) {
  return governor_.tryAcquire({app_.app_id, Door::Api, CallClass::Interactive, connection_id});
}

void CcClient::prepareForward(http::ClientRequest& request) const { request.timeout = kCallTimeout; }

Result<http::StreamedResponse> CcClient::forwarded(Result<http::StreamedResponse> response,
                                                   const std::string& operation) {
  if (!response) return noAnswer(operation, response.error());
  metrics_.increment("liaison_cc_calls_total",
                     {{"operation", operation}, {"status", statusClass(response->status)}});
  return response;
}

Result<http::StreamedResponse> CcClient::forward(http::ClientRequest request, const std::string& operation,
                                                 const std::string& connection_id, Admission& budget,
                                                 CallClass call_class) {
  request.timeout = kCallTimeout;
  const CallTicket ticket{"", Door::Api, call_class, connection_id};
  if (auto clear = clearToSend(ticket, operation, {}, &budget, request.timeout); !clear) return clear.error();
  auto response = http_.stream(request);
  if (!response) return noAnswer(operation, response.error());
  metrics_.increment("liaison_cc_calls_total",
                     {{"operation", operation}, {"status", statusClass(response->status)}});
  return response;
}

void CcClient::authenticate(http::ClientRequest& request, Params& form) const {
  if (app_.client_secret.empty()) {
    form.add("client_id", app_.client_id);
    return;
  }
  // RFC 6749 §2.3.1: form-encoded id and secret in Basic credentials, never in a URL.
  const std::string credentials =
      percentEncode(app_.client_id) + ":" + percentEncode(app_.client_secret.reveal());
  request.headers.set("Authorization", "Basic " + base64Encode(credentials));
}

Result<TokenGrant> CcClient::tokenRequest(Params form, CallClass call_class, const std::string& connection_id,
                                          const std::string& operation, const SendCondition& condition) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = endpoints_.token;
  authenticate(request, form);
  request.headers.set("Content-Type", "application/x-www-form-urlencoded");
  request.headers.set("Accept", "application/json");
  request.body = form.encode();
  auto response =
      send(std::move(request), {"", Door::Token, call_class, connection_id}, operation, condition);
  if (!response) return response.error();
  if (response->status == 200) {
    auto parsed = oauth::parseTokenResponse(response->body);
    if (!parsed) return transient("Constant Contact's token endpoint answered an unreadable token response.");
    TokenGrant grant;
    grant.access_token = Secret(std::move(parsed->access_token));
    if (parsed->refresh_token && !parsed->refresh_token->empty())
      grant.refresh_token = Secret(*parsed->refresh_token);
    grant.expires_in = parsed->expires_in;
    grant.scopes = parsed->scopes;
    return grant;
  }
  if (response->status == 429 || response->status >= 500) {
    return transient("Constant Contact's token endpoint answered " + std::to_string(response->status) + ".");
  }
  auto body = oauth::parseErrorBody(response->body);
  if (!body)
    return transient("Constant Contact's token endpoint answered " + std::to_string(response->status) + ".");
  if (body->error == oauth::errors::kTemporarilyUnavailable || body->error == oauth::errors::kServerError) {
    return transient("Constant Contact's token endpoint is temporarily unavailable.");
  }
  const ErrorCode code = response->status == 401 ? ErrorCode::Unauthorized : ErrorCode::InvalidRequest;
  return makeError(code, body->error, body->description.empty() ? body->error : body->description);
}

Result<DeviceAuthorization> CcClient::startDevice(const std::vector<std::string>& scopes) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = endpoints_.device_authorize;
  Params form;
  authenticate(request, form);
  form.add("scope", cc::joinScopes(scopes));
  request.headers.set("Content-Type", "application/x-www-form-urlencoded");
  request.body = form.encode();
  auto response =
      send(std::move(request), {"", Door::Token, CallClass::Interactive, ""}, "oauth.device_authorize");
  if (!response) return response.error();
  if (response->status != 200) {
    if (response->status == 429 || response->status >= 500) {
      return transient("Constant Contact's device endpoint answered " + std::to_string(response->status) +
                       ".");
    }
    auto body = oauth::parseErrorBody(response->body);
    return makeError(ErrorCode::InvalidRequest, body ? body->error : "device_authorization_failed",
                     body && !body->description.empty()
                         ? body->description
                         : "Constant Contact refused the device authorization.");
  }
  const auto json = nlohmann::json::parse(response->body, nullptr, false);
  const auto text = [&json](const char* name) -> std::string {
    return json.is_object() && json.contains(name) && json[name].is_string() ? json[name].get<std::string>()
                                                                             : "";
  };
  const auto number = [&json](const char* name, int fallback) {
    return json.is_object() && json.contains(name) && json[name].is_number_integer() ? json[name].get<int>()
                                                                                     : fallback;
  };
  DeviceAuthorization out;
  out.device_code = Secret(text("device_code"));
  out.user_code = text("user_code");
  out.verification_uri = text("verification_uri");
  out.verification_uri_complete = text("verification_uri_complete");
  out.expires_in = number("expires_in", 0);
  out.interval = std::max(1, number("interval", 5));  // RFC 8628 §3.2: default 5
  if (out.device_code.empty() || out.user_code.empty() || out.verification_uri.empty() ||
      out.expires_in <= 0) {
    return transient("Constant Contact's device endpoint answered an incomplete response.");
  }
  return out;
}

Result<TokenGrant> CcClient::pollDevice(const Secret& device_code) {
  Params form;
  form.add("grant_type", "urn:ietf:params:oauth:grant-type:device_code");
  form.add("device_code", device_code.reveal());
  return tokenRequest(std::move(form), CallClass::Background, "", "oauth.device_token");
}

Result<TokenGrant> CcClient::exchangeCode(const Secret& code, const Secret& verifier,
                                          const std::string& redirect_uri) {
  Params form;
  form.add("grant_type", "authorization_code");
  form.add("code", code.reveal());
  form.add("redirect_uri", redirect_uri);
  form.add("code_verifier", verifier.reveal());
  return tokenRequest(std::move(form), CallClass::Interactive, "", "oauth.code");
}

Result<TokenGrant> CcClient::refresh(const Secret& refresh_token, CallClass call_class,
                                     const std::string& connection_id, const SendCondition& condition) {
  Params form;
  form.add("grant_type", "refresh_token");
  form.add("refresh_token", refresh_token.reveal());
  return tokenRequest(std::move(form), call_class, connection_id, "oauth.refresh", condition);
}

Status CcClient::revoke(const Secret& refresh_token, const std::string& connection_id) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = endpoints_.revoke;
  Params form;
  authenticate(request, form);
  form.add("token", refresh_token.reveal());
  form.add("token_type_hint", "refresh_token");
  request.headers.set("Content-Type", "application/x-www-form-urlencoded");
  request.body = form.encode();
  auto response =
      send(std::move(request), {"", Door::Token, CallClass::Interactive, connection_id}, "oauth.revoke");
  if (!response) return response.error();
  if (response->status == 200) return okStatus();
  if (response->status == 503 || response->status == 429 || response->status >= 500) {
    return transient("Constant Contact's revocation endpoint answered " + std::to_string(response->status) +
                     ".");
  }
  return makeError(ErrorCode::InvalidRequest, "revoke_failed",
                   "Constant Contact refused the revocation (" + std::to_string(response->status) + ").");
}

Result<std::string> CcClient::fetchJwks() {
  http::ClientRequest request;
  request.url = endpoints_.keys;
  auto response = send(std::move(request), {"", Door::Token, CallClass::Interactive, ""}, "oauth.keys");
  if (!response) return response.error();
  if (response->status != 200)
    return transient("Constant Contact's key set answered " + std::to_string(response->status) + ".");
  return response->body;
}

Result<std::string> CcClient::getV3(const std::string& path_and_query, const Secret& access_token,
                                    CallClass call_class, const std::string& connection_id,
                                    Admission* budget) {
  http::ClientRequest request;
  request.url = endpoints_.api_base + path_and_query;
  request.headers.set("Authorization", "Bearer " + access_token.reveal());
  request.headers.set("Accept", "application/json");
  const auto query = path_and_query.find('?');
  auto response = send(std::move(request), {"", Door::Api, call_class, connection_id},
                       "v3 " + path_and_query.substr(0, query), {}, budget);
  if (!response) return response.error();
  const int status = response->status;
  if (status >= 200 && status < 300) return std::move(response->body);
  if (status == 401)
    return makeError(ErrorCode::Unauthorized, "cc.unauthorized", "Constant Contact refused the token.");
  if (status == 403)
    return makeError(ErrorCode::Forbidden, "cc.forbidden", "Constant Contact refused the call (403).");
  // A 429 keeps its own code (still transient) so health can report CC's rate limiting.
  if (status == 429) {
    return makeError(ErrorCode::TooManyRequests, kTransientKey,
                     "Constant Contact answered 429 (rate limited).");
  }
  if (status >= 500) return transient("Constant Contact answered " + std::to_string(status) + ".");
  return makeError(ErrorCode::InvalidRequest, "cc.rejected",
                   "Constant Contact answered " + std::to_string(status) + ".");
}

}  // namespace liaison::hub
