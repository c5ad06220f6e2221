#pragma once
// Text encodings used on the wire: base64/base64url, percent-encoding, HTML escaping and
// application/x-www-form-urlencoded parameter lists.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace liaison {

std::string base64UrlEncode(std::string_view data);
std::optional<std::string> base64UrlDecode(std::string_view text);
std::string base64Encode(std::string_view data);
std::optional<std::string> base64Decode(std::string_view text);

std::string percentEncode(std::string_view text);
// '+' decodes to a space when `plus_is_space` (form bodies and query strings).
std::optional<std::string> percentDecode(std::string_view text, bool plus_is_space = true);
std::string htmlEscape(std::string_view text);
bool isValidUtf8(std::string_view text);
// Control characters are U+0000-U+001F, U+007F and U+0080-U+009F (C0, DEL and C1; C1 as UTF-8).
// Whether `text` holds one that `allowed` (ASCII characters) does not list.
bool hasControlCharacter(std::string_view text, std::string_view allowed = {});
// `text` with each control character replaced by U+FFFD, for output that must never carry one.
std::string replaceControlCharacters(std::string_view text);

// An ordered list of name/value pairs from a query string or a form body.
class Params {
 public:
  using Pair = std::pair<std::string, std::string>;

  // Fails (nullopt) on malformed percent-encoding.
  static std::optional<Params> parse(std::string_view text);

  void add(std::string name, std::string value);
  // First value for `name`, if any.
  std::optional<std::string> get(std::string_view name) const;
  std::string getOr(std::string_view name, std::string fallback = {}) const;
  size_t count(std::string_view name) const;
  bool has(std::string_view name) const { return count(name) > 0; }
  // Names that occur more than once (OAuth forbids repeated parameters, RFC 6749 §3.1).
  std::optional<std::string> firstRepeated() const;
  const std::vector<Pair>& pairs() const { return pairs_; }
  std::string encode() const;

 private:
  std::vector<Pair> pairs_;
};

std::vector<std::string> splitString(std::string_view text, char separator, bool skip_empty = true);
std::string toLower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

}  // namespace liaison
