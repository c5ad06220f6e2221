#include "http/server/server.h"

#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "http/client/loop_client.h"
#include "http/server/socket_body_stream.h"
#include "http/status.h"

namespace liaison::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

using server_detail::SocketBodyStream;

namespace {

struct SessionState {
  beast::tcp_stream* stream = nullptr;
  bool busy = false;  // touched only on the session's I/O thread
};

Request toRequest(const bhttp::request<bhttp::empty_body>& in) {
  Request r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  for (const auto& field : in) {
    r.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  return r;
}

bool isSafeRequestId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

Response defaultErrorResponse(const Error& error) {
  return Response::json(statusFor(error.code),
                        nlohmann::json{{"error", error.key}, {"message", error.message}});
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, DispatchFn dispatch)
      : options_(std::move(options)),
        dispatch_(std::move(dispatch)),
        blocking_(static_cast<size_t>(std::max(1, options_.blocking_threads))),
        workers_(makeWorkers(options_.io_threads)),
        ioc_(*workers_.front()),
        acceptor_(ioc_),
        accept_timer_(ioc_),
        settle_timer_(ioc_),
        grace_timer_(ioc_),
        id_prefix_(makeIdPrefix()) {
    for (auto& worker : workers_) {
      guards_.emplace_back(worker->get_executor());
      loop_clients_.push_back(makeLoopClient(*worker));
      // Each worker's reactor (its epoll, eventfd and timerfd) is made now, not with the first
      // connection the worker is dealt: made then, it would take descriptors exactly when they
      // may have run out.
      tcp::socket reactor_probe(*worker);
    }
  }

  uint16_t bind() {
    // Bound already (an application that needed its port before building its handler).
    if (acceptor_.is_open()) return port_;
    tcp::endpoint endpoint(asio::ip::make_address(options_.host), options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
    return port_;
  }

  void run() {
    asio::co_spawn(ioc_, acceptLoop(), asio::detached);
    for (auto& worker : workers_) threads_.emplace_back([&worker] { worker->run(); });
  }

  uint16_t port() const { return port_; }

  void stop() {
    asio::post(ioc_, [this] {
      if (stopping_.exchange(true)) return;
      beast::error_code ec;
      acceptor_.close(ec);
      accept_timer_.cancel();
      settle_timer_.cancel();
      closeIdleSessions();
      grace_timer_.expires_after(options_.shutdown_grace);
      grace_timer_.async_wait([this](beast::error_code wait_ec) {
        // Either every connection has finished (the timer was cancelled) or the grace period is
        // over: let the worker threads run dry, or stop them outright.
        for (auto& guard : guards_) guard.reset();
        if (!wait_ec) {
          spdlog::warn("shutdown grace period over; dropping {} busy connection(s)", active_.load());
          for (auto& worker : workers_) worker->stop();
        }
      });
      if (active_ == 0) grace_timer_.cancel();
    });
  }

  void wait() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
    blocking_.join();
  }

 private:
  // One io_context per I/O thread, each run by that thread alone (like nginx workers): no
  // cross-thread wake-ups or reactor lock contention. Connections are dealt round-robin.
  static std::vector<std::unique_ptr<asio::io_context>> makeWorkers(int requested) {
    const int n =
        requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::unique_ptr<asio::io_context>> workers;
    for (int i = 0; i < n; ++i) workers.push_back(std::make_unique<asio::io_context>(1));
    return workers;
  }

  static std::string makeIdPrefix() {
    // Request ids only need to be unique within a log; a per-process prefix from the
    // address of a stack variable and the thread id is enough, and costs nothing per request.
    return fmt::format("{:x}", reinterpret_cast<uintptr_t>(&makeIdPrefix) ^
                                   std::hash<std::thread::id>{}(std::this_thread::get_id()))
        .substr(0, 6);
  }

  // A failed accept (EMFILE: out of descriptors) leaves the connection queued, so retrying at once
  // spins a core and floods the log. The loop waits, doubling kFirstBackoff to kMaxBackoff, while
  // open connections are served (their closing frees descriptors). An episode logs twice: at its
  // first failure, and once accepts have gone kSettled without failing (at the limit they
  // alternate between working and failing as descriptors come and go). Linux fails accept() with
  // EMFILE before it looks at the queue, so an episode can end with nobody waiting to connect:
  // the quiet period starts when the loop goes back to accepting, not at the next connection.
  static constexpr std::chrono::milliseconds kFirstBackoff{5};
  static constexpr std::chrono::milliseconds kMaxBackoff{1000};
  static constexpr std::chrono::milliseconds kSettled{2000};

  asio::awaitable<void> acceptLoop() {
    std::chrono::milliseconds backoff{0};
    for (;;) {
      beast::error_code ec;
      std::optional<tcp::socket> socket;
      size_t worker = 0;
      try {
        worker = next_worker_++ % workers_.size();
        // No strand: each io_context is run by one thread, which already orders a connection's work.
        socket.emplace(workers_[worker]->get_executor());
        co_await acceptor_.async_accept(*socket, asio::redirect_error(asio::use_awaitable, ec));
      } catch (const boost::system::system_error& e) {
        ec = e.code();  // the loop must outlive any failure, or the server never accepts again
      }
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) co_return;
        noteAcceptFailed(ec);
        backoff = backoff.count() == 0 ? kFirstBackoff : std::min(backoff * 2, kMaxBackoff);
        accept_timer_.expires_after(backoff);
        co_await accept_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (stopping_) co_return;
        noteAcceptRetried();
        continue;
      }
      backoff = std::chrono::milliseconds(0);  // a working accept serves the queue at full speed
      socket->set_option(tcp::no_delay(true), ec);
      auto executor = socket->get_executor();
      ++active_;
      asio::co_spawn(executor, session(std::move(*socket), *loop_clients_[worker]),
                     [this](std::exception_ptr) {
                       if (--active_ == 0 && stopping_) grace_timer_.cancel();
                     });
    }
  }

  // Both run on ioc_, with the accept loop: no locking.
  void noteAcceptFailed(const beast::error_code& ec) {
    // Still failing: the episode goes on. A settle timer that has already expired cannot be
    // cancelled, so its completion checks the generation instead.
    ++settle_generation_;
    settling_ = false;
    settle_timer_.cancel();
    if (accept_failures_++ == 0) {
      spdlog::warn("accept failed: {}; retrying every {}-{} ms until it works, serving open connections",
                   ec.message(), kFirstBackoff.count(), kMaxBackoff.count());
    }
  }
  // Back to accepting after a back-off: the episode is over if no accept fails for kSettled.
  void noteAcceptRetried() {
    if (settling_) return;
    settling_ = true;
    settle_timer_.expires_after(kSettled);
    settle_timer_.async_wait([this, generation = settle_generation_](beast::error_code wait_ec) {
      if (wait_ec || generation != settle_generation_) return;
      spdlog::warn("accepting connections again after {} failed attempt(s)", accept_failures_);
      accept_failures_ = 0;
      settling_ = false;
    });
  }

  void closeIdleSessions() {
    std::lock_guard lock(sessions_mutex_);
    for (auto* s : sessions_) {
      asio::post(s->stream->get_executor(), [this, s] {
        // The session may have ended since: only touch it while it is still registered.
        std::lock_guard inner(sessions_mutex_);
        if (sessions_.count(s) && !s->busy) s->stream->cancel();
      });
    }
  }

  // `upstream`: the event-loop client of the worker the connection was dealt to.
  asio::awaitable<void> session(tcp::socket socket, AsyncHttpClient& upstream) {
    beast::tcp_stream stream(std::move(socket));
    beast::error_code ec;
    const std::string remote = stream.socket().remote_endpoint(ec).address().to_string();
    SessionState state{&stream, false};
    {
      std::lock_guard lock(sessions_mutex_);
      sessions_.insert(&state);
    }
    beast::flat_buffer buffer;
    for (;;) {
      if (stopping_) break;
      bhttp::request_parser<bhttp::empty_body> header_parser;
      header_parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
      // A Content-Length over the limit is refused here, before any of the body is read.
      header_parser.body_limit(options_.body_limit);
      stream.expires_after(options_.read_timeout);
      co_await bhttp::async_read_header(stream, buffer, header_parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
      state.busy = true;
      Response response;
      Request request;
      bool close = false;
      const Stopwatch started;
      if (ec == bhttp::error::header_limit) {
        response =
            renderError(makeError(ErrorCode::HeadersTooLarge, "http.status.request_header_fields_too_large",
                                  "Request header fields are too large."));
        close = true;
      } else if (ec == bhttp::error::body_limit) {
        response = tooLarge();
        close = true;
      } else if (isClosing(ec)) {
        break;
      } else if (ec) {
        if (ec.category() != bhttp::make_error_code(bhttp::error::bad_version).category()) break;
        response = unparsable();
        close = true;
      } else {
        const bool keep_alive = header_parser.get().keep_alive();
        request = toRequest(header_parser.get());
        request.remote_address = remote;
        auto incoming_id = request.header("X-Request-Id");
        request.request_id = incoming_id && isSafeRequestId(*incoming_id)
                                 ? *incoming_id
                                 : id_prefix_ + "-" + std::to_string(++request_counter_);
        Dispatch dispatch = dispatchFor(request);
        if (!header_parser.is_done() &&
            beast::iequals(request.header("Expect").value_or(""), "100-continue")) {
          // The client holds the body back until told to send it (curl waits a second otherwise).
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          stream.expires_after(options_.write_timeout);
          co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                                     asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
        }
        if (streamsBody(dispatch, header_parser)) {
          bhttp::request_parser<bhttp::buffer_body> body_parser{std::move(header_parser)};
          body_parser.body_limit(options_.body_limit);
          auto body = std::make_shared<SocketBodyStream>(stream, buffer, body_parser, options_.read_timeout);
          if (const auto length = body_parser.content_length()) request.body_size = *length;
          request.body_stream = body;
          response = co_await handle(dispatch, request);
          body->close();
          // Unread body bytes would be taken for the next request: this connection is done.
          if (!body_parser.is_done()) close = true;
        } else {
          if (!header_parser.is_done()) {
            bhttp::request_parser<bhttp::string_body> body_parser{std::move(header_parser)};
            body_parser.body_limit(options_.body_limit);
            stream.expires_after(options_.read_timeout);
            co_await bhttp::async_read(stream, buffer, body_parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
            if (isClosing(ec)) break;
            if (ec) {
              response = ec == bhttp::error::body_limit ? tooLarge() : unparsable();
              close = true;
            } else {
              request.body = std::move(body_parser.get().body());
            }
          }
          // Two statements, not one conditional expression: GCC 12 miscompiles co_await in `?:`.
          if (!close && dispatch.async_handler != nullptr) {
            response = co_await handleAsync(dispatch, request, upstream);
          } else if (!close) {
            response = co_await handle(dispatch, request);
          }
        }
        if (response.delay.count() > 0) {
          // Only this coroutine waits: however many answers are held back, no thread is, and
          // every other connection is answered meanwhile.
          beast::error_code delay_ec;
          asio::steady_timer delay(stream.get_executor(), response.delay);
          co_await delay.async_wait(asio::redirect_error(asio::use_awaitable, delay_ec));
        }
        close = close || !keep_alive || stopping_;
        if (response.abort_connection) {
          beast::error_code reset_ec;
          stream.socket().set_option(asio::socket_base::linger(true, 0), reset_ec);  // RST, not FIN
          stream.socket().close(reset_ec);
          break;
        }
      }
      size_t body_size = response.body.size();
      if (response.stream && request.method != "HEAD") {
        body_size = co_await writeStreamed(stream, request, response, close, ec);
      } else {
        bhttp::response<bhttp::string_body> out;
        head(out, request, response);
        if (request.method == "HEAD") {
          out.content_length(body_size);
        } else {
          out.body() = std::move(response.body);
          out.prepare_payload();
        }
        out.keep_alive(!close);
        stream.expires_after(options_.write_timeout);
        co_await bhttp::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
      }
      if (options_.access_log) {
        const auto micros = started.elapsed().count();
        // The path only: query strings can carry codes and tokens and never reach the log.
        spdlog::info("{} {} {} {} {} {}B {}us", request.request_id.empty() ? "-" : request.request_id, remote,
                     request.method.empty() ? "-" : request.method,
                     request.target.empty() ? "-" : std::string(request.path()), response.status, body_size,
                     micros);
      }
      state.busy = false;
      if (ec || close) break;
    }
    {
      std::lock_guard lock(sessions_mutex_);
      sessions_.erase(&state);
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  template <typename Message>
  static void head(Message& out, const Request& request, const Response& response) {
    out.result(static_cast<unsigned>(response.status));
    out.version(11);
    for (const auto& [name, value] : response.headers.pairs()) out.insert(name, value);
    out.set(bhttp::field::server, "liaison");
    if (!request.request_id.empty()) out.set("X-Request-Id", request.request_id);
  }

  // What one read of a streamed body gave: bytes, the end (0), or a failure.
  struct ChunkRead {
    size_t size = 0;
    bool failed = false;
  };

  // Sends `response.stream` chunked as it is read, each read on the blocking pool (it may wait
  // on upstream), each write on this connection's I/O thread. A body that fails midway ends the
  // connection without the last chunk, so the client sees it cut off, never complete. Returns
  // the bytes sent.
  asio::awaitable<size_t> writeStreamed(beast::tcp_stream& stream, const Request& request, Response& response,
                                        bool& close, beast::error_code& ec) {
    bhttp::response<bhttp::buffer_body> out;
    head(out, request, response);
    out.keep_alive(!close);
    out.chunked(true);
    out.body().data = nullptr;
    out.body().more = true;
    bhttp::response_serializer<bhttp::buffer_body> serializer{out};
    stream.expires_after(options_.write_timeout);
    co_await bhttp::async_write_header(stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
    std::vector<char> chunk(64 * 1024);
    size_t sent = 0;
    while (!ec) {
      ChunkRead got;
      try {
        got = co_await asio::co_spawn(
            blocking_,
            [&]() -> asio::awaitable<ChunkRead> {
              auto read = response.stream->read(chunk.data(), chunk.size());
              co_return read ? ChunkRead{*read, false} : ChunkRead{0, true};
            },
            asio::use_awaitable);
      } catch (const std::exception& e) {
        spdlog::error("{} streamed body failed: {}", request.request_id, e.what());
        got.failed = true;
      }
      if (got.failed) {
        close = true;
        ec = asio::error::connection_aborted;
        break;
      }
      out.body().data = got.size > 0 ? chunk.data() : nullptr;
      out.body().size = got.size;
      out.body().more = got.size > 0;
      stream.expires_after(options_.write_timeout);
      co_await bhttp::async_write(stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::need_buffer) ec = {};
      sent += got.size;
      if (got.size == 0) break;
    }
    co_return sent;
  }

  // The handler for `request`; one that answers 500 when the application's dispatch throws.
  Dispatch dispatchFor(Request& request) {
    try {
      return dispatch_(request);
    } catch (const std::exception& e) {
      spdlog::error("{} dispatch failed: {}", request.request_id, e.what());
    }
    return {&internal_error_, Execution::Inline, false};
  }

  bool streamsBody(const Dispatch& dispatch, const bhttp::request_parser<bhttp::empty_body>& parser) const {
    if (parser.is_done() || !dispatch.streams_body || dispatch.execution == Execution::Inline) return false;
    return parser.chunked() || parser.content_length().value_or(0) > options_.stream_body_above;
  }

  asio::awaitable<Response> handle(const Dispatch& dispatch, Request& request) {
    try {
      if (dispatch.execution != Execution::Inline) {
        // Work that may wait on disk runs on the blocking pool; the coroutine resumes on its
        // own I/O thread with the result.
        co_return co_await asio::co_spawn(
            blocking_, [&]() -> asio::awaitable<Response> { co_return (*dispatch.handler)(request); },
            asio::use_awaitable);
      }
      co_return (*dispatch.handler)(request);
    } catch (const std::exception& e) {
      spdlog::error("{} handler failed: {}", request.request_id, e.what());
    }
    co_return internal_error_(request);
  }

  // The handler answers through a Reply, from any thread; the session waits here, on its I/O thread,
  // holding no thread meanwhile.
  asio::awaitable<Response> handleAsync(const Dispatch& dispatch, Request& request,
                                        AsyncHttpClient& upstream) {
    auto executor = co_await asio::this_coro::executor;
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
        [&](auto handler) {
          using Handler = decltype(handler);
          auto resume = std::make_shared<Handler>(std::move(handler));
          auto state = std::make_shared<Reply::State>();
          state->answer = [resume, executor](Response response) {
            asio::post(executor, [resume, response = std::move(response)]() mutable {
              (*resume)(std::move(response));
            });
          };
          state->run_blocking = [this](std::function<void()> job) { asio::post(blocking_, std::move(job)); };
          state->unanswered = [this] { return internalError(); };
          Reply reply(state);
          state.reset();
          try {
            (*dispatch.async_handler)(request, upstream, reply);
          } catch (const std::exception& e) {
            spdlog::error("{} handler failed: {}", request.request_id, e.what());
            reply(internal_error_(request));
          }
        },
        asio::use_awaitable);
  }

  static bool isClosing(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
           ec == beast::error::timeout || ec == asio::error::connection_reset || ec == asio::error::eof ||
           ec == bhttp::error::partial_message;
  }
  Response tooLarge() const {
    return renderError(
        makeError(ErrorCode::PayloadTooLarge, "http.status.payload_too_large", "Request body is too large."));
  }
  Response unparsable() const {
    return renderError(makeError(ErrorCode::InvalidRequest, "http.status.bad_request",
                                 "The request could not be parsed as HTTP/1.1."));
  }

  Response renderError(const Error& error) const {
    return options_.render_error ? options_.render_error(error) : defaultErrorResponse(error);
  }

  ServerOptions options_;
  DispatchFn dispatch_;
  Response internalError() const {
    return renderError(
        makeError(ErrorCode::Internal, "http.status.internal_server_error", "An unexpected error occurred."));
  }
  Handler internal_error_ = [this](Request&) { return internalError(); };
  asio::thread_pool blocking_;
  std::vector<std::unique_ptr<asio::io_context>> workers_;
  asio::io_context& ioc_;  // the first worker also runs the acceptor and shutdown timer
  // One per worker, used on its thread only; destroyed before the workers, once they stopped.
  std::vector<std::unique_ptr<AsyncHttpClient>> loop_clients_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  size_t next_worker_ = 0;
  tcp::acceptor acceptor_;
  // The accept loop's back-off and failure episodes (see acceptLoop); on ioc_ like the loop.
  asio::steady_timer accept_timer_;
  asio::steady_timer settle_timer_;
  uint64_t accept_failures_ = 0;
  bool settling_ = false;
  uint64_t settle_generation_ = 0;
  asio::steady_timer grace_timer_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_{0};
  std::atomic<uint64_t> request_counter_{0};
  std::mutex sessions_mutex_;
  std::set<SessionState*> sessions_;
  uint16_t port_ = 0;
  std::string id_prefix_;
};

Server::Server(ServerOptions options, DispatchFn dispatch)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(dispatch))) {}
Server::~Server() {
  stop();
  wait();
}
uint16_t Server::bind() { return impl_->bind(); }
void Server::run() { impl_->run(); }
void Server::start() {
  impl_->bind();
  impl_->run();
}
uint16_t Server::port() const { return impl_->port(); }
void Server::stop() { impl_->stop(); }
void Server::wait() { impl_->wait(); }

void Server::runUntilSignalled(const std::function<void(uint16_t port)>& on_bound) {
  // Made before on_bound announces the server: whatever takes a descriptor at start-up has
  // taken it by then, so a process short of descriptors fails here, not once it is serving.
  boost::asio::io_context signal_ioc;
  boost::asio::signal_set signals(signal_ioc, SIGINT, SIGTERM);
  const uint16_t bound = bind();
  if (on_bound) on_bound(bound);
  run();
  signals.async_wait([this](const beast::error_code& ec, int signo) {
    if (!ec) {
      spdlog::info("signal {} received; shutting down", signo);
      stop();
    }
  });
  std::thread signal_thread([&] { signal_ioc.run(); });
  wait();
  signal_ioc.stop();
  signal_thread.join();
}

}  // namespace liaison::http
