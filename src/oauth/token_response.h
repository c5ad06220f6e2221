#pragma once
// The token endpoint's success body (RFC 6749 §5.1), as CC sends it: what the sandbox renders
// and what an OAuth client (the hub) parses. One shape both ways, round-trip tested.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace liaison::oauth {

struct TokenResponse {
  std::string access_token;
  std::string token_type = "Bearer";
  int expires_in = 0;               // seconds from issue (not an epoch time)
  std::vector<std::string> scopes;  // "scope": space-delimited on the wire
  std::optional<std::string> refresh_token;
  std::optional<std::string> id_token;
  bool operator==(const TokenResponse&) const = default;
};

std::string renderTokenResponse(const TokenResponse& tokens);

// Fails with invalid_token_response (ErrorCode::Internal: the server broke the protocol) when
// access_token or token_type is missing, token_type is not Bearer, or a field has the wrong type.
Result<TokenResponse> parseTokenResponse(std::string_view body);

}  // namespace liaison::oauth
