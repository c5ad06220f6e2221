#pragma once
// A streamed answer's body between an event-loop client, which writes what arrives on the loop's
// thread, and the answer's reader on any other thread. The writer stops taking bytes while the
// reader has a limit's worth unread (memory stays bounded whatever the body's size) and the reader
// resumes it by taking them. Only files in src/http/client include it.
#include <condition_variable>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/result.h"
#include "http/message.h"

namespace liaison::http {

struct LoopPipe {
  std::mutex mutex;
  std::condition_variable changed;
  std::string bytes;  // from `offset` on: not read yet
  size_t offset = 0;
  bool finished = false;         // the transfer ended; `failure` says whether it broke off
  std::optional<Error> failure;  // set with `finished` when the body did not arrive whole
  bool paused = false;           // the writer holds further bytes until the reader has taken these
  bool abandoned = false;        // the reader went away: the writer ends the transfer
  size_t unread() const { return bytes.size() - offset; }

  bool readerGone() {
    std::lock_guard lock(mutex);
    return abandoned;
  }

  // The writer's end: the body is complete, or broke off with `error`.
  void finish(std::optional<Error> error = std::nullopt) {
    {
      std::lock_guard lock(mutex);
      if (finished) return;
      finished = true;
      failure = std::move(error);
    }
    changed.notify_all();
  }
};

// The reader's end. `resume` asks the loop (from the reader's thread) to take bytes again after
// a pause; it is also called once if the reader goes away while the writer is paused, so the
// writer sees `abandoned` and ends the transfer.
class LoopPipeBodyStream final : public BodyStream {
 public:
  // Made on the loop's thread, whose id it keeps.
  LoopPipeBodyStream(std::shared_ptr<LoopPipe> pipe, std::function<void()> resume)
      : pipe_(std::move(pipe)), resume_(std::move(resume)), loop_thread_(std::this_thread::get_id()) {}
  ~LoopPipeBodyStream() override {
    std::unique_lock lock(pipe_->mutex);
    pipe_->abandoned = true;
    if (pipe_->paused && !pipe_->finished) {
      pipe_->paused = false;
      lock.unlock();
      resume_();
    }
  }
  LoopPipeBodyStream(const LoopPipeBodyStream&) = delete;
  LoopPipeBodyStream& operator=(const LoopPipeBodyStream&) = delete;

  Result<size_t> read(char* out, size_t size) override {
    std::unique_lock lock(pipe_->mutex);
    for (;;) {
      if (pipe_->unread() > 0) {
        const size_t n = std::min(size, pipe_->unread());
        std::memcpy(out, pipe_->bytes.data() + pipe_->offset, n);
        pipe_->offset += n;
        if (pipe_->unread() == 0) {
          pipe_->bytes.clear();
          pipe_->offset = 0;
        }
        return n;
      }
      if (pipe_->finished) {
        if (pipe_->failure) return *pipe_->failure;
        return size_t{0};
      }
      if (pipe_->paused) {
        pipe_->paused = false;
        lock.unlock();
        resume_();
        lock.lock();
        continue;
      }
      // Waiting on the loop's own thread would stop the loop that brings the bytes: a caller's
      // mistake, which fails the read instead of hanging the thread.
      if (std::this_thread::get_id() == loop_thread_) {
        return makeError(ErrorCode::Internal, "http.read_would_block_loop",
                         "A streamed answer was read on its event loop before it arrived.");
      }
      // The client's own timeouts end a silent answer, which wakes this wait.
      pipe_->changed.wait(lock);
    }
  }

 private:
  std::shared_ptr<LoopPipe> pipe_;
  std::function<void()> resume_;
  std::thread::id loop_thread_;
};

}  // namespace liaison::http
