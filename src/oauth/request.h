#pragma once
// Reading OAuth2 requests: form bodies (RFC 6749 §3.2: application/x-www-form-urlencoded, no
// repeated parameters) and HTTP Basic client credentials (§2.3.1: form-encoded id and secret).
#include <optional>
#include <string>

#include "core/encoding.h"
#include "core/result.h"
#include "http/message.h"

namespace liaison::oauth {

// Parses the request body as a form. Some clients (CC's own examples) send token parameters in
// the query string instead; those are merged in when `merge_query` is set.
Result<Params> readForm(const http::Request& request, bool merge_query);
// Parses a query string for the authorize endpoint, rejecting repeated parameters.
Result<Params> readQuery(const http::Request& request);

struct BasicCredentials {
  std::string user;
  std::string password;
};
// nullopt when there is no Basic header; an error when it is malformed.
Result<std::optional<BasicCredentials>> readBasicAuth(const http::Request& request);

}  // namespace liaison::oauth
