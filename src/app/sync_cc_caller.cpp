#include "app/sync_cc_caller.h"

#include <algorithm>

namespace liaison::app {

using std::chrono::milliseconds;

Result<sync::CcAnswer> SyncCcCaller::call(const sync::CcCall& call) {
  auto found = connections_.find(connection_id_);
  if (!found) return found.error();
  if (!*found || (*found)->app_id != app_id_) {
    return makeError(ErrorCode::NotFound, "sync.connection_not_found",
                     "The sync's connection " + connection_id_ + " does not exist.");
  }
  if ((*found)->status != hub::ConnectionStatus::Active) {
    return makeError(
        ErrorCode::Conflict, "connection_not_active",
        "The sync's connection " + connection_id_ + " is " + std::string(toString((*found)->status)) + ".");
  }
  // CC's next links are paths ("/v3/contacts?cursor=…"); the base ends in /v3.
  const std::string& base = cc_.endpoints().api_base;
  if (!call.target.starts_with("/v3/")) {
    return makeError(ErrorCode::InvalidRequest, "sync.bad_target", "Not a v3 path: " + call.target);
  }
  const std::string url = base.substr(0, base.size() - 3) + call.target;
  const bool repeatable = call.method == "GET";
  bool renewed = false;
  milliseconds backoff{500};
  int attempt = 0, budget_waits = 0;  // sends, and waits for room in the second
  while (true) {
    ++attempt;
    auto token = refresher_.accessToken(connection_id_, hub::CallClass::Background, renewed);
    if (!token) return token.error();
    http::ClientRequest request;
    request.method = call.method;
    request.url = url;
    request.headers.set("Authorization", "Bearer " + token->reveal());
    request.headers.set("Accept", "application/json");
    if (!call.body.empty()) {
      request.headers.set("Content-Type", "application/json");
      request.body = call.body;
    }
    hub::Admission budget;
    auto response = cc_.forward(std::move(request), "sync." + call.method, connection_id_, budget,
                                hub::CallClass::Background);
    if (!response && response.error().code == ErrorCode::TooManyRequests) {
      // The second is full: wait for room. The day's reserve or quota: stop here.
      if (std::string_view(budget.reason) == "per_second" && ++budget_waits < 10000) {
        --attempt;  // nothing was sent
        waiter_(std::max(budget.retry_after, milliseconds(50)));
        continue;
      }
      return makeError(ErrorCode::TooManyRequests, "budget.quota_exceeded",
                       std::string("The CC budget has no room for background work (") + budget.reason + ").");
    }
    // No answer: a read is asked again; a write may have been carried out, so the engine
    // reconciles it by reading back instead of sending it twice.
    auto body = response ? http::readAll(*response->body) : Result<std::string>(response.error());
    if (!body) {
      if (repeatable && attempt < 4) {
        waiter_(backoff);
        backoff *= 2;
        continue;
      }
      return makeError(ErrorCode::Unavailable, hub::UpstreamError::kNoAnswer,
                       "Constant Contact did not answer.");
    }
    int status = response->status;
    if (status == 401 && !renewed) {
      renewed = true;  // CC refused the token: renew once and send again
      continue;
    }
    if (repeatable && (status == 429 || status >= 500) && attempt < 4) {
      waiter_(backoff);
      backoff *= 2;
      continue;
    }
    return sync::CcAnswer{status, std::move(*body)};
  }
}

}  // namespace liaison::app
