#pragma once
// What the sandbox answers when no handler can: no route has the path, the path is not served
// under the method, or the request is refused before routing. Each answer is in the words of
// the API the path belongs to: RFC 6749's {"error", "error_description"} under /oauth2/, CC's
// error array elsewhere (the control API's format is CC's, with sandbox.* keys).
#include <string>

#include "http/message.h"

namespace liaison::sandbox {

http::Response notFound(const http::Request& request);

// `allow` is what the path is served under (Router::allow), sent as the Allow header.
http::Response methodNotAllowed(const http::Request& request, const std::string& allow);

// More than one Authorization header: which one counts would be a guess, so none does (400).
http::Response repeatedAuthorization(const http::Request& request);

}  // namespace liaison::sandbox
