#include "oauth/pkce.h"

#include <cctype>

#include "core/encoding.h"
#include "crypto/hash.h"

namespace liaison::oauth {

bool isValidVerifier(std::string_view verifier) {
  if (verifier.size() < 43 || verifier.size() > 128) return false;
  for (unsigned char c : verifier) {
    if (!std::isalnum(c) && c != '-' && c != '.' && c != '_' && c != '~') return false;
  }
  return true;
}

std::string s256Challenge(std::string_view verifier) {
  return base64UrlEncode(crypto::sha256(verifier));
}

bool verifyPkce(std::string_view method, std::string_view challenge, std::string_view verifier) {
  if (!isValidVerifier(verifier)) return false;
  if (method == "S256") return crypto::constantTimeEquals(s256Challenge(verifier), challenge);
  if (method == "plain") return crypto::constantTimeEquals(verifier, challenge);
  return false;
}

}  // namespace liaison::oauth
