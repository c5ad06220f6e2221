#pragma once
// Outbound HTTP. The interface is the seam where tests substitute a fake; CurlHttpClient is
// the real implementation.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/message.h"

namespace liaison::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  // When set, the body is read from here as it is sent (instead of `body`): `body_size` bytes,
  // or chunked when the size is not known.
  std::shared_ptr<BodyStream> body_stream;
  std::optional<uint64_t> body_size;
  std::chrono::milliseconds timeout{10000};
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

// A response whose body is still arriving: status and headers are in, the body is read from
// `body` as it comes (memory bounded by what the socket holds, not by the body's size).
struct StreamedResponse {
  int status = 0;
  Headers headers;
  std::unique_ptr<BodyStream> body;  // never null
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Transport failures (refused, timeout, reset) are errors; any HTTP status is a response.
  // Redirects are never followed: callers inspect Location themselves.
  virtual Result<ClientResponse> send(const ClientRequest& request) = 0;
  // As send(), returning once the status and headers are in. The default reads a streamed
  // request body whole, sends, and hands the buffered answer out as a stream (enough for fakes);
  // the curl client streams both ways for real.
  // `request.timeout` bounds the wait for the headers and each silence while the body arrives.
  virtual Result<StreamedResponse> stream(const ClientRequest& request);
};

// Methods a client may send on a kept-alive connection: the server has not acted on one that
// fails there before answering, or acting twice is harmless (RFC 9110 §9.2.2). Others (POST,
// PATCH) take a new connection, so a failure is never "maybe sent twice".
bool isRepeatable(std::string_view method);

// A stream over a body already in memory.
std::unique_ptr<BodyStream> bodyStreamOf(std::string body);

std::unique_ptr<HttpClient> makeCurlHttpClient();

}  // namespace liaison::http
