// HTTP/1.1 without TLS on the loop's own sockets: the request written by hand (one write of the
// head and the body), the answer read with Beast's parser (into a string when its length is known
// and small, else chunk by chunk), kept-alive
// connections per host and port. Same contract as the curl loop client (async_http_client.h):
// answers on the loop, never inside send(); small answers whole, large ones streamed with bounded
// memory; a call on a reused connection that breaks is an error, never sent again behind the
// caller's back, and a POST or PATCH always takes a new connection.
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>
#include <limits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "http/client/loop_client.h"
#include "http/client/loop_pipe.h"
#include "http/client/plain_request.h"

namespace liaison::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Micros = std::chrono::microseconds;

constexpr size_t kChunk = 16 * 1024;
constexpr size_t kReadRoom = 64 * 1024;
constexpr Micros kMaxIdle = std::chrono::seconds(60);
constexpr auto kSweepEvery = std::chrono::milliseconds(100);  // how late a timeout may fire
constexpr Micros kNever = Micros::max();

Error transportError(std::string_view what, const error_code& ec) {
  return makeError(ErrorCode::Unavailable, "transport", std::string(what) + ": " + ec.message());
}
Error readerGone() {
  return makeError(ErrorCode::Unavailable, "transport", "The answer's reader went away.");
}
Error timeoutError() {
  return makeError(ErrorCode::Unavailable, "timeout", "The server did not answer in time.");
}

struct Connection {
  // Beast reads at most the buffer's free room (512 bytes at first) and the parser empties it as
  // it goes, so an unreserved buffer stays small and a 24 KB answer took some 20 reads.
  explicit Connection(asio::io_context& loop) : socket(loop) { buffer.reserve(kReadRoom); }
  tcp::socket socket;
  beast::flat_buffer buffer;  // bytes read but not parsed yet
  std::unique_ptr<char[]> chunk = std::make_unique<char[]>(kChunk);
  std::string key;  // host:port
  Micros idle_since{};
};

struct Call {
  ClientRequest request;
  AsyncHttpClient::Done done;
  PlainTarget target;
  std::string head;
  std::shared_ptr<Connection> connection;
  std::optional<bhttp::response_parser<bhttp::empty_body>> head_parser;    // until the header is in
  std::optional<bhttp::response_parser<bhttp::string_body>> whole_parser;  // a known, small length
  std::optional<bhttp::response_parser<bhttp::buffer_body>> parser;        // otherwise
  bool keep_alive = false;  // the answer was read to its end and the server keeps the connection
  int status = 0;
  Headers headers;
  std::string body;                // the answer so far, while it may still come whole
  std::shared_ptr<LoopPipe> pipe;  // once handed over as a stream
  Micros deadline = kNever;        // on the client's stopwatch
  bool over = false;               // nothing more happens for this call
};

class PlainLoopClient final : public AsyncHttpClient {
 public:
  PlainLoopClient(asio::io_context& loop, LoopClientOptions options)
      : loop_(loop), options_(options), resolver_(loop), sweep_(loop) {}

  ~PlainLoopClient() override {
    alive_.reset();  // handlers still queued on the loop find the client gone
    for (const auto& call : calls_) {
      call->over = true;
      close(*call->connection);
      if (call->pipe)
        call->pipe->finish(makeError(ErrorCode::Unavailable, "transport", "The client stopped."));
    }
    calls_.clear();
    for (auto& [key, connections] : idle_)
      for (auto& connection : connections) close(*connection);
    error_code ignored;
    sweep_.cancel(ignored);
    resolver_.cancel();
  }
  PlainLoopClient(const PlainLoopClient&) = delete;
  PlainLoopClient& operator=(const PlainLoopClient&) = delete;

