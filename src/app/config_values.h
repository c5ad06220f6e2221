#pragma once
// The value formats of the hub's settings, checked the same way whether a value came from the TOML
// file, the environment or a flag: HOST:PORT, http(s) URLs, whole numbers, and TOML strings for
// printing. Hand-written scanners, like every other input check in src/.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace liaison::app::config {

// "HOST:PORT", "[v6]:PORT", or ":PORT" for every interface (0.0.0.0). The port is 1..65535, or
// 0 ("any free port") where `allow_any_port`: a listen address, whose real port is known once bound.
bool parseHostPort(std::string_view text, std::string& host, uint16_t& port, bool allow_any_port = false);
// The inverse of parseHostPort; an IPv6 host is bracketed.
std::string formatHostPort(const std::string& host, uint16_t port);

// Decimal digits only (no sign, no spaces, no fraction); empty when not a whole number or too big.
std::optional<int64_t> parseWholeNumber(std::string_view text);

enum class UrlShape {
  Origin,      // scheme://host[:port], nothing after but an optional "/"
  NoQuery,     // a path is fine; no query or fragment (other URLs get appended to it)
  NoFragment,  // a path and query are fine (an OAuth redirect URI, RFC 6749 §3.1.2)
};
// Empty when `url` is an absolute http:// or https:// URL of that shape; else what is wrong, in
// words that follow the setting's name ("must be ...").
std::string checkHttpUrl(std::string_view url, UrlShape shape);

// `text` as a one-line TOML basic string, quotes included.
std::string tomlString(std::string_view text);

}  // namespace liaison::app::config
