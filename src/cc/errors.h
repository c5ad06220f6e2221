#pragma once
// CC's v3 error envelope. Most errors are a JSON array of {error_key, error_message}; auth
// failures (401/403) are a single object of the same shape, as the real API answers. The hub
// reads both shapes back (parseErrors) when it proxies or calls CC.
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/message.h"

namespace liaison::cc {

struct ApiError {
  std::string key;
  std::string message;
  bool operator==(const ApiError&) const = default;
};

// The response CC would send for `error` (status from http::statusFor).
http::Response errorResponse(const Error& error);

// The errors in a CC error body, either shape; empty when the body is not a CC error envelope.
std::vector<ApiError> parseErrors(std::string_view body);

}  // namespace liaison::cc
