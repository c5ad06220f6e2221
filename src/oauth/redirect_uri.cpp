#include "oauth/redirect_uri.h"

#include <cctype>

namespace liaison::oauth {
namespace {

// For "http://127.0.0.1:1234/cb" returns "http://127.0.0.1/cb"; empty when the URI is not an
// http loopback URI with a valid (or absent) numeric port.
std::string withoutLoopbackPort(const std::string& uri) {
  for (const char* host : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
    const std::string prefix = host;
    if (uri.compare(0, prefix.size(), prefix) != 0) continue;
    size_t pos = prefix.size();
    if (pos < uri.size() && uri[pos] == ':') {
      size_t digits = 0;
      long port = 0;
      ++pos;
      while (pos < uri.size() && std::isdigit(static_cast<unsigned char>(uri[pos])) && digits <= 5) {
        port = port * 10 + (uri[pos] - '0');
        ++pos;
        ++digits;
      }
      if (digits == 0 || digits > 5 || port < 1 || port > 65535) return {};
    }
    if (pos < uri.size() && uri[pos] != '/') return {};
    return prefix + uri.substr(pos);
  }
  return {};
}

}  // namespace

bool redirectUriAllowed(const std::string& requested, const std::vector<std::string>& registered) {
  // Fragments are never allowed (RFC 6749 §3.1.2).
  if (requested.empty() || requested.find('#') != std::string::npos) return false;
  for (const auto& uri : registered) {
    if (requested == uri) return true;
  }
  const std::string loopback = withoutLoopbackPort(requested);
  if (loopback.empty()) return false;
  for (const auto& uri : registered) {
    const std::string reg = withoutLoopbackPort(uri);
    if (!reg.empty() && reg == loopback) return true;
  }
  return false;
}

}  // namespace liaison::oauth
