#include "http/client/loop_client.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "http/client/curl_transfer.h"
#include "http/client/loop_pipe.h"

namespace liaison::http {
namespace {

namespace asio = boost::asio;

class CurlLoopClient;

struct Transfer {
  CurlLoopClient* client = nullptr;
  CURL* easy = nullptr;
  ClientRequest request;  // curl reads the body from here
  curl_slist* header_list = nullptr;
  curl::HeaderSink sink;
  int sends = 0;
  AsyncHttpClient::Done done;
  std::shared_ptr<LoopPipe> pipe = std::make_shared<LoopPipe>();
  bool handing_over = false;  // large: handed over as a stream after the current curl step
  bool handed_over = false;   // `done` was called
};

class CurlLoopClient final : public AsyncHttpClient {
 public:
  CurlLoopClient(asio::io_context& loop, LoopClientOptions options)
      : loop_(loop), options_(options), timer_(loop) {
    curl::initOnce();
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, onSocket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, onTimer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  }

  ~CurlLoopClient() override {
    alive_.reset();  // handlers still queued on the loop find the client gone
    for (auto& [easy, transfer] : transfers_) {
      curl_multi_remove_handle(multi_, easy);
      endPipe(*transfer, CURLE_ABORTED_BY_CALLBACK);
      curl_slist_free_all(transfer->header_list);
      curl_easy_cleanup(easy);
    }
    transfers_.clear();
    for (CURL* easy : idle_) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi_);  // closes the kept connections through onClose
    for (auto& [socket, entry] : watches_) entry->descriptor.release();  // curl's to close, not the loop's
    watches_.clear();
  }
  CurlLoopClient(const CurlLoopClient&) = delete;
  CurlLoopClient& operator=(const CurlLoopClient&) = delete;

