#pragma once
// The one place that maps an ErrorCode to an HTTP status. The bodies are rendered in the
// caller's wire vocabulary: cc/errors (CC's v3 envelope), oauth/errors (RFC 6749), or the
// renderer an application gives the HTTP server.
#include "core/result.h"

namespace liaison::http {

int statusFor(ErrorCode code);

}  // namespace liaison::http
