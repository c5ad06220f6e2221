#include "sandbox/fallbacks.h"

#include "cc/errors.h"
#include "oauth/errors.h"

namespace liaison::sandbox {

namespace {

enum class Api { OAuth, Control, Cc };

Api apiOf(const http::Request& request) {
  const std::string_view path = request.path();
  if (path.starts_with("/oauth2/")) return Api::OAuth;
  if (path.starts_with("/__sandbox/")) return Api::Control;
  return Api::Cc;
}

// RFC 6749 has no error code for an unknown endpoint or method: invalid_request is the one that
// says the request itself is wrong, and the status says how.
http::Response answer(const http::Request& request, ErrorCode code, const std::string& cc_key,
                      const std::string& message) {
  if (apiOf(request) == Api::OAuth) {
    return oauth::errorResponse(oauth::oauthError(code, oauth::errors::kInvalidRequest, message));
  }
  return cc::errorResponse(makeError(code, cc_key, message));
}

}  // namespace

http::Response notFound(const http::Request& request) {
  return answer(request, ErrorCode::NotFound, "http.status.not_found",
                "No resource at " + std::string(request.path()) + ".");
}

http::Response methodNotAllowed(const http::Request& request, const std::string& allow) {
  auto response = answer(request, ErrorCode::MethodNotAllowed, "http.status.method_not_allowed",
                         request.method + " is not allowed on " + std::string(request.path()) + ".");
  response.headers.set("Allow", allow);
  return response;
}

http::Response repeatedAuthorization(const http::Request& request) {
  const std::string message = "The request has more than one Authorization header; send one.";
  return answer(request, ErrorCode::InvalidRequest,
                apiOf(request) == Api::Control ? "sandbox.validation.error" : "http.status.bad_request",
                message);
}

}  // namespace liaison::sandbox
