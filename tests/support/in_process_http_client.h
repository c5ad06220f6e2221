#pragma once
// An http::HttpClient that hands each request straight to a handler (a sandbox's handle or
// dispatch), for code under test that talks HTTP through the HttpClient seam: no sockets, no
// ports, no timing. The URL's path and query become the request target; scheme and host are
// dropped (the handler serves every host).
#include <string>
#include <utility>

#include "http/client/http_client.h"
#include "http/message.h"

namespace liaison::testing {

class InProcessHttpClient final : public http::HttpClient {
 public:
  explicit InProcessHttpClient(http::Handler handler, std::string remote_address = "127.0.0.1")
      : handler_(std::move(handler)), remote_address_(std::move(remote_address)) {}

  Result<http::ClientResponse> send(const http::ClientRequest& request) override {
    http::Request in;
    in.method = request.method;
    in.target = targetOf(request.url);
    in.headers = request.headers;
    in.body = request.body;
    in.remote_address = remote_address_;
    ++sent_;
    http::Response out = handler_(in);
    // A handler that closes the connection without answering is a transport failure to a
    // client, as with libcurl.
    if (out.abort_connection) {
      return makeError(ErrorCode::Unavailable, "connection_reset", "the server closed the connection");
    }
    return http::ClientResponse{out.status, std::move(out.headers), std::move(out.body)};
  }

  int sent() const { return sent_; }

  // "http://host:port/a/b?q" -> "/a/b?q"; a bare path is kept as it is.
  static std::string targetOf(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return url.empty() ? "/" : url;
    const auto path = url.find_first_of("/?", scheme + 3);
    if (path == std::string::npos) return "/";
    return url[path] == '?' ? "/" + url.substr(path) : url.substr(path);
  }

 private:
  http::Handler handler_;
  std::string remote_address_;
  int sent_ = 0;
};

}  // namespace liaison::testing
