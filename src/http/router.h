#pragma once
// Method + path-template routing ("/v3/contacts/{contact_id}"). The router only picks a
// handler; what to do on no match (404/405 in the API's own format) is the caller's choice.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/message.h"
#include "http/reply.h"

namespace liaison::http {

// Where a handler runs: on the I/O threads (pure in-memory work), or on the blocking pool:
// Blocking for work that may wait on disk (a SQLite commit), which an application without a disk
// store may run inline; Long for CPU work long enough to stall other connections (a 40,000-row
// import, password hashing, RSA signing), which always leaves the I/O threads.
enum class Execution { Inline, Blocking, Long };

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  Execution execution = Execution::Inline;
};

// A chosen handler and where it must run; what the server needs from an application.
struct Dispatch {
  const Handler* handler = nullptr;
  Execution execution = Execution::Inline;
  // The handler takes a large body as a stream (Request::body_stream) instead of whole; only
  // for handlers off the I/O threads, since reading waits on the client.
  bool streams_body = false;
  // When set, a request whose body arrived whole goes here instead, on the I/O thread that read
  // it (see reply.h); `handler` still serves one whose body streams.
  const AsyncHandler* async_handler = nullptr;
};

struct RouteMatch {
  const Route* route = nullptr;  // null when nothing matched
  bool path_matched = false;     // true when the path exists under another method (405)
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler, Execution execution = Execution::Inline);
  // Finds the route and fills request.path_params.
  RouteMatch match(Request& request) const;
  // The methods `path` is served under, for the Allow header every 405 carries (RFC 9110
  // §15.5.6): "GET, HEAD, POST", sorted; HEAD goes with GET as match() serves it. Empty when no
  // route has the path.
  std::string allow(std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::unordered_map<std::string, std::vector<size_t>> literal_;  // path -> route indexes
  std::vector<size_t> templated_;
};

// Splits "/a/{b}/c" style patterns; exposed for tests.
bool matchPattern(const std::string& pattern, std::string_view path,
                  std::map<std::string, std::string>* params);

}  // namespace liaison::http
