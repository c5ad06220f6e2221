#include "hub/proxy/proxy_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "core/encoding.h"
#include "crypto/hash.h"
#include "hub/api/wire.h"
#include "hub/proxy/operation_check.h"
#include "hub/proxy/proxy_guard.h"

namespace liaison::hub::proxy {

namespace {

using api::errorResponse;
using std::chrono::milliseconds;

constexpr const char* kConnectionHeader = "Liaison-Connection-Id";
constexpr const char* kIdempotencyHeader = "Idempotency-Key";

// Request headers CC may use; everything else (cookies, the hub key, Host, hop-by-hop headers,
// Accept-Encoding so bodies come back as CC sent them) stays at the hub.
constexpr std::array<std::string_view, 6> kRequestHeaders = {
    "content-type", "accept", "accept-language", "if-match", "if-none-match", "prefer"};
// Response headers that carry meaning for the caller.
constexpr std::array<std::string_view, 8> kResponseHeaders = {
    "content-type",        "location",    "etag", "last-modified", "cache-control",
    "content-disposition", "retry-after", "link"};

template <size_t N>
bool listed(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view listed) { return iequals(listed, name); });
}

bool safeToRepeat(const std::string& method) {
  return method == "GET" || method == "PUT" || method == "DELETE";
}

bool worthRetrying(int status) { return status == 429 || status >= 500; }

// Answers up to this size are read whole before they are passed on. The server's event-loop
// client hands answers up to the same size over complete (LoopClientOptions), so reading one in a
// callback on the loop never waits.
constexpr long kWholeAnswerBytes = 256 * 1024;
// A row is cached only while its access token has longer than this (plus the cache's own time)
// to live: more than the refresher's margin before expiry.
constexpr auto kCacheableTokenLife = std::chrono::minutes(2);

// The caller's body on its way to CC, read as curl sends it. It knows whether any of it was read
// (a body CC has begun to receive cannot be sent again) and why reading it failed.
class Upload final : public http::BodyStream {
 public:
  explicit Upload(std::shared_ptr<http::BodyStream> from) : from_(std::move(from)) {}
  Result<size_t> read(char* out, size_t size) override {
    auto got = from_->read(out, size);
    if (!got && !failure_) failure_ = got.error();
    touched_ = true;
    return got;
  }
  bool touched() const { return touched_; }
  const std::optional<Error>& failure() const { return failure_; }

 private:
  std::shared_ptr<http::BodyStream> from_;
  bool touched_ = false;
  std::optional<Error> failure_;
};

constexpr std::array<std::string_view, 5> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};

// The request CC gets: method, URL, the headers CC may use, the body when it came whole, and the
// connection's token.
http::ClientRequest upstreamRequest(const http::Request& request, const std::string& url,
                                    const Secret& token) {
  http::ClientRequest upstream;
  upstream.method = request.method;
  upstream.url = url;
  upstream.body = request.body;
  for (const auto& [name, value] : request.headers.pairs()) {
    if (listed(kRequestHeaders, name)) upstream.headers.set(name, value);
  }
  upstream.headers.set("Authorization", "Bearer " + token.reveal());
  return upstream;
}

http::Response toResponse(const StoredAnswer& answer) {
  http::Response out;
  out.status = answer.status;
  for (const auto& [name, value] : answer.headers) out.headers.set(name, value);
  out.body = answer.body;
  return out;
}

}  // namespace

ProxyService::ProxyService(ProxyDeps deps, ProxySettings settings)
    : deps_(std::move(deps)),
      settings_(settings),
      rows_(deps_.clock, settings.row_cache),
      privileges_(deps_.clock, settings.row_cache) {}

Result<std::optional<Connection>> ProxyService::findConnection(const std::string& id) {
  const uint64_t version = deps_.connections.version();
  if (auto cached = rows_.get(id, version)) return std::optional<Connection>(**cached);
  auto found = deps_.connections.find(id);
  // Far from due: the refresher would not touch the token before the entry is gone (it renews a
  // minute before expiry), so every call in between sends the token the store holds.
  if (found && *found && (*found)->status == ConnectionStatus::Active &&
      (*found)->access_expires_at > deps_.clock.now() + settings_.row_cache + kCacheableTokenLife) {
    rows_.put(id, std::make_shared<const Connection>(**found), version);
  }
  return found;
}

