#include "oauth/token_response.h"

#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace liaison::oauth {

namespace {

Error invalid(std::string message) {
  return makeError(ErrorCode::Internal, "invalid_token_response", std::move(message));
}

std::optional<std::string> optionalString(const nlohmann::json& body, const char* name, bool& wrong_type) {
  if (!body.contains(name) || body[name].is_null()) return std::nullopt;
  if (!body[name].is_string()) {
    wrong_type = true;
    return std::nullopt;
  }
  return body[name].get<std::string>();
}

}  // namespace

std::string renderTokenResponse(const TokenResponse& tokens) {
  std::string scope;
  for (const auto& s : tokens.scopes) scope += (scope.empty() ? "" : " ") + s;
  nlohmann::json body = {{"access_token", tokens.access_token},
                         {"token_type", tokens.token_type},
                         {"expires_in", tokens.expires_in},
                         {"scope", scope}};
  if (tokens.refresh_token) body["refresh_token"] = *tokens.refresh_token;
  if (tokens.id_token) body["id_token"] = *tokens.id_token;
  return body.dump();
}

Result<TokenResponse> parseTokenResponse(std::string_view text) {
  const auto body = nlohmann::json::parse(text, nullptr, false);
  if (!body.is_object()) return invalid("The token response is not a JSON object.");
  TokenResponse tokens;
  bool wrong_type = false;
  auto access = optionalString(body, "access_token", wrong_type);
  auto type = optionalString(body, "token_type", wrong_type);
  if (!access || access->empty()) return invalid("The token response has no access_token.");
  if (!type || toLower(*type) != "bearer") return invalid("The token response's token_type is not Bearer.");
  tokens.access_token = std::move(*access);
  tokens.token_type = "Bearer";
  if (body.contains("expires_in")) {
    // Some servers send it as a string; RFC 6749 says a number. Both are read.
    const auto& e = body["expires_in"];
    if (e.is_number_integer() && e.get<long long>() >= 0 && e.get<long long>() <= INT32_MAX) {
      tokens.expires_in = static_cast<int>(e.get<long long>());
    } else if (e.is_string() && !e.get_ref<const std::string&>().empty() &&
               e.get_ref<const std::string&>().size() <= 9 &&
               e.get_ref<const std::string&>().find_first_not_of("0123456789") == std::string::npos) {
      tokens.expires_in = std::stoi(e.get<std::string>());
    } else {
      return invalid("The token response's expires_in is not a number of seconds.");
    }
  }
  if (auto scope = optionalString(body, "scope", wrong_type)) {
    for (auto& s : splitString(*scope, ' ')) tokens.scopes.push_back(std::move(s));
  }
  tokens.refresh_token = optionalString(body, "refresh_token", wrong_type);
  tokens.id_token = optionalString(body, "id_token", wrong_type);
  if (wrong_type) return invalid("A field of the token response has the wrong type.");
  return tokens;
}

}  // namespace liaison::oauth
