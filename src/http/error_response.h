#pragma once
// The one place that turns an Error into an HTTP response. Two wire vocabularies exist:
//  - CC's v3 API: a JSON array of {error_key, error_message}; auth failures (401/403) use a
//    single object of the same shape, as the real API does.
//  - OAuth2 endpoints (RFC 6749 §5.2): {error, error_description}.
#include "core/result.h"
#include "http/message.h"

namespace liaison::http {

int statusFor(ErrorCode code);
Response ccErrorResponse(const Error& error);
Response oauthErrorResponse(const Error& error);

}  // namespace liaison::http
