#include "sandbox/control/outage.h"

#include "cc/errors.h"
#include "core/json_fields.h"
#include "oauth/errors.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

constexpr int64_t kMaxSeconds = 30 * 86400;

int64_t micros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

Error invalidOutage(const std::string& message) {
  return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error", message);
}

}  // namespace

Result<json> Outage::start(const json& body) {
  const JsonFields fields(body, "sandbox.validation.error");
  auto seconds = fields.optionalInteger("seconds", 1, kMaxSeconds);
  if (!seconds) return seconds.error();
  if (!*seconds) return invalidOutage("seconds is required: a whole number of virtual seconds.");
  // "503" or 503 (the status it answers with), or "reset".
  const json mode = body.contains("mode") && !body["mode"].is_null() ? body["mode"] : json("503");
  if (mode != "503" && mode != 503 && mode != "reset")
    return invalidOutage("mode must be \"503\" or \"reset\".");
  reset_ = mode == "reset";
  until_us_ = micros(clock_.now()) + **seconds * 1000000;
  return state();
}

void Outage::end() { until_us_ = 0; }

json Outage::state() const {
  const int64_t until = until_us_.load();
  const int64_t now = micros(clock_.now());
  if (until == 0 || now >= until) return {{"active", false}};
  return {{"active", true},
          {"mode", reset_.load() ? "reset" : "503"},
          {"until", formatIso8601(TimePoint(std::chrono::microseconds(until)))},
          {"remaining_seconds", (until - now + 999999) / 1000000}};
}

std::optional<http::Response> Outage::answer(const http::Request& request) const {
  const int64_t until = until_us_.load(std::memory_order_relaxed);
  if (until == 0) return std::nullopt;
  const int64_t now = micros(clock_.now());
  // The control API stays up: it is how an outage is ended early.
  if (now >= until || request.path().starts_with("/__sandbox/")) return std::nullopt;
  http::Response response;
  if (reset_.load()) {
    response.abort_connection = true;
    return response;
  }
  const std::string message = "The service is temporarily unavailable.";
  response =
      request.path().starts_with("/oauth2/")
          ? oauth::errorResponse(
                oauth::oauthError(ErrorCode::Unavailable, oauth::errors::kTemporarilyUnavailable, message))
          : cc::errorResponse(makeError(ErrorCode::Unavailable, "http.status.service_unavailable", message));
  response.headers.set("Retry-After", std::to_string((until - now + 999999) / 1000000));
  return response;
}

}  // namespace liaison::sandbox
