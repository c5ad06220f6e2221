#include "http/client/http_client.h"

#include <algorithm>
#include <cstring>

namespace liaison::http {
namespace {

class StringBodyStream final : public BodyStream {
 public:
  explicit StringBodyStream(std::string body) : body_(std::move(body)) {}
  Result<size_t> read(char* out, size_t size) override {
    const size_t n = std::min(size, body_.size() - offset_);
    std::memcpy(out, body_.data() + offset_, n);
    offset_ += n;
    return n;
  }

 private:
  std::string body_;
  size_t offset_ = 0;
};

}  // namespace

std::unique_ptr<BodyStream> bodyStreamOf(std::string body) {
  return std::make_unique<StringBodyStream>(std::move(body));
}

Result<StreamedResponse> HttpClient::stream(const ClientRequest& request) {
  Result<ClientResponse> response = makeError(ErrorCode::Internal, "http.not_sent", "");
  if (request.body_stream) {
    auto body = readAll(*request.body_stream);
    if (!body) return body.error();
    ClientRequest whole = request;
    whole.body = std::move(*body);
    whole.body_stream.reset();
    response = send(whole);
  } else {
    response = send(request);
  }
  if (!response) return response.error();
  return StreamedResponse{response->status, std::move(response->headers),
                          bodyStreamOf(std::move(response->body))};
}

}  // namespace liaison::http
