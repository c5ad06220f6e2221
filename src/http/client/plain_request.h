#pragma once
// What the plain HTTP client writes: the target of an `http://` URL and the request's head, built
// by hand (one string, one write). Pure functions, tested on their own.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/client/http_client.h"

namespace liaison::http {

struct PlainTarget {
  std::string host;  // without brackets for IPv6
  uint16_t port = 80;
  std::string authority;  // as written in the URL: the Host header
  std::string path;       // path and query, never empty
  std::string key;        // host:port, which kept connections are filed under
};

// True for URLs the plain client serves (`http://`, any case).
bool isPlainUrl(std::string_view url);

// The target of an `http://host[:port][/path][?query]` URL; a fragment is dropped. Other schemes,
// user info, a bad port and control characters or spaces are refused.
Result<PlainTarget> parsePlainUrl(std::string_view url);

// "METHOD path HTTP/1.1", the request's headers, then Host, Accept and Content-Length unless
// given; refuses a method that is not a token and header fields that could split the request.
Result<std::string> serializeHead(const ClientRequest& request, const PlainTarget& target);

}  // namespace liaison::http
