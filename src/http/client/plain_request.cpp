#include "http/client/plain_request.h"

#include <algorithm>
#include <charconv>

#include "core/encoding.h"

namespace liaison::http {
namespace {

Error badUrl(std::string why) { return makeError(ErrorCode::InvalidRequest, "http.bad_url", std::move(why)); }

bool hasControlOrSpace(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

bool isTokenChar(char c) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         kExtra.find(c) != std::string_view::npos;
}

bool isToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

// A field value may hold tabs and visible characters, never CR, LF or NUL.
bool isFieldValue(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

}  // namespace

bool isPlainUrl(std::string_view url) { return url.size() >= 7 && iequals(url.substr(0, 7), "http://"); }

Result<PlainTarget> parsePlainUrl(std::string_view url) {
  if (!isPlainUrl(url)) return badUrl("Only http:// URLs are sent without TLS.");
  std::string_view rest = url.substr(7);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, end);
  std::string_view path = end == std::string_view::npos ? std::string_view("/") : rest.substr(end);
  if (authority.empty() || authority.find('@') != std::string_view::npos || hasControlOrSpace(authority))
    return badUrl("The URL has no host, or user info.");
  if (hasControlOrSpace(path)) return badUrl("The URL's path has spaces or control characters.");
  PlainTarget target;
  target.authority = std::string(authority);
  target.path = path.front() == '?' ? "/" + std::string(path) : std::string(path);
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return badUrl("The URL's IPv6 host is not closed.");
    host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return badUrl("The URL's host is followed by something other than a port.");
      port = after.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return badUrl("The URL has no host.");
  target.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535)
      return badUrl("The URL's port is not a number from 1 to 65535.");
    target.port = static_cast<uint16_t>(value);
  }
  target.key = target.host + ":" + std::to_string(target.port);
  return target;
}

Result<std::string> serializeHead(const ClientRequest& request, const PlainTarget& target) {
  if (!isToken(request.method))
    return makeError(ErrorCode::InvalidRequest, "http.bad_method", "The method is not an HTTP token.");
  std::string head;
  head.reserve(128 + target.path.size() + request.headers.pairs().size() * 48);
  head.append(request.method).append(" ").append(target.path).append(" HTTP/1.1\r\n");
  bool has_host = false;
  bool has_accept = false;
  for (const auto& [name, value] : request.headers.pairs()) {
    if (!isToken(name) || !isFieldValue(value))
      return makeError(ErrorCode::InvalidRequest, "http.bad_header",
                       "A header field could split the request.");
    // The framing is this client's: the body is sent whole with its length.
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
    has_host = has_host || iequals(name, "Host");
    has_accept = has_accept || iequals(name, "Accept");
    head.append(name).append(": ").append(value).append("\r\n");
  }
  if (!has_host) head.append("Host: ").append(target.authority).append("\r\n");
  if (!has_accept) head.append("Accept: */*\r\n");
  const auto& m = request.method;
  if (!request.body.empty() || m == "POST" || m == "PUT" || m == "PATCH")
    head.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  head.append("\r\n");
  return head;
}

}  // namespace liaison::http
