#pragma once
// A hub answering from a script: each (method, path) has a queue of answers, the last of which
// repeats, so a test states what the hub says and checks what the verb asked. Unscripted
// requests get a 404 in the hub's error format; a scripted transport failure is an Error.
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/client/http_client.h"

namespace liaison::testing {

class ScriptedHttpClient final : public http::HttpClient {
 public:
  void answer(const std::string& method, const std::string& target, int status, const nlohmann::json& body) {
    script_[{method, target}].push_back(Scripted{status, body.is_null() ? "" : body.dump(), false});
  }
  void answerText(const std::string& method, const std::string& target, int status, std::string body) {
    script_[{method, target}].push_back(Scripted{status, std::move(body), false});
  }
  void refuse(const std::string& method, const std::string& target) {
    script_[{method, target}].push_back(Scripted{0, "", true});
  }

  Result<http::ClientResponse> send(const http::ClientRequest& request) override {
    requests.push_back(request);
    const std::string target = targetOf(request.url);
    auto found = script_.find({request.method, target});
    if (found == script_.end()) {
      return http::ClientResponse{404, {}, R"({"error":{"code":"not_found","message":"unscripted"}})"};
    }
    auto& queue = found->second;
    Scripted next = queue.front();
    if (queue.size() > 1) queue.pop_front();
    if (next.refused) return makeError(ErrorCode::Unavailable, "refused", "Connection refused");
    http::ClientResponse response;
    response.status = next.status;
    response.body = next.body;
    return response;
  }

  int count(const std::string& method, const std::string& target) const {
    int n = 0;
    for (const auto& r : requests) n += r.method == method && targetOf(r.url) == target;
    return n;
  }

  std::vector<http::ClientRequest> requests;

 private:
  // "http://host:port/a?b" -> "/a?b": the hub's routes do not depend on the host.
  static std::string targetOf(const std::string& url) {
    const auto scheme = url.find("://");
    const auto path = scheme == std::string::npos ? 0 : url.find('/', scheme + 3);
    return path == std::string::npos ? std::string("/") : url.substr(path);
  }

  struct Scripted {
    int status;
    std::string body;
    bool refused;
  };
  std::map<std::pair<std::string, std::string>, std::deque<Scripted>> script_;
};

}  // namespace liaison::testing
