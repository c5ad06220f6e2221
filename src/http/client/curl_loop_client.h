#pragma once
// AsyncHttpClient on an Asio io_context run by one thread: curl's multi interface driven by the
// loop's socket readiness and timers (curl_multi_socket_action), as an event-driven proxy works:
// however many calls wait on the other server, no thread waits with them. Only src/http creates
// one (Asio stays in src/http); the server gives one to each of its I/O threads.
#include <cstddef>
#include <memory>

#include "http/client/async_http_client.h"

namespace boost::asio {
class io_context;
}

namespace liaison::http {

struct LoopClientOptions {
  // Answers up to this size are handed over whole; larger ones as a stream, and a stream never
  // holds more than this much of a body that its reader has not taken.
  size_t whole_body_limit = 256 * 1024;
};

// `loop` outlives the client and is run by one thread; the client is used and destroyed on that
// thread (or once the loop has stopped).
std::unique_ptr<AsyncHttpClient> makeCurlLoopClient(boost::asio::io_context& loop,
                                                    LoopClientOptions options = {});

}  // namespace liaison::http
