#pragma once
// OAuth2 errors as values (RFC 6749 §4.1.2.1, §5.2; RFC 8628 §3.5; RFC 7009 §2.2.1): the error
// codes an authorization server answers with and a client must recognise, and the one renderer
// of {error, error_description} bodies.
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/message.h"

namespace liaison::oauth {

namespace errors {
inline constexpr std::string_view kInvalidRequest = "invalid_request";
inline constexpr std::string_view kInvalidClient = "invalid_client";
inline constexpr std::string_view kInvalidGrant = "invalid_grant";
inline constexpr std::string_view kUnauthorizedClient = "unauthorized_client";
inline constexpr std::string_view kUnsupportedGrantType = "unsupported_grant_type";
inline constexpr std::string_view kUnsupportedResponseType = "unsupported_response_type";
inline constexpr std::string_view kUnsupportedTokenType = "unsupported_token_type";
inline constexpr std::string_view kInvalidScope = "invalid_scope";
inline constexpr std::string_view kAccessDenied = "access_denied";
inline constexpr std::string_view kServerError = "server_error";
inline constexpr std::string_view kTemporarilyUnavailable = "temporarily_unavailable";
inline constexpr std::string_view kAuthorizationPending = "authorization_pending";
inline constexpr std::string_view kSlowDown = "slow_down";
inline constexpr std::string_view kExpiredToken = "expired_token";
}  // namespace errors

inline Error oauthError(ErrorCode code, std::string_view key, std::string message) {
  return makeError(code, std::string(key), std::move(message));
}

inline Error invalidGrant(std::string message) {
  return oauthError(ErrorCode::InvalidRequest, errors::kInvalidGrant, std::move(message));
}

// {error, error_description} with no-store caching; a 401 carries a Basic challenge (§5.2).
http::Response errorResponse(const Error& error);

struct ErrorBody {
  std::string error;
  std::string description;
};
// Reads an error body back; nullopt when the body is not an RFC 6749 error object.
std::optional<ErrorBody> parseErrorBody(std::string_view body);

}  // namespace liaison::oauth
