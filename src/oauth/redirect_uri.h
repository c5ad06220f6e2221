#pragma once
// Redirect URI matching (RFC 6749 §3.1.2, RFC 8252 §7.3, RFC 9700 §4.1.3): exact string
// comparison, except that loopback redirect URIs may use any port.
#include <string>
#include <vector>

namespace liaison::oauth {

bool redirectUriAllowed(const std::string& requested, const std::vector<std::string>& registered);

}  // namespace liaison::oauth
