#pragma once
// An HttpClient that records every request and answers from a script: each queued answer is used
// once, in order; with the script empty it answers `otherwise` (200 unless set).
#include <deque>
#include <vector>

#include "core/result.h"
#include "http/client/http_client.h"

namespace liaison::hub::webhooks::testing {

class RecordingHttpClient final : public http::HttpClient {
 public:
  Result<http::ClientResponse> send(const http::ClientRequest& request) override {
    requests.push_back(request);
    if (script_.empty()) return http::ClientResponse{otherwise, {}, ""};
    auto next = script_.front();
    script_.pop_front();
    return next;
  }

  void answer(int status) { script_.push_back(http::ClientResponse{status, {}, ""}); }
  void failTransport() {
    script_.push_back(makeError(ErrorCode::Unavailable, "timeout", "Timeout was reached"));
  }

  std::vector<http::ClientRequest> requests;
  int otherwise = 200;

 private:
  std::deque<Result<http::ClientResponse>> script_;
};

}  // namespace liaison::hub::webhooks::testing
