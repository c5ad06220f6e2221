#pragma once
// What the proxy lets through to CC. Only paths under the configured v3 base can be reached:
// the target is checked as received (before any decoding), so no spelling of another host,
// another path or a header injection survives. Everything here is pure: request in, verdict out.
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/message.h"

namespace liaison::hub::proxy {

// The part of a proxied target that goes to CC: "/v3/contacts?limit=50" → path "/v3/contacts",
// query "limit=50". Both as received (still percent-encoded), safe to append to the API base.
struct ProxyTarget {
  std::string path;   // starts with "/v3/" (or is "/v3")
  std::string query;  // without the '?'; may be empty
};

// The prefix the hub serves the proxy under.
inline constexpr std::string_view kProxyPrefix = "/proxy";

// Checks `target` (the request target after kProxyPrefix, e.g. "/v3/contacts?limit=1") and
// returns what may be forwarded, or an InvalidRequest error keyed "proxy.refused_target" whose
// message says what was wrong. Refused: anything not under /v3; absolute URLs and
// scheme-relative forms; "." and ".." segments; empty segments ("//"); backslashes; encoded
// slashes, backslashes and dots ("%2F", "%5C", "%2E"); malformed percent-escapes; control
// characters (CR, LF, NUL, …), spaces and non-ASCII bytes anywhere; '#' and '@'.
Result<ProxyTarget> checkTarget(std::string_view target);

// Refuses requests that try to steer the upstream host or path through headers (Forwarded,
// X-Forwarded-Host, X-Original-URL, X-Rewrite-URL, X-HTTP-Host-Override, X-Host) or carry CR/LF
// in any header value. The hub never forwards Host: CC's host comes from the configuration.
Status checkHeaders(const http::Headers& headers);

}  // namespace liaison::hub::proxy
