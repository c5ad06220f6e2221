// The real binary out of file descriptors: the accept loop backs off instead of spinning, says
// so once (and once more when it recovers), keeps answering the connections it has, and accepts
// again once descriptors are free. The child's descriptor limit is lowered from outside
// (prlimit), just above what it has open, and the test's own connections use up the rest.
#include <sys/resource.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "integration/child_process.h"
#include "support/raw_http.h"
#include "support/temp_dir.h"

namespace liaison::testing {
namespace {

size_t openDescriptors(pid_t pid) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++n;
  }
  return n;
}

std::vector<std::string> logLinesWith(const std::string& file, const std::string& word) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (line.find(word) != std::string::npos) out.push_back(line);
  }
  return out;
}

// Waits until the log has a line with `word`; false at the deadline.
bool awaitLogLine(const std::string& file, const std::string& word, Deadline until) {
  while (std::chrono::steady_clock::now() < until) {
    if (!logLinesWith(file, word).empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// The log's last lines, for a failure message: a child that died at the descriptor limit (a
// sanitizer that needs a file to report, say) says why there.
std::string logTail(const std::string& file, size_t count = 15) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string tail;
  for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
    tail += lines[i] + "\n";
  }
  return tail;
}

// Each of the child's threads: state and where in the kernel it waits (futex: a lock or condition
// variable; ep_poll: an idle event loop), to tell a stuck thread from an idle one.
std::string threadStates(pid_t pid) {
  std::string out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    const char state = close != std::string::npos && close + 2 < line.size() ? line[close + 2] : '?';
    std::ifstream wchan(task.path() / "wchan");
    std::string where;
    std::getline(wchan, where);
    out += task.path().filename().string() + " " + state + " " + where + "\n";
  }
  return out;
}

// How many of `count` new connections are answered within 5 s each: connections are dealt to the
// I/O threads in turn, so one stuck thread leaves some unanswered.
int answeredOf(uint16_t port, int count) {
  int answered = 0;
  for (int i = 0; i < count; ++i) {
    RawConnection probe(port);
    if (probe.send(rawGet("/__sandbox/clock")) &&
        rawStatus(probe.readResponse(deadlineIn(std::chrono::seconds(5)))) == 200) {
      ++answered;
    }
  }
  return answered;
}

uint16_t portOf(const std::string& url) {
  return static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

// A sandbox process at info level whose descriptor limit leaves room for three more: three
// connections, then every accept fails with EMFILE.
class ProcessDescriptors : public ::testing::Test {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_ADDRESS__)
    // The sanitizers' runtime opens files lazily (its first check of a type, its reports), so in
    // a child whose descriptors are used up it can abort or stall a thread, which is the
    // sanitizer's doing, not the server's: in the sanitizer tier the first test below failed 2 of
    // 3 full runs while the child was alive and had answered every request, and never in 43 runs
    // on its own. The Release tier runs these; LIAISON_FD_TEST_UNDER_SANITIZERS=1 runs them here.
    if (std::getenv("LIAISON_FD_TEST_UNDER_SANITIZERS") == nullptr) {
      GTEST_SKIP() << "runs in the Release tier (set LIAISON_FD_TEST_UNDER_SANITIZERS=1 to run it here)";
    }
#endif
    // At info level the warm-up call below writes an access line, so the child has formatted a
    // log line before it runs out of descriptors: UBSan's type check (in the sanitizer build)
    // opens files the first time it meets the log buffer's type, and aborts when none are left.
    child_ =
        std::make_unique<ChildProcess>(sandboxArgs({"--profile", "fast"}, "127.0.0.1:0", "info"), log_file_);
    const std::string base = bannerUrl(*child_);
    ASSERT_FALSE(base.empty());
    port_ = portOf(base);
    {
      // One call first, so the count below includes whatever the first call may open.
      RawConnection warm_up(port_);
      ASSERT_TRUE(warm_up.send(rawGet("/__sandbox/clock")));
      ASSERT_EQ(rawStatus(warm_up.readResponse(deadlineIn(std::chrono::seconds(10)))), 200);
    }
    ASSERT_EQ(::prlimit(child_->pid(), RLIMIT_NOFILE, nullptr, &limit_), 0);
    limit_.rlim_cur = openDescriptors(child_->pid()) + 3;
    ASSERT_EQ(::prlimit(child_->pid(), RLIMIT_NOFILE, &limit_, nullptr), 0);
  }

  // Kills the child (it must still be alive) and returns the log's lines about accepting.
  std::vector<std::string> stopAndReadAcceptLines() {
    const int wait_status = child_->stop(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL)
        << "the child ended by itself (wait status " << wait_status << "); the log ends with:\n"
        << logTail(log_file_);
    return logLinesWith(log_file_, "accept");
  }

  TempDir dir_{"liaison-fds"};
  const std::string log_file_ = dir_.file("stderr.log");
  std::unique_ptr<ChildProcess> child_;
  uint16_t port_ = 0;
  rlimit limit_{};
};

