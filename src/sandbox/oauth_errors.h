#pragma once
// RFC 6749 §5.2 errors as values, shared by the grant implementations.
#include <string>

#include "core/result.h"

namespace liaison::sandbox {

inline Error oauthError(ErrorCode code, const char* key, std::string message) {
  return makeError(code, key, std::move(message));
}

inline Error invalidGrant(std::string message) {
  return oauthError(ErrorCode::InvalidRequest, "invalid_grant", std::move(message));
}

}  // namespace liaison::sandbox
