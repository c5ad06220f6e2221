#include "oauth/errors.h"

#include <nlohmann/json.hpp>

#include "http/status.h"

namespace liaison::oauth {

http::Response errorResponse(const Error& error) {
  auto response = http::Response::json(http::statusFor(error.code),
                                       {{"error", error.key}, {"error_description", error.message}});
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("Pragma", "no-cache");
  if (error.code == ErrorCode::Unauthorized) {
    // RFC 6749 §5.2: failed client authentication via Basic gets a challenge.
    response.headers.set("WWW-Authenticate", "Basic realm=\"oauth2\"");
  }
  return response;
}

std::optional<ErrorBody> parseErrorBody(std::string_view text) {
  const auto body = nlohmann::json::parse(text, nullptr, false);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_string()) return std::nullopt;
  ErrorBody out{body["error"].get<std::string>(), ""};
  if (body.contains("error_description") && body["error_description"].is_string()) {
    out.description = body["error_description"].get<std::string>();
  }
  return out;
}

}  // namespace liaison::oauth
