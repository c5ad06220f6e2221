#pragma once
// HTTP/1.1 server on Boost.Beast with C++20 coroutines. Beast stays inside this folder: the
// rest of Liaison sees only http::Request/Response and a dispatch function.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/message.h"
#include "http/router.h"

namespace liaison::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8600;  // 0 picks a free port; see Server::port()
  int io_threads = 0;    // 0: one per core
  int blocking_threads = 2;
  size_t header_limit = 16 * 1024;       // larger header blocks get 431
  size_t body_limit = 8 * 1024 * 1024;   // larger bodies get 413
  std::chrono::seconds read_timeout{30}; // idle keep-alive and slow requests
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds shutdown_grace{10};
  bool access_log = true;
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

  // Binds and listens; throws at start-up if the address is unusable.
  void start();
  uint16_t port() const;
  // Graceful shutdown: stop accepting, finish requests in flight, close idle connections;
  // connections still busy after shutdown_grace are dropped.
  void stop();
  // Blocks until the server has stopped.
  void wait();
  // start() + stop on SIGINT/SIGTERM + wait().
  void runUntilSignalled(const std::function<void()>& on_started = {});

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace liaison::http
