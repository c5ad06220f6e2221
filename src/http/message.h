#pragma once
// Transport-neutral HTTP messages. Handlers are pure functions Request -> Response, so every
// rule is testable without sockets; only http/server knows about Beast.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/encoding.h"
#include "core/result.h"

namespace liaison::http {

// A body read while it is produced (a proxied answer on its way from upstream, a large upload on
// its way in), so it is never held whole. read() may block (it runs on the server's blocking
// pool); it fills up to `size` bytes and returns how many, 0 at the end, or an error when the body
// cannot be finished (for an answer the server then ends the connection: the status line has gone
// out already).
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  virtual Result<size_t> read(char* out, size_t size) = 0;
  // The whole body at once when it is already in memory and nothing was read yet (readAll()
  // then moves it instead of copying it chunk by chunk); nullopt otherwise.
  virtual std::optional<std::string> takeWhole() { return std::nullopt; }
};

class Headers {
 public:
  using Pair = std::pair<std::string, std::string>;
  // Case-insensitive lookup of the first field named `name`.
  std::optional<std::string> get(std::string_view name) const;
  size_t count(std::string_view name) const;
  void add(std::string name, std::string value);
  // Replaces every field named `name` with one.
  void set(std::string name, std::string value);
  const std::vector<Pair>& pairs() const { return fields_; }

 private:
  std::vector<Pair> fields_;
};

struct Request {
  std::string method;  // upper-case: GET, POST, ...
  std::string target;  // as received: path plus query
  Headers headers;
  std::string body;
  // Set instead of `body` when a route reads large bodies as they arrive (Dispatch::streams_body):
  // the body is read from here and `body` stays empty. `body_size` is its Content-Length, absent
  // when it comes chunked.
  std::shared_ptr<BodyStream> body_stream;
  std::optional<uint64_t> body_size;
  std::string remote_address;  // peer IP as seen by the socket, never X-Forwarded-For
  std::string request_id;
  std::map<std::string, std::string> path_params;  // filled by the router

  std::string_view path() const;
  std::string_view queryString() const;
  // Parsed query; nullopt when its percent-encoding is malformed.
  std::optional<Params> query() const;
  std::optional<std::string> header(std::string_view name) const { return headers.get(name); }
  std::string param(const std::string& name) const;
  std::optional<std::string> cookie(std::string_view name) const;
};

// Reads `stream` to its end into a string (in-process callers and tests; never on a path whose
// bodies may be large).
Result<std::string> readAll(BodyStream& stream);

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // When set, the body is this stream instead of `body`, sent chunked as it is read.
  std::shared_ptr<BodyStream> stream;
  // Close the connection without answering (fault injection: "connection reset", "commit then
  // drop the response"). The client sees the connection end with no response.
  bool abort_connection = false;
  // Hold the answer this long before sending it (fault injection: latency). The server waits on
  // a timer of this connection alone, so a delay never holds a thread or another connection;
  // called in-process, the response only reports it.
  std::chrono::milliseconds delay{0};

  static Response json(int status, const nlohmann::json& body);
  static Response html(int status, std::string body);
  static Response text(int status, std::string body);
  // 303 See Other: after a form POST the browser must follow with GET (never 307, which
  // would re-post credentials to the redirect target).
  static Response seeOther(const std::string& location);
  static Response found(const std::string& location);
  static Response noContent();
};

using Handler = std::function<Response(Request&)>;

}  // namespace liaison::http
