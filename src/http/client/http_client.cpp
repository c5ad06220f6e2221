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
  std::optional<std::string> takeWhole() override {
    if (offset_ != 0) return std::nullopt;
    std::string whole = std::move(body_);
    body_.clear();  // read() now ends at once
    return whole;
  }

 private:
  std::string body_;
  size_t offset_ = 0;
};

}  // namespace

bool isRepeatable(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

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
