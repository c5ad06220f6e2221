#pragma once
// Answering a request later: a route whose work waits on another server (the hub's proxy waiting
// on CC) answers through a Reply instead of returning, so the wait holds no thread. The server
// calls an AsyncHandler on the I/O thread that read the request, with that thread's event-loop
// client; the handler starts its calls and returns at once, and answers from a callback.
#include <atomic>
#include <functional>
#include <memory>

#include "http/client/async_http_client.h"
#include "http/message.h"

namespace liaison::http {

class Reply {
 public:
  // What the server gives each reply: how an answer gets back to the connection (from any
  // thread), how work goes to the blocking pool, and what a reply dropped unanswered says.
  struct State {
    std::function<void(Response)> answer;
    std::function<void(std::function<void()>)> run_blocking;
    // The 500 in the application's format, made only when needed (most replies are answered).
    std::function<Response()> unanswered;
    std::atomic<bool> answered{false};
    ~State();
  };

  explicit Reply(std::shared_ptr<State> state) : state_(std::move(state)) {}
  // Answers the request, from any thread. Only the first answer counts; the handler must not
  // touch the request after it (the server may be reading the next one).
  void operator()(Response response) const;
  // Runs `work` on the server's blocking pool (it may wait on disk or sleep) and answers with what
  // it returns (500 if it throws). The request stays valid until then.
  void offload(std::function<Response()> work) const;

 private:
  std::shared_ptr<State> state_;
};

// `upstream` is the calling I/O thread's client: used only from that thread (its callbacks come
// back on it). A reply dropped without an answer answers 500, so a request never hangs.
using AsyncHandler = std::function<void(Request& request, AsyncHttpClient& upstream, Reply reply)>;

}  // namespace liaison::http
