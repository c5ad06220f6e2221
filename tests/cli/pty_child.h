#pragma once
// The `liaison` binary run under a pseudo-terminal, as a person at a terminal runs it: isatty()
// is true in the child, so it draws what it draws for people. Owned by an RAII guard that kills
// and reaps the child on every way out of a test; every read has a deadline.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

extern char** environ;

namespace liaison::testing {

class PtyChild {
 public:
  explicit PtyChild(const std::vector<std::string>& args) {
    // Everything exec needs is made before fork: the child of a threaded process may only exec.
    std::string binary = LIAISON_BINARY;
    std::vector<std::string> copy = args;
    std::vector<char*> argv = {binary.data()};
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      ::execve(binary.c_str(), argv.data(), environ);
      ::_exit(127);
    }
    if (master_ >= 0) ::fcntl(master_, F_SETFD, FD_CLOEXEC);  // later children never hold it
  }
  ~PtyChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (master_ >= 0) ::close(master_);
  }
  PtyChild(const PtyChild&) = delete;
  PtyChild& operator=(const PtyChild&) = delete;

  bool started() const { return pid_ > 0 && master_ >= 0; }
  const std::string& output() const { return output_; }

  // Reads until `text` is in the output; false at end of output or past the deadline.
  bool readUntil(const std::string& text, std::chrono::steady_clock::duration deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (output_.find(text) == std::string::npos) {
      if (!fill(until)) return false;
    }
    return true;
  }

  // Reads to the end of output, then reaps the child; a child still running at the deadline is
  // killed (and so fails the caller's exit-status check). Returns the wait status.
  int finish(std::chrono::steady_clock::duration deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (fill(until)) {
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    return status;
  }

 private:
  // At the child's exit the master reads EIO: that is the end of output.
  bool fill(std::chrono::steady_clock::time_point until) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (master_ < 0 || left.count() <= 0) return false;
    pollfd p{master_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[4096];
    const ssize_t n = ::read(master_, chunk, sizeof chunk);
    if (n <= 0) return false;
    output_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int master_ = -1;
  std::string output_;
};

}  // namespace liaison::testing
