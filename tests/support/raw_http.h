#pragma once
// HTTP/1.1 over a raw loopback socket, for tests that need many requests in flight at once or a
// connection held open while the server is starved: each RawConnection sends bytes and reads
// whole responses, and every wait ends at a deadline, so a server that never answers fails the
// test instead of hanging it. The socket is closed on destruction, whatever way the test left.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace liaison::testing {

using Deadline = std::chrono::steady_clock::time_point;

inline Deadline deadlineIn(std::chrono::steady_clock::duration from_now) {
  return std::chrono::steady_clock::now() + from_now;
}

// "GET <target>" with a Host header, kept alive.
inline std::string rawGet(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; connected() says whether it worked. A loopback connect completes
  // in the kernel (the listen backlog), even while the server accepts nothing.
  explicit RawConnection(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) close();
  }
  ~RawConnection() { close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool send(const std::string& bytes) {
    size_t sent = 0;
    while (fd_ >= 0 && sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return fd_ >= 0;
  }

  // Whether the server has sent anything not read yet (or closed), without waiting.
  bool answered() const {
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    return !buffer_.empty() || ::poll(&p, 1, 0) > 0;
  }

  // The next whole response (head and Content-Length body), or nullopt when the connection ends
  // or the deadline passes first.
  std::optional<std::string> readResponse(Deadline until) {
    for (;;) {
      if (auto response = takeResponse()) return response;
      if (!fill(until)) return std::nullopt;
    }
  }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  std::optional<std::string> takeResponse() {
    const auto head_end = buffer_.find("\r\n\r\n");
    if (head_end == std::string::npos) return std::nullopt;
    size_t length = 0;
    std::string head = buffer_.substr(0, head_end);
    for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (const auto at = head.find("\r\ncontent-length:"); at != std::string::npos) {
      length = std::strtoul(head.c_str() + at + 17, nullptr, 10);
    }
    const size_t total = head_end + 4 + length;
    if (buffer_.size() < total) return std::nullopt;
    std::string response = buffer_.substr(0, total);
    buffer_.erase(0, total);
    return response;
  }

  bool fill(Deadline until) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (fd_ < 0 || left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

// The status code of a raw response ("HTTP/1.1 200 OK" → 200), 0 when there is none.
inline int rawStatus(const std::optional<std::string>& response) {
  if (!response || response->size() < 12 || response->rfind("HTTP/1.1 ", 0) != 0) return 0;
  return std::atoi(response->c_str() + 9);
}

}  // namespace liaison::testing
