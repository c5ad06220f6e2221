#pragma once
// A loopback HTTP server whose every byte a test chooses: it counts connections and requests and
// answers each request with what the script returns, then keeps the connection, closes it, or
// drops it without answering. For client behaviour a well-behaved server never shows (HTTP/1.0
// bodies ended by closing, interim answers, a kept connection that dies). Every wait polls a stop
// flag, and stop() (also on destruction) closes and joins everything.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace liaison::http::testing {

class ScriptedServer {
 public:
  enum class After { Keep, Close, Drop };  // Drop: close without writing the answer
  struct Answer {
    std::string bytes;
    After after = After::Keep;
  };
  // The request's head and body as received, and the index of its connection (from 0).
  using Script = std::function<Answer(const std::string& request, int connection)>;

  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 64);
    socklen_t size = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &size);
    port_ = ntohs(addr.sin_port);
    accepter_ = std::thread([this] { acceptLoop(); });
  }
  ~ScriptedServer() { stop(); }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }
  int closed() const { return closed_.load(); }  // connections this server has closed

  void stop() {
    if (stopping_.exchange(true)) return;
    if (accepter_.joinable()) accepter_.join();
    std::lock_guard lock(mutex_);
    for (auto& worker : workers_) worker.join();
    workers_.clear();
    ::close(listener_);
  }

 private:
  bool readable(int fd) const {
    while (!stopping_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) return true;
    }
    return false;
  }

  void acceptLoop() {
    while (readable(listener_)) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      const int index = connections_++;
      std::lock_guard lock(mutex_);
      workers_.emplace_back([this, fd, index] {
        serve(fd, index);
        ::close(fd);
        ++closed_;
      });
    }
  }

  void serve(int fd, int index) {
    std::string pending;
    char buffer[16384];
    for (;;) {
      // One whole request: the head, then Content-Length bytes of body.
      size_t head_end = std::string::npos;
      size_t total = 0;
      while (head_end == std::string::npos || pending.size() < total) {
        if (head_end == std::string::npos && (head_end = pending.find("\r\n\r\n")) != std::string::npos) {
          total = head_end + 4 + contentLength(pending.substr(0, head_end));
          continue;
        }
        if (!readable(fd)) return;
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return;  // the client closed
        pending.append(buffer, static_cast<size_t>(n));
      }
      const std::string request = pending.substr(0, total);
      pending.erase(0, total);
      ++requests_;
      const Answer answer = script_(request, index);
      if (answer.after == After::Drop) return;
      for (size_t sent = 0; sent < answer.bytes.size();) {
        const auto n = ::send(fd, answer.bytes.data() + sent, answer.bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<size_t>(n);
      }
      if (answer.after == After::Close) return;
    }
  }

  static size_t contentLength(const std::string& head) {
    for (size_t at = 0; (at = head.find("\r\n", at)) != std::string::npos; at += 2) {
      static const std::string kName = "content-length:";
      std::string line = head.substr(at + 2, kName.size());
      for (auto& c : line) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (line == kName) return std::strtoul(head.c_str() + at + 2 + kName.size(), nullptr, 10);
    }
    return 0;
  }

  Script script_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::atomic<int> closed_{0};
  std::thread accepter_;
  std::mutex mutex_;
  std::vector<std::thread> workers_;
};

}  // namespace liaison::http::testing
