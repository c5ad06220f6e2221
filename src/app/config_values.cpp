#include "app/config_values.h"

#include <cstdio>

namespace liaison::app::config {
namespace {

bool isAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool allOf(std::string_view text, bool (*accept)(char)) {
  for (char c : text) {
    if (!accept(c)) return false;
  }
  return true;
}

bool isHostNameChar(char c) { return isAsciiAlnum(c) || c == '.' || c == '-'; }
bool isIpv6Char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

// "[v6]" or a host name / IPv4 address; the brackets are removed from `host`.
bool parseHost(std::string_view text, std::string& host) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    const auto inner = text.substr(1, text.size() - 2);
    if (inner.empty() || !allOf(inner, isIpv6Char) || inner.find(':') == std::string_view::npos) return false;
    host = std::string(inner);
    return true;
  }
  if (text.empty() || !allOf(text, isHostNameChar)) return false;
  host = std::string(text);
  return true;
}

bool parsePort(std::string_view text, uint16_t& port) {
  const auto value = parseWholeNumber(text);
  if (!value || *value < 1 || *value > 65535 || text.size() > 5) return false;
  port = static_cast<uint16_t>(*value);
  return true;
}

}  // namespace

bool parseHostPort(std::string_view text, std::string& host, uint16_t& port, bool allow_any_port) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return false;
  const auto host_text = text.substr(0, colon);
  uint16_t parsed_port = 0;
  const auto port_text = text.substr(colon + 1);
  if (!(allow_any_port && port_text == "0") && !parsePort(port_text, parsed_port)) return false;
  std::string parsed_host = "0.0.0.0";
  if (!host_text.empty() && !parseHost(host_text, parsed_host)) return false;
  host = std::move(parsed_host);
  port = parsed_port;
  return true;
}

std::string formatHostPort(const std::string& host, uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<int64_t> parseWholeNumber(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string checkHttpUrl(std::string_view url, UrlShape shape) {
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return "must be an absolute URL starting with http:// or https://";
  }
  for (char c : url) {
    if (c <= ' ' || c >= 0x7f) return "must not contain spaces, control or non-ASCII characters";
  }
  const auto authority_end = rest.find_first_of("/?#");
  const auto authority = rest.substr(0, authority_end);
  const auto after =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return "must not contain a user name or password";
  // The last ':' outside an IPv6 literal's brackets starts the port.
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  std::string host;
  uint16_t port = 0;
  const bool has_port =
      colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
  if (!parseHost(has_port ? authority.substr(0, colon) : authority, host)) return "must name a valid host";
  if (has_port && !parsePort(authority.substr(colon + 1), port)) return "must have a port from 1 to 65535";
  switch (shape) {
    case UrlShape::Origin:
      if (!after.empty() && after != "/")
        return "must be an origin (http(s)://host[:port]) with no path or query";
      break;
    case UrlShape::NoQuery:
      if (after.find_first_of("?#") != std::string_view::npos) return "must not have a query or fragment";
      break;
    case UrlShape::NoFragment:
      if (after.find('#') != std::string_view::npos) return "must not have a fragment";
      break;
  }
  return {};
}

std::string tomlString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04X", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace liaison::app::config