TEST_F(ProcessDescriptors, OutOfDescriptorsTheServerBacksOffKeepsServingAndRecovers) {
  std::vector<std::unique_ptr<RawConnection>> connections;
  for (int i = 0; i < 20; ++i) {
    connections.push_back(std::make_unique<RawConnection>(port_));
    ASSERT_TRUE(connections.back()->send(rawGet("/__sandbox/clock")));
  }
  ASSERT_TRUE(awaitLogLine(log_file_, "accept failed", deadlineIn(std::chrono::seconds(10))))
      << "the server never ran out of descriptors (limit " << limit_.rlim_cur << ", open now "
      << openDescriptors(child_->pid()) << ")";

  // The connection accepted first is answered, and answered again while accepts still fail.
  RawConnection& first = *connections.front();
  EXPECT_EQ(rawStatus(first.readResponse(deadlineIn(std::chrono::seconds(10)))), 200);
  ASSERT_TRUE(first.send(rawGet("/__sandbox/clock")));
  EXPECT_EQ(rawStatus(first.readResponse(deadlineIn(std::chrono::seconds(10)))), 200);
  EXPECT_TRUE(logLinesWith(log_file_, "accepting connections again").empty());

  connections.clear();  // frees the server's descriptors as it sees each connection end
  // Accepting again: the queued connections (now closed) are taken, then a new one is answered.
  // The back-off is at most a second, so only a server that never recovers misses this deadline.
  const auto until = deadlineIn(std::chrono::seconds(20));
  int status = 0;
  while (status != 200 && std::chrono::steady_clock::now() < until) {
    RawConnection again(port_);
    if (again.send(rawGet("/__sandbox/clock"))) {
      status = rawStatus(again.readResponse(deadlineIn(std::chrono::seconds(5))));
    }
  }
  EXPECT_EQ(status, 200) << "the server did not answer new connections once descriptors were free";
  // Logged once accepts have gone two seconds without a failure.
  const bool settled =
      awaitLogLine(log_file_, "accepting connections again", deadlineIn(std::chrono::seconds(20)));
  EXPECT_TRUE(settled) << "the log ends with:\n" << logTail(log_file_);
  if (!settled) {
    ADD_FAILURE() << "threads (tid state wchan):\n"
                  << threadStates(child_->pid()) << answeredOf(port_, 4) << " of 4 new connections answered";
  }

  // Once when the episode starts and once when it is over, not once per attempt (a spinning loop
  // writes thousands of lines a second), even while the queued connections come and go.
  const auto lines = stopAndReadAcceptLines();
  EXPECT_EQ(lines.size(), 2u) << lines.size() << " log lines about accepting, the first: "
                              << (lines.empty() ? "" : lines.front());
}

// Linux fails accept() with EMFILE before it looks at the queue, so the accept that follows the
// one which used the last descriptor fails with nobody waiting. Once the held connections close,
// no connection may come for a long time: the episode must still be declared over.
TEST_F(ProcessDescriptors, AnEpisodeEndedWithNobodyQueuedIsDeclaredOverWithoutANewConnection) {
  // One connection at a time, each answered and held, until the accept after one fails: then
  // every connection made was accepted, and none is queued. (The warm-up's descriptor may still
  // have been open when they were counted, so the limit can leave room for one more.)
  std::vector<std::unique_ptr<RawConnection>> held;
  bool failed = false;
  for (int i = 0; i < 8 && !failed; ++i) {
    held.push_back(std::make_unique<RawConnection>(port_));
    ASSERT_TRUE(held.back()->send(rawGet("/__sandbox/clock")));
    ASSERT_EQ(rawStatus(held.back()->readResponse(deadlineIn(std::chrono::seconds(10)))), 200)
        << "connection " << i + 1 << " was not answered";
    failed = awaitLogLine(log_file_, "accept failed", deadlineIn(std::chrono::seconds(1)));
  }
  ASSERT_TRUE(failed) << "the server never ran out of descriptors (limit " << limit_.rlim_cur << ")";

  held.clear();
  // Nobody connects now. The retries (at most a second apart) find descriptors free and nothing
  // queued; two seconds later the episode is over.
  const bool settled =
      awaitLogLine(log_file_, "accepting connections again", deadlineIn(std::chrono::seconds(20)));
  EXPECT_TRUE(settled) << "the log ends with:\n" << logTail(log_file_);
  EXPECT_EQ(answeredOf(port_, 4), 4);
  EXPECT_EQ(stopAndReadAcceptLines().size(), 2u);
}

}  // namespace
}  // namespace liaison::testing
