#pragma once
// AsyncHttpClients on an Asio io_context run by one thread, as an event-driven proxy works:
// however many calls wait on the other server, no thread waits with them. Only src/http creates
// them (Asio stays in src/http); the server gives one to each of its I/O threads.
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
  // Kept-alive connections per host and port (plain HTTP client).
  size_t max_idle_per_host = 64;
};

// `loop` outlives the client and is run by one thread; the client is used and destroyed on that
// thread (or once the loop has stopped).

// curl's multi interface driven by the loop's socket readiness and timers
// (curl_multi_socket_action): every scheme and TLS.
std::unique_ptr<AsyncHttpClient> makeCurlLoopClient(boost::asio::io_context& loop,
                                                    LoopClientOptions options = {});

// HTTP/1.1 without TLS on the loop's own sockets (Beast's parser), for `http://` URLs only; other
// URLs fail. curl's per-transfer machinery (URL parsing, its connection cache and state machine,
// a poll() per reuse, timers) was 30 % of the hub's CPU per proxied call to a local upstream; with
// this client the hub's CPU per call went from 74 to 52 µs (docs/PERFORMANCE.md).
std::unique_ptr<AsyncHttpClient> makePlainLoopClient(boost::asio::io_context& loop,
                                                     LoopClientOptions options = {});

// The plain client for `http://` URLs, curl's for the rest (CC's `https://`).
std::unique_ptr<AsyncHttpClient> makeLoopClient(boost::asio::io_context& loop,
                                                LoopClientOptions options = {});

}  // namespace liaison::http
