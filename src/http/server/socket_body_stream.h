#pragma once
// The body of a request that streams, read from its connection (only server.cpp includes it:
// Beast stays in src/http/server).
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>

#include "http/message.h"

namespace liaison::http::server_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// A request body read from the connection while the handler runs on the blocking pool: each
// read() runs one read on the connection's I/O thread (where the session waits for the handler) and
// blocks the calling thread until it is done. close() (on that thread, once the handler returned)
// makes later reads fail instead of touching a connection that may be gone.
class SocketBodyStream final : public BodyStream {
 public:
  SocketBodyStream(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                   bhttp::request_parser<bhttp::buffer_body>& parser, std::chrono::seconds timeout)
      : executor_(stream.get_executor()),
        stream_(stream),
        buffer_(buffer),
        parser_(parser),
        timeout_(timeout) {}

  Result<size_t> read(char* out, size_t size) override {
    std::lock_guard lock(reading_);
    // Shared with the handlers: the one that sets the value may still be inside set_value() when
    // this thread wakes and returns.
    auto done = std::make_shared<std::promise<Result<size_t>>>();
    auto result = done->get_future();
    asio::post(executor_, [this, done, out, size] {
      if (closed_)
        return done->set_value(makeError(ErrorCode::Internal, "http.body_closed", "The request is over."));
      if (parser_.is_done() || size == 0) return done->set_value(size_t{0});
      parser_.get().body().data = out;
      parser_.get().body().size = size;
      stream_.expires_after(timeout_);
      bhttp::async_read(stream_, buffer_, parser_, [this, done, size](beast::error_code ec, size_t) {
        if (ec == bhttp::error::need_buffer) ec = {};
        if (ec == bhttp::error::body_limit) {
          return done->set_value(makeError(ErrorCode::PayloadTooLarge, "http.status.payload_too_large",
                                           "Request body is too large."));
        }
        if (ec) {
          return done->set_value(makeError(ErrorCode::InvalidRequest, "http.body_incomplete",
                                           "The request body ended before it was complete."));
        }
        done->set_value(size - parser_.get().body().size);
      });
    });
    return result.get();
  }

  void close() { closed_ = true; }

 private:
  asio::any_io_executor executor_;
  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  bhttp::request_parser<bhttp::buffer_body>& parser_;
  std::chrono::seconds timeout_;
  std::mutex reading_;
  bool closed_ = false;  // touched only on the connection's I/O thread
};

}  // namespace liaison::http::server_detail
