#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "http/client/http_client.h"

namespace liaison::http {
namespace {

size_t onBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Feeds a streamed request body to curl as it asks for it.
size_t onUpload(char* out, size_t size, size_t count, void* user) {
  auto got = static_cast<BodyStream*>(user)->read(out, size * count);
  return got ? *got : CURL_READFUNC_ABORT;
}

// Collects the response's header fields; `complete` turns true at the blank line ending a final
// (not 1xx) response's header block.
struct HeaderSink {
  Headers headers;
  bool complete = false;
  bool interim = false;  // the block being read belongs to a 1xx answer
};

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  std::string_view line(data, size * count);
  auto* sink = static_cast<HeaderSink*>(user);
  if (line.starts_with("HTTP/")) {
    sink->headers = Headers();  // a new response (e.g. after 100-continue) starts afresh
    const auto space = line.find(' ');
    sink->interim = space != std::string_view::npos && space + 1 < line.size() && line[space + 1] == '1';
    return size * count;
  }
  if (line == "\r\n" || line == "\n") {
    if (!sink->interim) sink->complete = true;
    return size * count;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    sink->headers.add(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

// Sets up `curl` for `request`; the returned list must outlive the transfer.
curl_slist* prepare(CURL* curl, const ClientRequest& request, HeaderSink& sink) {
  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : request.headers.pairs()) {
    header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
  }
  // Suppress curl's automatic "Expect: 100-continue" on larger bodies.
  header_list = curl_slist_append(header_list, "Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (request.body_stream) {
    // CUSTOMREQUEST names the method; POST only makes curl send what the callback reads.
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, onUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, request.body_stream.get());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     request.body_size ? static_cast<curl_off_t>(*request.body_size) : curl_off_t{-1});
  } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
             request.method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
  return header_list;
}

Error transportError(CURLcode rc) {
  return makeError(ErrorCode::Unavailable, rc == CURLE_OPERATION_TIMEDOUT ? "timeout" : "transport",
                   curl_easy_strerror(rc));
}

// A transfer driven by curl's multi interface one step at a time: read() runs curl until body
// bytes arrive, so at most what the socket delivered in one step is held here.
class CurlBodyStream final : public BodyStream {
 public:
  CurlBodyStream(const ClientRequest& request, std::chrono::milliseconds silence)
      : request_(request), silence_(silence), multi_(curl_multi_init()), curl_(curl_easy_init()) {}
  ~CurlBodyStream() override {
    if (multi_ != nullptr && curl_ != nullptr) curl_multi_remove_handle(multi_, curl_);
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
    curl_slist_free_all(header_list_);
  }
  CurlBodyStream(const CurlBodyStream&) = delete;
  CurlBodyStream& operator=(const CurlBodyStream&) = delete;

  // Sends the request and runs until the headers are in (or the transfer ended).
  Status start() {
    if (multi_ == nullptr || curl_ == nullptr)
      return makeError(ErrorCode::Internal, "curl", "curl init failed");
    header_list_ = prepare(curl_, request_, sink_);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, onChunk);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(silence_.count()));
    // A transfer silent for this long ends (rather than one longer than it: an export may take
    // minutes, but never minutes without a byte).
    curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(silence_.count() / 1000)));
    curl_multi_add_handle(multi_, curl_);
    while (!sink_.complete && !done_) step();
    if (done_ && result_ != CURLE_OK) return transportError(result_);
    return okStatus();
  }
  int status() const {
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    return static_cast<int>(status);
  }
  Headers headers() const { return sink_.headers; }

  Result<size_t> read(char* out, size_t size) override {
    while (offset_ == pending_.size() && !done_) step();
    if (offset_ < pending_.size()) {
      const size_t n = std::min(size, pending_.size() - offset_);
      std::memcpy(out, pending_.data() + offset_, n);
      offset_ += n;
      if (offset_ == pending_.size()) {
        pending_.clear();
        offset_ = 0;
      }
      return n;
    }
    if (result_ != CURLE_OK) return transportError(result_);
    return size_t{0};
  }

 private:
  static size_t onChunk(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<CurlBodyStream*>(user);
    self->pending_.append(data, size * count);
    return size * count;
  }

  void step() {
    int running = 0;
    curl_multi_perform(multi_, &running);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
      if (message->msg == CURLMSG_DONE) {
        done_ = true;
        result_ = message->data.result;
      }
    }
    if (running == 0) {
      done_ = true;
      return;
    }
    // Nothing to hand out yet: wait for the socket (curl's own timeouts end a silent transfer).
    if (offset_ == pending_.size()) curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
  }

  ClientRequest request_;
  std::chrono::milliseconds silence_;
  CURLM* multi_;
  CURL* curl_;
  curl_slist* header_list_ = nullptr;
  HeaderSink sink_;
  std::string pending_;
  size_t offset_ = 0;
  bool done_ = false;
  CURLcode result_ = CURLE_OK;
};

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<ClientResponse> send(const ClientRequest& request) override {
    // A handle (and connection) per request, never reused: curl silently sends a request again
    // when a reused connection turns out closed, and a POST that CC carried out before the
    // connection dropped must come back as "no answer", not be made twice.
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return makeError(ErrorCode::Internal, "curl", "curl_easy_init failed");
    ClientResponse response;
    HeaderSink sink;
    curl_slist* header_list = prepare(curl, request, sink);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(header_list);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) return transportError(rc);
    response.status = static_cast<int>(status);
    response.headers = std::move(sink.headers);
    return response;
  }

  Result<StreamedResponse> stream(const ClientRequest& request) override {
    auto body = std::make_unique<CurlBodyStream>(request, request.timeout);
    if (auto started = body->start(); !started) return started.error();
    StreamedResponse out;
    out.status = body->status();
    out.headers = body->headers();
    out.body = std::move(body);
    return out;
  }
};

}  // namespace

std::unique_ptr<HttpClient> makeCurlHttpClient() { return std::make_unique<CurlHttpClient>(); }

}  // namespace liaison::http
