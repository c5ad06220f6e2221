#!/bin/sh
# `make lint`: formatting of changed lines and the layering rules that a grep can check.
#  1. clang-format on the lines changed since LINT_BASE (default: the commits not on origin/main
#     plus uncommitted changes; in a clean clone, the last commit). Only edited lines count (a
#     moved file is not new code), so the check never forces unrelated churn. LINT_FIX=1
#     formats those lines in place instead (`make format` formats whole files).
#  2. Only src/core/clock* reads the system clock: everything else takes the injected Clock, so
#     tests fast-forward time.
#  3. Nothing but src/app/ includes sandbox headers (the hub and sync stand on src/cc/ and src/oauth/).
#  4. Only http/ includes Boost.Beast; only storage/ includes sqlite3.
#  5. No std::regex (nor <regex>) anywhere in src/: libstdc++'s matcher recurses once per character,
#     so long input overflows the stack, and a bad pattern throws. Request fields are checked with
#     hand-written scanners or std::from_chars.
#  6. Client JSON is read through JsonFields (src/core/json_fields.h), never with
#     json::value(key, default), which throws on a wrong type or silently stores a default: no
#     `.value(` on a request body (by the names handlers give one: body, spec, event, fixture).
set -eu
cd "$(dirname "$0")/.."
failed=0
fail() { echo "lint: $*" >&2; failed=1; }

# 1. Formatting of changed lines.
if [ -n "${LINT_BASE:-}" ]; then base=$LINT_BASE
elif git rev-parse -q --verify origin/main >/dev/null && [ "$(git rev-parse HEAD)" != "$(git rev-parse origin/main)" ]; then
  base=$(git merge-base HEAD origin/main)
elif git rev-parse -q --verify HEAD~1 >/dev/null; then base=HEAD~1
else base=$(git hash-object -t tree /dev/null); fi
# Changed line ranges per file (renames followed, so a moved file counts only its edited lines),
# each checked with clang-format --lines.
ranges=$(git diff -M -U0 --diff-filter=ACMR "$base" -- src tests bench tools | awk '
  /^\+\+\+ b\// { file = substr($0, 7); next }
  /^@@/ { split($3, a, ","); start = substr(a[1], 2); n = (a[2] == "" ? 1 : a[2]);
          if (n > 0 && file ~ /\.(cpp|h)$/) print file " " start ":" start + n - 1 }')
if ! command -v clang-format >/dev/null 2>&1; then
  fail "clang-format not found (Debian package clang-format)"
elif [ -n "$ranges" ]; then
  for f in $(echo "$ranges" | cut -d' ' -f1 | sort -u); do
    [ -f "$f" ] || continue
    lines=$(echo "$ranges" | awk -v f="$f" '$1 == f { printf " --lines=%s", $2 }')
    # shellcheck disable=SC2086
    if [ -n "${LINT_FIX:-}" ]; then clang-format -i $lines "$f"
    elif ! clang-format --dry-run -Werror $lines "$f" 2>/dev/null; then
      fail "$f: changed lines are not clang-formatted (fix: clang-format -i$lines $f)"
    fi
  done
fi

# 2. The system clock.
hits=$(grep -rnE 'std::chrono::(system_clock|steady_clock|high_resolution_clock)::now|gettimeofday|clock_gettime|[^_a-z]time\((nullptr|NULL|0)\)' \
  src --include='*.cpp' --include='*.h' | grep -v '^src/core/clock' || true)
[ -z "$hits" ] || { echo "$hits" >&2; fail "only src/core/clock* may read the system clock; take a Clock"; }

# 3. Sandbox headers.
hits=$(grep -rn '#include "sandbox/' src --include='*.cpp' --include='*.h' | grep -vE '^src/(sandbox|app)/' || true)
[ -z "$hits" ] || { echo "$hits" >&2; fail "only src/app/ may include sandbox headers"; }

# 4. Beast and SQLite stay in their folders.
hits=$(grep -rn '#include <boost/beast' src --include='*.cpp' --include='*.h' | grep -v '^src/http/' || true)
[ -z "$hits" ] || { echo "$hits" >&2; fail "only src/http/ may include Boost.Beast"; }
hits=$(grep -rn '#include <sqlite3.h>\|#include <libpq\|#include <pqxx' src --include='*.cpp' --include='*.h' | grep -v '^src/storage/' || true)
[ -z "$hits" ] || { echo "$hits" >&2; fail "only src/storage/ may include database client headers"; }

# 5. std::regex.
for f in $(grep -rlE 'std::regex|<regex>' src || true); do
  fail "$f: no std::regex in src/ (its recursion overflows the stack on long input); write a scanner"
done

# 6. json::value on request bodies.
hits=$(grep -rnE '(\b(body|spec|event|fixture)|\(\*body\))(\.|->)value\(' src --include='*.cpp' --include='*.h' || true)
[ -z "$hits" ] || { echo "$hits" >&2; fail "read request bodies through JsonFields, not json::value(key, default)"; }

[ "$failed" -eq 0 ] && echo "lint: ok"
exit "$failed"