  void send(ClientRequest request, Done done) override {
    auto call = std::make_shared<Call>();
    call->request = std::move(request);
    call->done = std::move(done);
    auto target = parsePlainUrl(call->request.url);
    auto head = target ? serializeHead(call->request, *target) : Result<std::string>(target.error());
    if (!head) {
      call->over = true;
      asio::post(loop_, [done = std::move(call->done), error = head.error()] { done(error); });
      return;
    }
    call->target = std::move(*target);
    call->head = std::move(*head);
    call->deadline = clock_.elapsed() + call->request.timeout;
    calls_.insert(call);
    armSweep();
    if (isRepeatable(call->request.method)) {
      if (auto kept = takeIdle(call->target.key)) {
        call->connection = std::move(kept);
        write(call);
        return;
      }
    }
    call->connection = std::make_shared<Connection>(loop_);
    call->connection->key = call->target.key;
    connect(call);
  }

 private:
  // A handler for an operation on the call's connection. It holds the connection: an operation
  // ended by closing the socket (a timeout) still completes, and Beast's read touches the
  // connection's buffer before the handler sees the error.
  template <typename F>
  auto guarded(const std::shared_ptr<Call>& call, F f) {
    return [this, call, connection = call->connection, f = std::move(f),
            alive = std::weak_ptr<bool>(alive_)](auto&&... args) {
      if (alive.expired() || call->over) return;
      f(std::forward<decltype(args)>(args)...);
    };
  }

  void connect(const std::shared_ptr<Call>& call) {
    error_code ec;
    const auto address = asio::ip::make_address(call->target.host, ec);
    if (!ec) {
      const tcp::endpoint endpoint(address, call->target.port);
      call->connection->socket.async_connect(
          endpoint, guarded(call, [this, call](const error_code& e) { connected(call, e); }));
      return;
    }
    resolver_.async_resolve(
        call->target.host, std::to_string(call->target.port),
        guarded(call, [this, call](const error_code& e, const tcp::resolver::results_type& results) {
          if (e) return fail(call, transportError("Could not resolve host", e));
          asio::async_connect(
              call->connection->socket, results,
              guarded(call, [this, call](const error_code& e2, const auto&) { connected(call, e2); }));
        }));
  }

  void connected(const std::shared_ptr<Call>& call, const error_code& ec) {
    if (ec) return fail(call, transportError("Could not connect to server", ec));
    error_code ignored;
    call->connection->socket.set_option(tcp::no_delay(true), ignored);
    write(call);
  }

