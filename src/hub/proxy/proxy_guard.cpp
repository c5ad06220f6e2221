#include "hub/proxy/proxy_guard.h"

#include <array>
#include <cctype>

namespace liaison::hub::proxy {

namespace {

Error refused(const std::string& why) {
  return makeError(ErrorCode::InvalidRequest, "proxy.refused_target",
                   "The proxy only reaches Constant Contact's v3 API: " + why + ".");
}

bool isHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return (std::tolower(static_cast<unsigned char>(c)) - 'a') + 10;
}

// Characters allowed as they are in a path or query (RFC 3986 unreserved, sub-delims, ':' and
// '/' and '?'); '%' starts an escape checked separately.
bool plainAllowed(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
    case ':':
    case '/':
    case '?':
      return true;
    default:
      return false;
  }
}

// Every byte of the target is printable ASCII from the allowed set, and every escape is well
// formed and decodes to nothing that would change the path's shape.
Status checkCharacters(std::string_view text, bool in_path) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size() || !isHex(text[i + 1]) || !isHex(text[i + 2]))
        return refused("a malformed percent-escape");
      const int decoded = hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]);
      if (decoded < 0x20 || decoded == 0x7f) return refused("an encoded control character");
      if (in_path && (decoded == '/' || decoded == '\\' || decoded == '.'))
        return refused("an encoded slash, backslash or dot in the path");
      i += 2;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return refused("a control character");
    if (c == '\\') return refused("a backslash");
    if (c == '#' || c == '@') return refused(std::string("'") + c + "' in the target");
    if (!plainAllowed(c)) return refused("a character that must be percent-encoded");
  }
  return okStatus();
}

}  // namespace

Result<ProxyTarget> checkTarget(std::string_view target) {
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (auto ok = checkCharacters(path, true); !ok) return ok.error();
  if (auto ok = checkCharacters(query, false); !ok) return ok.error();
  if (path != "/v3" && !path.starts_with("/v3/")) return refused("the path must start with /v3/");
  // Segment by segment: no empty, "." or ".." segment anywhere (a trailing slash is no segment).
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    const bool last = end == path.size();
    if (segment.empty() && !last) return refused("an empty path segment");
    if (segment == "." || segment == "..") return refused("a '.' or '..' path segment");
    start = end + 1;
  }
  return ProxyTarget{std::string(path), std::string(query)};
}

Status checkHeaders(const http::Headers& headers) {
  static constexpr std::array<std::string_view, 6> kSteering = {
      "forwarded", "x-forwarded-host", "x-original-url", "x-rewrite-url", "x-http-host-override", "x-host"};
  for (const auto& [name, value] : headers.pairs()) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto steering : kSteering) {
      if (lower == steering) {
        return makeError(ErrorCode::InvalidRequest, "proxy.refused_header",
                         "The header " + name +
                             " cannot steer the proxy: CC's address comes from the hub's "
                             "configuration.");
      }
    }
    if (value.find_first_of("\r\n") != std::string::npos || name.find_first_of("\r\n") != std::string::npos) {
      return makeError(ErrorCode::InvalidRequest, "proxy.refused_header", "A header holds a line break.");
    }
  }
  return okStatus();
}

}  // namespace liaison::hub::proxy