  void send(ClientRequest request, Done done) override {
    auto transfer = std::make_shared<Transfer>();
    transfer->client = this;
    transfer->request = std::move(request);
    transfer->request.body_stream.reset();
    transfer->done = std::move(done);
    transfer->easy = takeEasy();
    if (multi_ == nullptr || transfer->easy == nullptr) {
      asio::post(loop_, [done = std::move(transfer->done)] {
        done(makeError(ErrorCode::Internal, "curl", "curl init failed"));
      });
      return;
    }
    CURL* curl = transfer->easy;
    transfer->header_list = curl::prepare(curl, transfer->request, transfer->sink);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onChunk);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, transfer.get());
    curl_easy_setopt(curl, CURLOPT_PREREQFUNCTION, curl::onRequestSent);
    curl_easy_setopt(curl, CURLOPT_PREREQDATA, &transfer->sends);
    curl_easy_setopt(curl, CURLOPT_PRIVATE, transfer.get());
    curl_easy_setopt(curl, CURLOPT_CLOSESOCKETFUNCTION, onClose);
    curl_easy_setopt(curl, CURLOPT_CLOSESOCKETDATA, this);
    const long timeout_ms = static_cast<long>(transfer->request.timeout.count());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, timeout_ms / 1000));
    transfers_[curl] = transfer;
    // curl asks for a timer of 0 here: the request goes out on the loop's next turn, and `done`
    // never runs inside send().
    curl_multi_add_handle(multi_, curl);
  }

 private:
  // A socket curl uses, registered with the loop while curl has it open.
  struct Watch {
    explicit Watch(asio::io_context& loop) : descriptor(loop) {}
    asio::posix::stream_descriptor descriptor;
    int want = 0;  // CURL_POLL_IN / OUT / INOUT; 0 once curl needs no events
    bool reading = false;
    bool writing = false;
  };

  static int onSocket(CURL*, curl_socket_t socket, int what, void* self, void*) {
    static_cast<CurlLoopClient*>(self)->watch(socket, what);
    return 0;
  }

  // curl moves its timer on nearly every step of every transfer; each move of the loop's earliest
  // timer is a system call (timerfd_settime). So a timer that would fire later than the one set
  // is left alone, and "now" is a post: curl takes a timeout that comes early in its stride (it
  // handles what is due and asks for the timer again).
  static int onTimer(CURLM*, long timeout_ms, void* user) {
    auto* self = static_cast<CurlLoopClient*>(user);
    if (timeout_ms < 0) return 0;  // an early timeout is harmless; cancelling costs a call
    if (timeout_ms == 0) {
      if (!self->run_now_posted_) {
        self->run_now_posted_ = true;
        asio::post(self->loop_, [self, alive = std::weak_ptr<bool>(self->alive_)] {
          if (alive.expired()) return;
          self->run_now_posted_ = false;
          self->act(CURL_SOCKET_TIMEOUT, 0);
        });
      }
      return 0;
    }
    const auto due = self->since_start_.elapsed() + std::chrono::milliseconds(timeout_ms);
    if (self->timer_armed_ && self->timer_due_ <= due) return 0;
    self->timer_armed_ = true;
    self->timer_due_ = due;
    self->timer_.expires_after(std::chrono::milliseconds(timeout_ms));
    self->timer_.async_wait(
        [self, alive = std::weak_ptr<bool>(self->alive_)](const boost::system::error_code& ec) {
          if (ec || alive.expired()) return;
          self->timer_armed_ = false;
          self->act(CURL_SOCKET_TIMEOUT, 0);
        });
    return 0;
  }

  // curl closes a socket: the loop lets go of it first, or a new socket with the same number
  // would meet a stale registration.
  static int onClose(void* user, curl_socket_t socket) {
    auto* self = static_cast<CurlLoopClient*>(user);
    if (auto found = self->watches_.find(socket); found != self->watches_.end()) {
      found->second->descriptor.release();  // also cancels its waits
      self->watches_.erase(found);
    }
    return ::close(socket);
  }

  static size_t onChunk(char* data, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const size_t n = size * count;
    LoopPipe& pipe = *transfer->pipe;
    {
      std::lock_guard lock(pipe.mutex);
      if (pipe.abandoned) return 0;  // not what curl offered: the transfer fails
      if (transfer->handed_over && pipe.unread() >= transfer->client->options_.whole_body_limit) {
        pipe.paused = true;
        return CURL_WRITEFUNC_PAUSE;  // curl keeps these bytes and offers them again on resume
      }
      pipe.bytes.append(data, n);
    }
    pipe.changed.notify_all();
    if (!transfer->handed_over && !transfer->handing_over) {
      curl_off_t length = -1;
      curl_easy_getinfo(transfer->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
      const auto limit = static_cast<curl_off_t>(transfer->client->options_.whole_body_limit);
      if (length > limit || static_cast<curl_off_t>(pipe.unread()) > limit) {
        transfer->handing_over = true;
        transfer->client->ready_.push_back(transfer->easy);
      }
    }
    return n;
  }

  void watch(curl_socket_t socket, int what) {
    if (what == CURL_POLL_REMOVE) {
      // curl may keep the socket (an idle kept-alive connection); a wait still pending ends
      // with one harmless socket action.
      if (auto found = watches_.find(socket); found != watches_.end()) found->second->want = 0;
      return;
    }
    auto& entry = watches_[socket];
    if (!entry) {
      entry = std::make_shared<Watch>(loop_);
      boost::system::error_code ec;
      entry->descriptor.assign(socket, ec);
      if (ec) {  // not a socket the loop can watch: curl's own timeouts end the transfer
        watches_.erase(socket);
        return;
      }
    }
    entry->want = what;
    arm(socket, entry);
  }

  void arm(curl_socket_t socket, const std::shared_ptr<Watch>& entry) {
    waitFor(socket, entry, CURL_POLL_IN, asio::posix::stream_descriptor::wait_read, entry->reading,
            CURL_CSELECT_IN);
    waitFor(socket, entry, CURL_POLL_OUT, asio::posix::stream_descriptor::wait_write, entry->writing,
            CURL_CSELECT_OUT);
  }

  // Waits for `type` on the socket if curl wants `poll` and no such wait is pending (`waiting`).
  void waitFor(curl_socket_t socket, const std::shared_ptr<Watch>& entry, int poll,
               asio::posix::stream_descriptor::wait_type type, bool& waiting, int event) {
    if ((entry->want & poll) == 0 || waiting) return;
    waiting = true;
    entry->descriptor.async_wait(type, [this, socket, event, weak = std::weak_ptr<Watch>(entry),
                                        alive = std::weak_ptr<bool>(alive_)](const auto& ec) {
      if (!alive.expired()) ready(socket, weak, ec, event);
    });
  }

  void ready(curl_socket_t socket, const std::weak_ptr<Watch>& weak, const boost::system::error_code& ec,
             int event) {
    auto entry = weak.lock();
    if (!entry) return;  // curl closed the socket meanwhile
    (event == CURL_CSELECT_IN ? entry->reading : entry->writing) = false;
    if (ec) return;
    act(socket, event);
    if (auto found = watches_.find(socket); found != watches_.end() && found->second == entry)
      arm(socket, entry);
  }

  // One curl step for `socket` (or for its timers), then the answers it completed. Callbacks
  // run here, outside curl: one may send again.
  void act(curl_socket_t socket, int events) {
    int running = 0;
    curl_multi_socket_action(multi_, socket, events, &running);
    std::vector<std::pair<std::shared_ptr<Transfer>, CURLcode>> finished;
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      if (auto found = transfers_.find(message->easy_handle); found != transfers_.end()) {
        finished.emplace_back(found->second, message->data.result);
      }
    }
    auto large = std::move(ready_);
    ready_.clear();
    for (CURL* easy : large) {
      auto found = transfers_.find(easy);
      if (found != transfers_.end() && !found->second->handed_over) handOver(*found->second);
    }
    for (auto& [transfer, result] : finished) {
      endPipe(*transfer, result);
      if (!transfer->handed_over) {
        if (transfer->sink.complete) {
          handOver(*transfer);  // whole; a body that broke off fails its reader
        } else {
          auto done = std::move(transfer->done);
          transfer->handed_over = true;
          done(curl::transportError(result == CURLE_OK ? CURLE_GOT_NOTHING : result));
        }
      }
      release(*transfer);
    }
  }

  void handOver(Transfer& transfer) {
    transfer.handed_over = true;
    StreamedResponse answer;
    long status = 0;
    curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &status);
    answer.status = static_cast<int>(status);
    answer.headers = std::move(transfer.sink.headers);
    std::weak_ptr<Transfer> weak = transfers_.at(transfer.easy);
    asio::io_context& loop = loop_;
    answer.body = std::make_unique<LoopPipeBodyStream>(transfer.pipe, [&loop, weak] {
      asio::post(loop, [weak] {
        if (auto alive = weak.lock()) curl_easy_pause(alive->easy, CURLPAUSE_CONT);
      });
    });
    auto done = std::move(transfer.done);
    done(std::move(answer));
  }

  static void endPipe(Transfer& transfer, CURLcode result) {
    if (result == CURLE_OK) {
      transfer.pipe->finish();
    } else {
      transfer.pipe->finish(curl::transportError(result));
    }
  }

  // The transfer is over: its handle goes back for the next one (the multi keeps the connection).
  void release(Transfer& transfer) {
    CURL* easy = transfer.easy;
    curl_multi_remove_handle(multi_, easy);
    curl_slist_free_all(transfer.header_list);
    transfer.header_list = nullptr;
    curl_easy_reset(easy);
    if (idle_.size() < kMaxIdle) {
      idle_.push_back(easy);
    } else {
      curl_easy_cleanup(easy);
    }
    transfers_.erase(easy);  // last: `transfer` may be the map's own reference
  }

  CURL* takeEasy() {
    if (idle_.empty()) return curl_easy_init();
    CURL* easy = idle_.back();
    idle_.pop_back();
    return easy;
  }

  static constexpr size_t kMaxIdle = 64;
  asio::io_context& loop_;
  LoopClientOptions options_;
  asio::steady_timer timer_;
  bool timer_armed_ = false;
  Stopwatch since_start_;                  // the timer's deadlines, on a monotonic clock
  std::chrono::microseconds timer_due_{};  // when the armed timer fires, on since_start_
  bool run_now_posted_ = false;
  // Every handler left on the loop checks it first: the client may be gone by the time it runs.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  CURLM* multi_ = nullptr;
  std::unordered_map<CURL*, std::shared_ptr<Transfer>> transfers_;
  std::unordered_map<curl_socket_t, std::shared_ptr<Watch>> watches_;
  std::vector<CURL*> ready_;  // transfers with large answers to hand over after this step
  std::vector<CURL*> idle_;
};

}  // namespace

std::unique_ptr<AsyncHttpClient> makeCurlLoopClient(asio::io_context& loop, LoopClientOptions options) {
  return std::make_unique<CurlLoopClient>(loop, options);
}

}  // namespace liaison::http