Result<std::optional<std::vector<std::string>>> ProxyService::findPrivileges(const std::string& id) {
  const uint64_t version = deps_.connections.version();
  if (auto cached = privileges_.get(id, version)) return **cached;
  auto found = deps_.connections.findPrivileges(id);
  if (found)
    privileges_.put(id, std::make_shared<const std::optional<std::vector<std::string>>>(*found), version);
  return found;
}

std::string ProxyService::upstreamUrl(const ProxyTarget& target) const {
  // The API base ends in /v3; the checked path starts with it.
  const std::string& base = deps_.cc.endpoints().api_base;
  return base.substr(0, base.size() - 3) + target.path + (target.query.empty() ? "" : "?" + target.query);
}

std::optional<ProxyService::FastCall> ProxyService::fastCall(const http::Request& request) {
  // Anything unusual (a refusal to explain, an idempotent POST, a body that streams) takes the
  // blocking path, which says what is wrong or does the store work.
  if (request.body_stream) return std::nullopt;
  if (std::find(kMethods.begin(), kMethods.end(), request.method) == kMethods.end()) return std::nullopt;
  if (request.method == "POST" && request.header(kIdempotencyHeader)) return std::nullopt;
  std::string_view target = request.target;
  target.remove_prefix(std::min(target.size(), kProxyPrefix.size()));
  auto checked = checkTarget(target);
  if (!checked || !checkHeaders(request.headers)) return std::nullopt;
  const auto connection_id = request.header(kConnectionHeader);
  if (!connection_id || request.headers.count(kConnectionHeader) != 1) return std::nullopt;
  const uint64_t version = deps_.connections.version();
  auto cached = rows_.get(*connection_id, version);
  if (!cached) return std::nullopt;
  const std::shared_ptr<const Connection>& row = *cached;
  // Cached rows are active and far from due; the check is repeated so a token is never renewed
  // here.
  if (row->app_id != deps_.app_id || row->status != ConnectionStatus::Active ||
      row->access_expires_at <= deps_.clock.now() + kCacheableTokenLife) {
    return std::nullopt;
  }
  const cc::Operation* operation = matchOperation(request.method, checked->path);
  if (operation) {
    auto privileges = privileges_.get(row->id, version);
    if (!privileges || refusalFor(*operation, row->scopes, **privileges, row->id)) return std::nullopt;
  }
  auto token = deps_.refresher.accessToken(*row, CallClass::Interactive, false);
  if (!token) return std::nullopt;
  // Last: a grant is a call counted.
  auto budget = deps_.cc.admitNow(row->id);
  if (!budget) return std::nullopt;
  FastCall call{row,
                upstreamUrl(*checked),
                operation ? std::string(operation->id) : "proxy.unknown",
                safeToRepeat(request.method),
                *budget,
                {}};
  call.upstream = upstreamRequest(request, call.url, *token);
  deps_.cc.prepareForward(call.upstream);
  return call;
}

void ProxyService::handleAsync(http::Request& request, http::AsyncHttpClient& upstream, http::Reply reply) {
  auto fast = fastCall(request);
  if (!fast) {
    reply.offload([this, &request] { return handle(request); });
    return;
  }
  auto call_state = std::make_shared<FastCall>(std::move(*fast));
  upstream.send(std::move(call_state->upstream),
                [this, &request, reply, call_state](Result<http::StreamedResponse> answer) {
                  auto first = std::make_shared<FirstAttempt>(FirstAttempt{
                      deps_.cc.forwarded(std::move(answer), call_state->operation), call_state->budget});
                  const auto& got = first->response;
                  // A 401 needs a renewal and a failure worth retrying a pause: both wait, so they go on on
                  // the blocking pool. Any other answer is final and is passed on from here.
                  const bool renew = got && got->status == 401;
                  const bool retry = call_state->repeatable && (!got || worthRetrying(got->status));
                  auto finish = [this, &request, call_state, first] {
                    return call(request, *call_state->connection, call_state->url, call_state->operation,
                                call_state->repeatable, first);
                  };
                  if (renew || retry) {
                    reply.offload(finish);
                  } else {
                    reply(finish());
                  }
                });
}

