#pragma once
// HTTP/1.1 server on Boost.Beast with C++20 coroutines. Beast stays inside this folder: the
// rest of Liaison sees only http::Request/Response and a dispatch function.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/message.h"
#include "http/router.h"

namespace liaison::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8600;  // 0 picks a free port; see Server::port()
  int io_threads = 0;    // 0: one per core
  int blocking_threads = 2;
  size_t header_limit = 16 * 1024;      // larger header blocks get 431
  size_t body_limit = 8 * 1024 * 1024;  // larger bodies get 413
  // A route that streams bodies (Dispatch::streams_body) gets bodies larger than this, and
  // chunked ones, as Request::body_stream; smaller ones arrive whole in Request::body.
  size_t stream_body_above = 1024 * 1024;
  std::chrono::seconds read_timeout{30};  // idle keep-alive and slow requests
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds shutdown_grace{10};
  bool access_log = true;
  // Renders the server's own errors (400 unparsable request, 413, 431, 500 when a handler
  // throws) in the application's wire format. The default is a plain {"error", "message"}.
  std::function<Response(const Error&)> render_error;
};

// Picks the handler for a request (and may fill request.path_params). Must always return a
// handler; fallbacks for 404/405 are the application's.
using DispatchFn = std::function<Dispatch(Request&)>;

class Server {
 public:
  Server(ServerOptions options, DispatchFn dispatch);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Start-up is bind → publish → run: bind() listens (connections queue in the kernel) and
  // returns the port, so the application can publish its base URL (token issuer, links) before
  // run() starts the threads that answer requests. Both throw at start-up on failure.
  uint16_t bind();
  void run();
  // bind() + run(), for applications that need no base URL.
  void start();
  uint16_t port() const;
  // Graceful shutdown: stop accepting, finish requests in flight, close idle connections;
  // connections still busy after shutdown_grace are dropped.
  void stop();
  // Blocks until the server has stopped.
  void wait();
  // bind() (a no-op when already bound), then on_bound(port) (publish the base URL, print a banner), then
  // run(); stops on SIGINT/SIGTERM and waits.
  void runUntilSignalled(const std::function<void(uint16_t port)>& on_bound = {});

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace liaison::http
