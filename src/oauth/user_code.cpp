#include "oauth/user_code.h"

#include <cctype>

namespace liaison::oauth {

std::string generateUserCode(RandomSource& random) {
  std::string code;
  for (int i = 0; i < 8; ++i) {
    if (i == 4) code += '-';
    code += kUserCodeAlphabet[random.uniform(static_cast<uint32_t>(kUserCodeAlphabet.size()))];
  }
  return code;
}

std::optional<std::string> normalizeUserCode(std::string_view input) {
  std::string letters;
  for (unsigned char c : input) {
    if (c == '-' || c == ' ') continue;
    const char upper = static_cast<char>(std::toupper(c));
    if (kUserCodeAlphabet.find(upper) == std::string_view::npos) return std::nullopt;
    letters += upper;
    if (letters.size() > 8) return std::nullopt;
  }
  if (letters.size() != 8) return std::nullopt;
  return letters.substr(0, 4) + "-" + letters.substr(4);
}

}  // namespace liaison::oauth