http::Response ProxyService::handle(http::Request& request) {
  std::string_view target = request.target;
  target.remove_prefix(std::min(target.size(), kProxyPrefix.size()));
  auto checked = checkTarget(target);
  if (!checked) {
    return errorResponse(checked.error(),
                         "Send the CC v3 path after /proxy, e.g. /proxy/v3/contacts?limit=50.");
  }
  if (auto headers = checkHeaders(request.headers); !headers) return errorResponse(headers.error());
  if (std::find(kMethods.begin(), kMethods.end(), request.method) == kMethods.end()) {
    auto refused = errorResponse(ErrorCode::MethodNotAllowed, "method_not_allowed",
                                 "The proxy forwards GET, POST, PUT, PATCH and DELETE.");
    refused.headers.set("Allow", "GET, POST, PUT, PATCH, DELETE");
    return refused;
  }
  const auto connection_id = request.header(kConnectionHeader);
  if (!connection_id || connection_id->empty() || request.headers.count(kConnectionHeader) != 1) {
    return errorResponse(ErrorCode::InvalidRequest, "proxy.connection_required",
                         "Say which connection the call is for.",
                         std::string("Send the header ") + kConnectionHeader + ": <connection id>.");
  }
  auto found = findConnection(*connection_id);
  if (!found) return errorResponse(found.error());
  // A connection of another CC app is as unknown as one that does not exist.
  if (!*found || (*found)->app_id != deps_.app_id) {
    return errorResponse(ErrorCode::NotFound, "not_found",
                         "No connection has the id '" + *connection_id + "'.");
  }
  const Connection& c = **found;
  if (c.status != ConnectionStatus::Active) {
    return errorResponse(ErrorCode::Conflict, "connection_not_active",
                         "The connection is " + std::string(toString(c.status)) + ".",
                         "Reconnect the account (POST /api/v1/connections/" + c.id + "/reconnect).");
  }
  const cc::Operation* operation = matchOperation(request.method, checked->path);
  if (operation) {
    auto privileges = findPrivileges(c.id);
    if (!privileges) return errorResponse(privileges.error());
    if (auto refusal = refusalFor(*operation, c.scopes, *privileges, c.id)) {
      return errorResponse(ErrorCode::Forbidden, refusal->key, refusal->message, refusal->remedy);
    }
  }
  const std::string operation_name = operation ? std::string(operation->id) : "proxy.unknown";
  const std::string url = upstreamUrl(*checked);

  const auto key = request.header(kIdempotencyHeader);
  if (request.method != "POST" || !key)
    return call(request, c, url, operation_name, safeToRepeat(request.method));
  if (key->empty() || key->size() > 255) {
    return errorResponse(ErrorCode::InvalidRequest, "proxy.bad_idempotency_key",
                         "An Idempotency-Key holds 1 to 255 characters.");
  }
  if (request.body_stream) {
    // The key's fingerprint covers the body, so it is read first (POST bodies stay under the
    // server's body limit).
    auto body = http::readAll(*request.body_stream);
    if (!body) return errorResponse(body.error());
    request.body = std::move(*body);
    request.body_stream.reset();
  }
  const std::string fingerprint = crypto::sha256Hex(request.method + "\n" + request.target + "\n" + c.id +
                                                    "\n" + crypto::sha256Hex(request.body));
  auto claim = deps_.idempotency.begin(deps_.app_id, *key, fingerprint);
  if (!claim) return errorResponse(claim.error());
  switch (claim->state) {
    case ClaimState::Replay: {
      auto replay = toResponse(claim->answer);
      replay.headers.set("Liaison-Idempotent-Replay", "true");
      return replay;
    }
    case ClaimState::InProgress:
      return errorResponse(ErrorCode::Conflict, "proxy.idempotency_in_progress",
                           "A request with this Idempotency-Key is still being answered.",
                           "Send it again in a moment to get its answer.");
    case ClaimState::Mismatch:
      return errorResponse(ErrorCode::Unprocessable, "proxy.idempotency_key_reused",
                           "This Idempotency-Key was used for a different request in the last 24 hours.",
                           "Use a new key for a new request.");
    case ClaimState::Fresh:
      break;
  }
  http::Response response = call(request, c, url, operation_name, true);
  if (response.stream) {
    // The answer is kept for replays, so it is read whole (CC's answers to a POST are small).
    auto body = http::readAll(*response.stream);
    response.stream.reset();
    if (!body) {
      (void)deps_.idempotency.abandon(deps_.app_id, *key);
      return errorResponse(ErrorCode::BadGateway, "upstream_unavailable",
                           "Constant Contact's answer broke off.",
                           "Send the request again with the same key.");
    }
    response.body = std::move(*body);
  }
  // Keep what CC answered; a failure of the hub's own (budget, no answer) frees the key again.
  if (response.headers.get("Liaison-Upstream") == std::optional<std::string>("cc")) {
    StoredAnswer answer{response.status, {}, response.body};
    for (const auto& [name, value] : response.headers.pairs()) {
      if (listed(kResponseHeaders, name)) answer.headers.emplace_back(name, value);
    }
    if (auto kept = deps_.idempotency.finish(deps_.app_id, *key, answer); !kept)
      spdlog::error("proxy: answer for an idempotent POST not kept ({})", kept.error().key);
  } else {
    (void)deps_.idempotency.abandon(deps_.app_id, *key);
  }
  return response;
}

