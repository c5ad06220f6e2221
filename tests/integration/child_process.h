#pragma once
// The `liaison` binary as a child process, owned by an RAII guard: whatever way a test leaves
// (a failed ASSERT, an exception), the child is killed and reaped, so no test leaves a server
// running or a port taken. Every wait on the child's output or exit has a deadline, so a child
// that hangs fails the test instead of stalling it.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace liaison::testing {

// Generous: only a hang takes this long; a healthy sandbox starts in milliseconds.
inline constexpr std::chrono::seconds kChildDeadline{30};

class ChildProcess {
 public:
  // Runs LIAISON_BINARY with `args`; stdout is read through readLine/readAll. stderr goes to
  // `stderr_file` when given (so a test can read the log), else to the test's own stderr.
  explicit ChildProcess(const std::vector<std::string>& args, const std::string& stderr_file = "") {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;  // close-on-exec: other children never hold it open
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    if (!stderr_file.empty()) {
      posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file.c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0600);
    }
    std::string binary = LIAISON_BINARY;
    std::vector<std::string> copy = args;
    std::vector<char*> argv = {binary.data()};
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);  // SIGKILL cannot be caught: this returns
    }
    if (out_ >= 0) ::close(out_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  // For what a test does to the running child from outside (prlimit, /proc); -1 once reaped.
  pid_t pid() const { return pid_; }

  // The next line of stdout (with its newline); "" at end of output or when the deadline passes.
  std::string readLine(std::chrono::steady_clock::duration deadline = kChildDeadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      if (auto newline = buffer_.find('\n'); newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline + 1);
        buffer_.erase(0, newline + 1);
        return line;
      }
      if (!fill(until)) {
        std::string rest;
        rest.swap(buffer_);
        return rest;
      }
    }
  }

  // Everything up to the end of stdout (the child exited or closed it), within the deadline.
  std::string readAll(std::chrono::steady_clock::duration deadline = kChildDeadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (fill(until)) {
    }
    std::string all;
    all.swap(buffer_);
    return all;
  }

  // Sends `signal_number` (none: waits for the child to exit by itself) and reaps the child.
  // Returns the wait status; a child still running at the deadline is killed and counts as
  // killed by SIGKILL, so the caller's exit-status check fails.
  int stop(int signal_number = 0, std::chrono::steady_clock::duration deadline = kChildDeadline) {
    if (pid_ <= 0) return -1;
    if (signal_number != 0) ::kill(pid_, signal_number);
    readAll(deadline);  // the pipe reaches end of file when the child exits
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    return status;
  }

 private:
  // Reads what is available into buffer_; false at end of file, on error or past `until`.
  bool fill(std::chrono::steady_clock::time_point until) {
    if (out_ < 0) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[4096];
    const ssize_t n = ::read(out_, chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

// Sets environment variables for the children started while it lives.
class ScopedEnv {
 public:
  explicit ScopedEnv(std::vector<std::pair<std::string, std::string>> vars) : vars_(std::move(vars)) {
    for (const auto& [name, value] : vars_) ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : vars_) ::unsetenv(name.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::vector<std::pair<std::string, std::string>> vars_;
};

// The base URL from `liaison sandbox`'s banner ("... listening on http://..."), or "" when the
// child printed no banner within the deadline.
inline std::string bannerUrl(ChildProcess& child) {
  const std::string banner = child.readLine();
  const auto at = banner.find("http://");
  if (at == std::string::npos) return "";
  std::string url = banner.substr(at);
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.pop_back();
  return url;
}

inline std::vector<std::string> sandboxArgs(const std::vector<std::string>& extra,
                                            const std::string& listen = "127.0.0.1:0",
                                            const std::string& log_level = "warn") {
  std::vector<std::string> args = {"sandbox", "--listen", listen, "--log-level", log_level};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace liaison::testing
