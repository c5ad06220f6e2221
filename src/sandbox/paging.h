#pragma once
// Query parameters shared by CC's collection endpoints: `limit`, an offset `cursor` (opaque
// base64url to clients), and the `_links.next.href` that continues a query.
#include <string>

#include "core/encoding.h"
#include "core/result.h"

namespace liaison::sandbox {

// `limit` from 1 to `max`, `fallback` when absent; errors carry `error_key`.
Result<int> limitParam(const Params& query, int fallback, int max, const char* error_key);
// The offset an earlier page handed out; 0 when absent.
Result<size_t> cursorParam(const Params& query, const char* error_key);
// `path` with the query's parameters and a cursor at `offset`.
std::string nextLink(const std::string& path, const Params& query, size_t offset);

}  // namespace liaison::sandbox
