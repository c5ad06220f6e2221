#pragma once
// Device-flow user codes (RFC 8628 §6.1): 8 characters from a 20-consonant alphabet (no vowels,
// so no words; no look-alike letters), shown as BCDF-GHJK. About 34.6 bits.
#include <optional>
#include <string>
#include <string_view>

#include "core/random.h"

namespace liaison::oauth {

inline constexpr std::string_view kUserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";

std::string generateUserCode(RandomSource& random);
// Upper-cases and drops dashes and spaces; nullopt when the result is not 8 alphabet letters.
// Returns the canonical display form XXXX-XXXX.
std::optional<std::string> normalizeUserCode(std::string_view input);

}  // namespace liaison::oauth