  void write(const std::shared_ptr<Call>& call) {
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(call->head),
                                                    asio::buffer(call->request.body)};
    asio::async_write(call->connection->socket, buffers,
                      guarded(call, [this, call](const error_code& ec, size_t) {
                        if (ec) return fail(call, transportError("Could not send the request", ec));
                        readHead(call);
                      }));
  }

  void readHead(const std::shared_ptr<Call>& call) {
    auto& parser = call->head_parser.emplace();
    // Memory is bounded by streaming, not by refusing. (Not boost::none: Beast 1.74 compares a
    // length with the empty optional and refuses every body with a Content-Length.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.header_limit(64 * 1024);
    if (call->request.method == "HEAD") parser.skip(true);
    bhttp::async_read_header(
        call->connection->socket, call->connection->buffer, parser,
        guarded(call, [this, call](const error_code& ec, size_t) { headRead(call, ec); }));
  }

  void headRead(const std::shared_ptr<Call>& call, const error_code& ec) {
    if (ec) return fail(call, transportError("No answer", ec));
    auto& head = *call->head_parser;
    const int status = head.get().result_int();
    if (status >= 100 && status < 200 && status != 101) return readHead(call);  // interim: the answer follows
    call->status = status;
    for (const auto& field : head.get())
      call->headers.add(std::string(field.name_string()), std::string(field.value()));
    call->deadline = clock_.elapsed() + call->request.timeout;
    if (head.is_done()) {
      call->keep_alive = head.get().keep_alive();
      return finishWhole(call);
    }
    const auto length = head.content_length();
    if (length && *length <= options_.whole_body_limit) return readWhole(call);
    call->parser.emplace(std::move(head));
    if (length) return handOverStream(call);
    readBody(call);  // unknown length: whole if it ends within the limit
  }

  // A body of known, small length straight into its string (one copy from the socket's buffer).
  void readWhole(const std::shared_ptr<Call>& call) {
    auto& parser = call->whole_parser.emplace(std::move(*call->head_parser));
    bhttp::async_read(call->connection->socket, call->connection->buffer, parser,
                      guarded(call, [this, call](const error_code& ec, size_t) {
                        if (ec) return fail(call, transportError("The answer broke off", ec));
                        call->keep_alive = call->whole_parser->get().keep_alive();
                        call->body = std::move(call->whole_parser->get().body());
                        finishWhole(call);
                      }));
  }

  void readBody(const std::shared_ptr<Call>& call) {
    auto& body = call->parser->get().body();
    body.data = call->connection->chunk.get();
    body.size = kChunk;
    bhttp::async_read(call->connection->socket, call->connection->buffer, *call->parser,
                      guarded(call, [this, call](error_code ec, size_t) { bodyRead(call, ec); }));
  }

  void bodyRead(const std::shared_ptr<Call>& call, error_code ec) {
    if (ec == bhttp::error::need_buffer) ec = {};
    const size_t got = kChunk - call->parser->get().body().size;
    const char* bytes = call->connection->chunk.get();
    if (!call->pipe) {
      if (ec) return fail(call, transportError("The answer broke off", ec));
      call->body.append(bytes, got);
      call->deadline = clock_.elapsed() + call->request.timeout;
      if (call->parser->is_done()) {
        call->keep_alive = call->parser->get().keep_alive();
        return finishWhole(call);
      }
      if (call->body.size() > options_.whole_body_limit) return handOverStream(call);
      return readBody(call);
    }
    LoopPipe& pipe = *call->pipe;
    bool pause = false;
    bool abandoned = false;
    {
      std::lock_guard lock(pipe.mutex);
      abandoned = pipe.abandoned;
      if (!abandoned) {
        pipe.bytes.append(bytes, got);
        pause = pipe.unread() >= options_.whole_body_limit;
        if (pause && !ec && !call->parser->is_done()) pipe.paused = true;
      }
    }
    // (fail takes the pipe's lock: never call it holding that lock.)
    if (abandoned) return fail(call, readerGone());
    pipe.changed.notify_all();
    if (ec) return fail(call, transportError("The answer broke off", ec));
    if (call->parser->is_done()) {
      call->keep_alive = call->parser->get().keep_alive();
      return endStream(call);
    }
    if (pause) {
      call->deadline = kNever;  // the reader is slow, not the server
      return;
    }
    call->deadline = clock_.elapsed() + call->request.timeout;
    readBody(call);
  }

  void finishWhole(const std::shared_ptr<Call>& call) {
    end(call, keepable(*call));
    auto done = std::move(call->done);
    done(StreamedResponse{call->status, std::move(call->headers), bodyStreamOf(std::move(call->body))});
  }

  // The answer goes to the caller now, its body read as it arrives.
  void handOverStream(const std::shared_ptr<Call>& call) {
    call->pipe = std::make_shared<LoopPipe>();
    call->pipe->bytes = std::move(call->body);
    std::weak_ptr<Call> weak = call;
    asio::io_context& loop = loop_;
    auto resume = [this, &loop, weak, alive = std::weak_ptr<bool>(alive_)] {
      asio::post(loop, [this, weak, alive] {
        auto call = weak.lock();
        if (alive.expired() || !call || call->over) return;
        if (call->pipe->readerGone()) return fail(call, readerGone());
        call->deadline = clock_.elapsed() + call->request.timeout;
        readBody(call);
      });
    };
    auto body = std::make_unique<LoopPipeBodyStream>(call->pipe, std::move(resume));
    auto done = std::move(call->done);
    done(StreamedResponse{call->status, std::move(call->headers), std::move(body)});
    if (call->over) return;
    readBody(call);
  }

  // A streamed answer arrived whole (one that broke off ends through fail()).
  void endStream(const std::shared_ptr<Call>& call) {
    end(call, keepable(*call));
    call->pipe->finish();
  }

  void fail(const std::shared_ptr<Call>& call, Error error) {
    end(call, false);
    if (call->pipe) {
      call->pipe->finish(std::move(error));
      return;
    }
    auto done = std::move(call->done);
    done(std::move(error));
  }

  // The call is over: its connection is kept for the next call or closed.
  void end(const std::shared_ptr<Call>& call, bool keep) {
    call->over = true;
    calls_.erase(call);
    auto connection = std::move(call->connection);
    if (!connection) return;
    if (!keep) return close(*connection);
    auto& kept = idle_[connection->key];
    if (kept.size() >= options_.max_idle_per_host) return close(*connection);
    connection->idle_since = clock_.elapsed();
    kept.push_back(std::move(connection));
  }

  // Read to its end, the server did not ask to close, and nothing came after the answer.
  static bool keepable(const Call& call) {
    return call.keep_alive && call.connection && call.connection->buffer.size() == 0;
  }

  std::shared_ptr<Connection> takeIdle(const std::string& key) {
    auto found = idle_.find(key);
    if (found == idle_.end()) return nullptr;
    auto& kept = found->second;
    while (!kept.empty()) {
      auto connection = std::move(kept.back());
      kept.pop_back();
      if (clock_.elapsed() - connection->idle_since < kMaxIdle && stillOpen(*connection)) return connection;
      close(*connection);
    }
    return nullptr;
  }

  // A kept connection the server closed (or wrote to unasked) reads as ready; one still open has
  // nothing to read.
  static bool stillOpen(Connection& connection) {
    char byte = 0;
    const auto n = ::recv(connection.socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  static void close(Connection& connection) {
    error_code ignored;
    connection.socket.close(ignored);  // pending operations end as aborted; their handlers return
  }

  // One timer for every call's deadline, checked each kSweepEvery while calls are open: cheaper
  // than a timer per call, which moves the loop's earliest deadline (a system call) on every call.
  void armSweep() {
    if (sweep_armed_ || calls_.empty()) return;
    sweep_armed_ = true;
    sweep_.expires_after(kSweepEvery);
    sweep_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const error_code& ec) {
      if (alive.expired()) return;
      sweep_armed_ = false;
      if (!ec) sweep();
      armSweep();
    });
  }

  void sweep() {
    const auto now = clock_.elapsed();
    std::vector<std::shared_ptr<Call>> late;
    for (const auto& call : calls_)
      if (call->deadline <= now) late.push_back(call);
    for (const auto& call : late) fail(call, timeoutError());
  }

  asio::io_context& loop_;
  LoopClientOptions options_;
  tcp::resolver resolver_;
  asio::steady_timer sweep_;
  bool sweep_armed_ = false;
  Stopwatch clock_;
  // Every handler left on the loop checks it first: the client may be gone by the time it runs.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unordered_set<std::shared_ptr<Call>> calls_;  // not over yet
  std::unordered_map<std::string, std::vector<std::shared_ptr<Connection>>> idle_;
};

// Routes each call by its URL's scheme.
class SchemeLoopClient final : public AsyncHttpClient {
 public:
  SchemeLoopClient(asio::io_context& loop, LoopClientOptions options)
      : plain_(makePlainLoopClient(loop, options)), curl_(makeCurlLoopClient(loop, options)) {}
  void send(ClientRequest request, Done done) override {
    auto& client = isPlainUrl(request.url) ? plain_ : curl_;
    client->send(std::move(request), std::move(done));
  }

 private:
  std::unique_ptr<AsyncHttpClient> plain_;
  std::unique_ptr<AsyncHttpClient> curl_;
};

}  // namespace

std::unique_ptr<AsyncHttpClient> makePlainLoopClient(asio::io_context& loop, LoopClientOptions options) {
  return std::make_unique<PlainLoopClient>(loop, options);
}

std::unique_ptr<AsyncHttpClient> makeLoopClient(asio::io_context& loop, LoopClientOptions options) {
  return std::make_unique<SchemeLoopClient>(loop, options);
}

}  // namespace liaison::http
