#include "oauth/request.h"

namespace liaison::oauth {

namespace {

Error invalidRequest(std::string message) {
  return makeError(ErrorCode::InvalidRequest, "invalid_request", std::move(message));
}

Status rejectRepeated(const Params& params) {
  if (auto name = params.firstRepeated()) {
    return invalidRequest("The parameter '" + *name + "' is repeated.");
  }
  return okStatus();
}

}  // namespace

Result<Params> readForm(const http::Request& request, bool merge_query) {
  Params params;
  if (!request.body.empty()) {
    const std::string type = toLower(request.header("Content-Type").value_or(""));
    if (type.rfind("application/x-www-form-urlencoded", 0) != 0) {
      return invalidRequest("The body must be application/x-www-form-urlencoded.");
    }
    auto body = Params::parse(request.body);
    if (!body) return invalidRequest("The form body is not valid percent-encoding.");
    params = std::move(*body);
  }
  if (merge_query && !request.queryString().empty()) {
    auto query = Params::parse(request.queryString());
    if (!query) return invalidRequest("The query string is not valid percent-encoding.");
    for (const auto& [name, value] : query->pairs()) params.add(name, value);
  }
  for (const auto& [name, value] : params.pairs()) {
    if (!isValidUtf8(name) || !isValidUtf8(value)) return invalidRequest("Parameters must be UTF-8.");
  }
  if (auto status = rejectRepeated(params); !status) return status.error();
  return params;
}

Result<Params> readQuery(const http::Request& request) {
  auto query = request.query();
  if (!query) return invalidRequest("The query string is not valid percent-encoding.");
  if (auto status = rejectRepeated(*query); !status) return status.error();
  return std::move(*query);
}

Result<std::optional<BasicCredentials>> readBasicAuth(const http::Request& request) {
  auto header = request.header("Authorization");
  if (!header || header->size() < 6 || !iequals(header->substr(0, 6), "Basic ")) {
    return std::optional<BasicCredentials>();
  }
  const auto invalidClient = [] {
    return makeError(ErrorCode::Unauthorized, "invalid_client", "Malformed Basic credentials.");
  };
  auto decoded = base64Decode(header->substr(6));
  if (!decoded) return invalidClient();
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return invalidClient();
  auto user = percentDecode(decoded->substr(0, colon));
  auto password = percentDecode(decoded->substr(colon + 1));
  if (!user || !password) return invalidClient();
  return std::optional<BasicCredentials>(BasicCredentials{*user, *password});
}

}  // namespace liaison::oauth
