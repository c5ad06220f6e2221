#include "http/error_response.h"

#include <nlohmann/json.hpp>

namespace liaison::http {

int statusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidRequest: return 400;
    case ErrorCode::Unauthorized: return 401;
    case ErrorCode::Forbidden: return 403;
    case ErrorCode::NotFound: return 404;
    case ErrorCode::MethodNotAllowed: return 405;
    case ErrorCode::Conflict: return 409;
    case ErrorCode::PayloadTooLarge: return 413;
    case ErrorCode::UnsupportedMediaType: return 415;
    case ErrorCode::TooManyRequests: return 429;
    case ErrorCode::Internal: return 500;
    case ErrorCode::Unavailable: return 503;
  }
  return 500;
}

Response ccErrorResponse(const Error& error) {
  const int status = statusFor(error.code);
  nlohmann::json item = {{"error_key", error.key}, {"error_message", error.message}};
  const bool auth = error.code == ErrorCode::Unauthorized || error.code == ErrorCode::Forbidden;
  auto response = Response::json(status, auth ? item : nlohmann::json::array({item}));
  if (error.code == ErrorCode::Unauthorized) {
    response.headers.set("WWW-Authenticate", "Bearer realm=\"api.cc.email\"");
  }
  return response;
}

Response oauthErrorResponse(const Error& error) {
  auto response = Response::json(statusFor(error.code),
                                 {{"error", error.key}, {"error_description", error.message}});
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("Pragma", "no-cache");
  if (error.code == ErrorCode::Unauthorized) {
    // RFC 6749 §5.2: failed client authentication via Basic gets a challenge.
    response.headers.set("WWW-Authenticate", "Basic realm=\"oauth2\"");
  }
  return response;
}

}  // namespace liaison::http
