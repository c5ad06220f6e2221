#pragma once
// Constant Contact as provider data: where its OAuth2 server and v3 API live and the limits it
// enforces. The defaults are the real CC values, read from provider.json (compiled into the
// binary); the hub may be pointed elsewhere (the sandbox) by configuration, and the sandbox
// enforces the same limits it reads from here.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace liaison::cc {

struct Endpoints {
  std::string authorize;
  std::string token;
  std::string device_authorize;
  std::string device_verification;
  std::string revoke;
  std::string keys;
  std::string issuer;
  std::string api_base;  // ends in /v3, no trailing slash
  std::string audience;  // the `aud` of CC's access tokens, whoever issues them
};

struct Limits {
  int requests_per_second_per_key = 0;  // shared by every account linked through one API key
  int requests_per_day_per_key = 0;     // per UTC day
  int token_requests_per_second_per_client = 0;
  int page_size_max = 0;
  int page_size_default = 0;
  std::size_t import_rows_max = 0;
  std::size_t import_bytes_max = 0;  // an import body must be smaller than this
  int import_lists_max = 0;
  int device_code_lifetime_s = 0;
  int device_poll_interval_s = 0;
  int authorization_code_lifetime_s = 0;
  int access_token_lifetime_s = 0;
  int refresh_token_idle_lifetime_s = 0;
};

struct Provider {
  std::string id;
  std::string display_name;
  Endpoints endpoints;
  Limits limits;
  // Dotted names of the values CC does not document (reported or inferred); callers that depend
  // on one should let configuration override it.
  std::vector<std::string> unconfirmed;
};

// The real Constant Contact, from the compiled-in provider.json.
const Provider& constantContact();

// Reads provider data in provider.json's shape; every field is required, so a configuration
// file cannot silently leave a limit at zero.
Result<Provider> parseProvider(const nlohmann::json& data);

// CC's endpoint paths under another origin (scheme://host:port), as the sandbox serves them.
Endpoints endpointsAt(std::string_view origin);

}  // namespace liaison::cc
