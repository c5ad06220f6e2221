#pragma once
// V2-to-V3 id cross-references (contacts, lists, email campaigns), for clients migrating stored
// V2 ids. The sandbox never ran a V2 API, so it gives each resource a V2 id by rule: a contact's
// is its creation number in the account (1, 2, 3, ...), a list's and a campaign's is the decimal
// value of the first 10 hex digits of its UUID (13 digits at most, the size of CC's V2 ids).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <set>
#include <string>

#include "core/encoding.h"
#include "core/result.h"

namespace liaison::sandbox {

// The comma-separated V2 ids of `param` (required, 1 to `max`, digits only), deduplicated.
// Errors are 400s with `error_key`.
Result<std::set<uint64_t>> v2IdsParam(const Params& query, const char* param, size_t max, const char* error_key);

// The V2 id the sandbox gives a list or campaign with this UUID.
uint64_t v2IdOfUuid(const std::string& uuid);

}  // namespace liaison::sandbox
