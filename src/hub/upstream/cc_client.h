#pragma once
// Constant Contact as the hub calls it: the OAuth2 server (device authorization, code
// exchange, refresh, revocation, JWKS) and the few v3 reads the hub needs for identity and
// health. Every call goes through the Governor; transport failures, 5xx and 429 are
// `transient` (retry later, never a verdict on the connection); OAuth errors keep their RFC
// code (invalid_grant, authorization_pending, …) as the Error key.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cc/provider.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/result.h"
#include "core/secret.h"
#include "http/client/http_client.h"
#include "hub/budget/governor.h"

namespace liaison::hub {

struct AppCredentials {
  std::string app_id;  // how the governor and the store key everything: the client_id
  std::string client_id;
  Secret client_secret;  // empty for a public client
};

struct TokenGrant {
  Secret access_token;
  std::optional<Secret> refresh_token;  // absent when CC keeps the old one
  int expires_in = 0;
  std::vector<std::string> scopes;  // as granted; empty when CC did not say
};

struct DeviceAuthorization {
  Secret device_code;
  std::string user_code;
  std::string verification_uri;
  std::string verification_uri_complete;
  int expires_in = 0;
  int interval = 5;
};

struct AccountIdentity {
  std::string encoded_account_id;
  std::string organization_name;
};

struct UpstreamError {
  // No answer came back (timeout, connection dropped): the request may have been carried out.
  static constexpr const char* kNoAnswer = "upstream.no_answer";
  static bool isTransient(const Error& error);
};

// When a call that spends something (a refresh token) may still go out, checked after the wait
// for the rate budget, right before sending.
struct SendCondition {
  // Sent only if the answer can arrive (within the request timeout) before then, e.g. while the
  // caller's refresh lease lasts; otherwise the call is dropped unsent ("upstream.too_late").
  std::optional<TimePoint> before;
  // Called last; false drops the call unsent ("upstream.too_late"). The refresher marks the
  // refresh as in flight here, so the mark means "the token went out".
  std::function<bool()> commit;
};

// How long an interactive call waits for its turn at the rate budget before it is refused (the
// hub's own 429): budget.max_queue_wait_ms.
constexpr std::chrono::milliseconds kDefaultMaxQueueWait{10000};

class CcClient {
 public:
  // Interactive calls wait their fair turn in the governor (acquire) for at most `max_queue_wait`;
  // Health and Background calls are let through now or refused (admit) and come back later.
  CcClient(http::HttpClient& http, Governor& governor, const Clock& clock, Metrics& metrics,
           AppCredentials app, cc::Endpoints endpoints,
           std::chrono::milliseconds max_queue_wait = kDefaultMaxQueueWait);

  Result<DeviceAuthorization> startDevice(const std::vector<std::string>& scopes);
  // The token, or an Error keyed authorization_pending / slow_down / access_denied /
  // expired_token / (transient) unavailable.
  Result<TokenGrant> pollDevice(const Secret& device_code);
  Result<TokenGrant> exchangeCode(const Secret& code, const Secret& verifier,
                                  const std::string& redirect_uri);
  // `connection_id`: the connection the call is for (the governor is fair between connections).
  Result<TokenGrant> refresh(const Secret& refresh_token, CallClass call_class,
                             const std::string& connection_id, const SendCondition& condition = {});
  // RFC 7009: 200 is done (also for an already-dead token).
  Status revoke(const Secret& refresh_token, const std::string& connection_id);
  Result<std::string> fetchJwks();

  // A call the host app makes through the proxy: `request` is complete (method, a URL under
  // the API base, headers with the connection's token, body); it waits its turn at the budget
  // as an interactive call. Any HTTP status is a response; it returns once CC's status and
  // headers are in, and the body is read as it arrives.
  // `budget` tells how long the call waited, or why and for how long the budget refused it.
  // `call_class` Background (the sync engine): let through now or refused, never queued.
  Result<http::StreamedResponse> forward(http::ClientRequest request, const std::string& operation,
                                         const std::string& connection_id, Admission& budget,
                                         CallClass call_class = CallClass::Interactive);
  // For a proxied call sent from an event loop (which must not wait): the budget's grant now,
  // or nullopt when the call would have to wait or ask the store (then forward() is the way).
  std::optional<Admission> admitNow(const std::string& connection_id);
  // What forward() makes of the answer to a call sent after admitNow(): counted, and a transport
  // failure turned into "upstream.no_answer". `request` gets the timeout forward() uses.
  void prepareForward(http::ClientRequest& request) const;
  Result<http::StreamedResponse> forwarded(Result<http::StreamedResponse> response,
                                           const std::string& operation);
  // GET /v3/<path> with the connection's token; the body on 2xx, else an Error carrying the
  // status (401 → Unauthorized, 403 → Forbidden, 429/5xx/transport → transient). A call the
  // rate budget refused is a TooManyRequests Error keyed budget.exhausted. `connection_id` is
  // empty for a connection not stored yet. `budget`, when given, receives what the governor did
  // with the call: how long it queued, or why it was refused and when to try again (what a proxy
  // answers in Liaison-Queue-Wait-Ms, or in a 429's Retry-After).
  Result<std::string> getV3(const std::string& path_and_query, const Secret& access_token,
                            CallClass call_class, const std::string& connection_id,
                            Admission* budget = nullptr);

  const cc::Endpoints& endpoints() const { return endpoints_; }
  const AppCredentials& app() const { return app_; }

 private:
  // `ticket` names the door, class and connection; the client adds its app.
  Result<http::ClientResponse> send(http::ClientRequest request, CallTicket ticket,
                                    const std::string& operation, const SendCondition& condition = {},
                                    Admission* budget = nullptr);
  // The budget's admission and the caller's condition: an error when the call must not go.
  Status clearToSend(CallTicket ticket, const std::string& operation, const SendCondition& condition,
                     Admission* budget, std::chrono::milliseconds timeout);
  Error noAnswer(const std::string& operation, const Error& transport);
  Result<TokenGrant> tokenRequest(Params form, CallClass call_class, const std::string& connection_id,
                                  const std::string& operation, const SendCondition& condition = {});
  void authenticate(http::ClientRequest& request, Params& form) const;

  http::HttpClient& http_;
  Governor& governor_;
  const Clock& clock_;
  Metrics& metrics_;
  AppCredentials app_;
  cc::Endpoints endpoints_;
  std::chrono::milliseconds max_queue_wait_;
};

}  // namespace liaison::hub