http::Response ProxyService::call(const http::Request& request, const Connection& connection,
                                  const std::string& url, const std::string& operation, bool repeatable,
                                  std::shared_ptr<FirstAttempt> first) {
  bool renewed = false;
  milliseconds waited{0};
  Result<http::StreamedResponse> response = makeError(ErrorCode::Unavailable, "proxy.not_sent", "");
  Admission budget;
  std::shared_ptr<Upload> upload;
  for (int attempt = 1;; ++attempt) {
    if (attempt == 1 && first) {
      // Sent already, from the event loop (handleAsync): its answer is this attempt's.
      response = std::move(first->response);
      budget = first->budget;
    } else {
      // The connection handle() read serves the first attempt; later ones read it again.
      auto token = attempt == 1 && !renewed
                       ? deps_.refresher.accessToken(connection, CallClass::Interactive, false)
                       : deps_.refresher.accessToken(connection.id, CallClass::Interactive, renewed);
      if (!token && attempt == 1 && !renewed && token.error().key.starts_with("vault.")) {
        // The row may be a cached one whose token was sealed again since (`vault rotate` in
        // another process) under a key now retired: open the token the store holds now.
        rows_.erase(connection.id);
        token = deps_.refresher.accessToken(connection.id, CallClass::Interactive, false);
      }
      if (!token) {
        return errorResponse(token.error(), token.error().code == ErrorCode::Conflict
                                                ? "Reconnect the account (POST /api/v1/connections/" +
                                                      connection.id + "/reconnect)."
                                                : "");
      }
      http::ClientRequest upstream = upstreamRequest(request, url, *token);
      if (request.body_stream) {
        upload = std::make_shared<Upload>(request.body_stream);
        upstream.body_stream = upload;
        upstream.body_size = request.body_size;
      }
      budget = {};
      // Streamed: CC's body goes on to the caller as it arrives. An answer that is retried is
      // dropped unread (its transfer ends with it).
      response = deps_.cc.forward(std::move(upstream), operation, connection.id, budget);
    }
    waited += budget.waited;
    // A streamed body that CC began to receive is gone: that call is never sent again.
    const bool resendable = !upload || !upload->touched();
    if (response && response->status == 401 && !renewed) {
      rows_.erase(connection.id);
      renewed = true;  // CC refused the token: renew it once (single flight) and send again
      if (resendable) continue;
      // CC's 401 goes back to the caller; the renewed token serves the call sent again.
      (void)deps_.refresher.accessToken(connection.id, CallClass::Interactive, true);
      break;
    }
    if (!response && upload && upload->failure()) return errorResponse(*upload->failure());
    const bool failed =
        !response ? response.error().code != ErrorCode::TooManyRequests : worthRetrying(response->status);
    if (!failed || !repeatable || !resendable || attempt >= settings_.max_attempts) break;
    const auto cap = std::min(settings_.max_backoff, settings_.first_backoff * (1 << (attempt - 1)));
    const auto pause = milliseconds(deps_.random.uniform(static_cast<uint32_t>(cap.count()) + 1));
    deps_.waiter(pause);
  }
  // What the budget granted the last attempt with; the store is asked only when no call went.
  int64_t left = 0;
  if (budget.api_calls_left_today) {
    left = *budget.api_calls_left_today;
  } else {
    const auto use = deps_.governor.usage(deps_.app_id);
    left = std::max<int64_t>(0, use.api_calls_per_day - use.api_calls_today);
  }
  const std::string remaining = std::to_string(left);
  http::Response out;
  if (!response) {
    const Error& error = response.error();
    if (error.code == ErrorCode::TooManyRequests && std::string_view(budget.reason) == "store") {
      // Not the budget's answer: the store that keeps it for every hub process did not answer,
      // and no call goes unasked.
      out = errorResponse(ErrorCode::Unavailable, "budget_unavailable",
                          "The shared rate budget could not be reached, so the call was not sent.",
                          "Retry after the time in Retry-After.");
      out.headers.set("Retry-After",
                      std::to_string(std::max<int64_t>(1, (budget.retry_after.count() + 999) / 1000)));
    } else if (error.code == ErrorCode::TooManyRequests) {
      const bool day_spent = std::string_view(budget.reason) == "quota_exceeded";
      out = day_spent
                ? errorResponse(ErrorCode::TooManyRequests, "quota_exceeded",
                                "The CC app's API calls for today are spent (CC counts them for all the "
                                "app's accounts together).",
                                "Retry after the time in Retry-After (00:00 UTC).")
                : errorResponse(ErrorCode::TooManyRequests, "rate_limited",
                                "The CC app's shared rate budget has no room for this call in time.",
                                "Retry after the time in Retry-After.");
      const auto seconds = std::max<int64_t>(1, (budget.retry_after.count() + 999) / 1000);
      out.headers.set("Retry-After", std::to_string(seconds));
      if (day_spent && budget.resets_at)
        out.headers.set("Liaison-Budget-Resets-At", formatIso8601(*budget.resets_at));
    } else {
      out = errorResponse(ErrorCode::BadGateway, "upstream_unavailable", "Constant Contact did not answer.",
                          "Retry later; calls that are safe to repeat were already retried.");
    }
  } else {
    out.status = response->status;
    for (const auto& [name, value] : response->headers.pairs()) {
      if (listed(kResponseHeaders, name)) out.headers.set(name, value);
    }
    // A small answer whose size CC gave is passed on whole (one write, no hop per chunk); a
    // large one, or one of unknown size (an export), is streamed as it arrives.
    const auto length = response->headers.get("Content-Length");
    if (length && length->size() <= 7 &&
        std::all_of(length->begin(), length->end(), [](unsigned char c) { return std::isdigit(c) != 0; }) &&
        std::stol(*length) <= kWholeAnswerBytes) {
      auto body = http::readAll(*response->body);
      if (!body) {
        out = errorResponse(ErrorCode::BadGateway, "upstream_unavailable",
                            "Constant Contact's answer broke off.", "Retry later.");
      } else {
        out.body = std::move(*body);
        out.headers.set("Liaison-Upstream", "cc");
      }
    } else {
      out.stream = std::move(response->body);
      out.headers.set("Liaison-Upstream", "cc");
    }
  }
  out.headers.set("Liaison-Budget-Remaining-Day", remaining);
  out.headers.set("Liaison-Queue-Wait-Ms", std::to_string(waited.count()));
  return out;
}

}  // namespace liaison::hub::proxy
