#pragma once
// SQL written once for both backends uses SQLite's numbered placeholders (`?1`); PostgreSQL
// wants `$1`. The rewrite skips what is not SQL code: string literals ('…', E'…'), quoted names
// ("…"), dollar-quoted bodies ($tag$…$tag$) and comments, so a `'?1'` stays text.
#include <string>
#include <vector>

namespace liaison::storage {

struct PostgresSql {
  std::string text;              // `?N` replaced by `$N`
  int parameterCount = 0;        // the highest N
  std::vector<bool> referenced;  // [N] whether `?N` occurs (index 0 unused)
};

// A `?` not followed by a digit is left as it is (PostgreSQL's jsonb operators use it).
PostgresSql toPostgresPlaceholders(const std::string& sql);

}  // namespace liaison::storage
