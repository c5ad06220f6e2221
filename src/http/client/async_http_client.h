#pragma once
// Outbound HTTP on an event loop: send() returns at once and the answer comes to a callback on
// the loop's thread, so a call waiting on another server holds no thread. The server gives one
// to each request it answers asynchronously (http::AsyncHandler); a client is used only from the
// thread of its loop.
#include <cstddef>
#include <functional>

#include "core/result.h"
#include "http/client/http_client.h"

namespace liaison::http {

class AsyncHttpClient {
 public:
  using Done = std::function<void(Result<StreamedResponse>)>;
  virtual ~AsyncHttpClient() = default;
  // Sends `request` (its body whole: `body_stream` is not read) and calls `done` once, on the
  // loop's thread: with a transport failure (refused, timeout, reset), or with the answer. An
  // answer of up to `whole_body_limit` bytes comes once it is complete, and reading its body
  // never waits; a larger one, or one whose size is not known before that many bytes arrived,
  // comes as soon as that is clear, its body read as it arrives (reads then wait: never on the
  // loop's thread). `request.timeout` bounds the wait for the headers and each silence after.
  virtual void send(ClientRequest request, Done done) = 0;
};

}  // namespace liaison::http
