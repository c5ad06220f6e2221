#pragma once
// Outbound HTTP. The interface is the seam where tests substitute a fake; CurlHttpClient is
// the real implementation.
#include <chrono>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/message.h"

namespace liaison::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Transport failures (refused, timeout, reset) are errors; any HTTP status is a response.
  // Redirects are never followed: callers inspect Location themselves.
  virtual Result<ClientResponse> send(const ClientRequest& request) = 0;
};

std::unique_ptr<HttpClient> makeCurlHttpClient();

}  // namespace liaison::http
