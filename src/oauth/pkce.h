#pragma once
// Proof Key for Code Exchange (RFC 7636).
#include <string>
#include <string_view>

namespace liaison::oauth {

// §4.1: 43-128 characters from [A-Za-z0-9-._~]. Challenges obey the same rule.
bool isValidVerifier(std::string_view verifier);
// §4.2: BASE64URL(SHA256(ASCII(code_verifier))).
std::string s256Challenge(std::string_view verifier);
// §4.6: recompute and compare (constant time). `method` is "S256" or "plain".
bool verifyPkce(std::string_view method, std::string_view challenge, std::string_view verifier);

}  // namespace liaison::oauth
