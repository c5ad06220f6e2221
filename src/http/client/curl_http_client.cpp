#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "http/client/curl_transfer.h"
#include "http/client/http_client.h"

namespace liaison::http {
namespace {

using curl::HeaderSink;
using curl::onRequestSent;
using curl::prepare;
using curl::transportError;

// A curl easy handle and the multi handle that drives it, kept together between transfers: the
// multi keeps the connections its transfers used, so the next transfer on the pair can reuse
// one (no new TCP connection, no new TLS handshake with CC).
struct Handles {
  CURLM* multi = curl_multi_init();
  CURL* easy = curl_easy_init();
  Handles() = default;
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;
  ~Handles() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (multi != nullptr) curl_multi_cleanup(multi);
  }
};

// Idle pairs, each used by one transfer at a time.
class HandlePool {
 public:
  std::unique_ptr<Handles> take() {
    std::lock_guard lock(mutex_);
    if (idle_.empty()) return std::make_unique<Handles>();
    auto handles = std::move(idle_.back());
    idle_.pop_back();
    return handles;
  }
  void give(std::unique_ptr<Handles> handles) {
    curl_easy_reset(handles->easy);  // options back to defaults; the multi keeps its connections
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(handles));
  }

 private:
  static constexpr size_t kMaxIdle = 64;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Handles>> idle_;
};

// A transfer driven by curl's multi interface one step at a time: read() runs curl until body
// bytes arrive, so at most what the socket delivered in one step is held here.
class CurlBodyStream final : public BodyStream {
  static constexpr curl_off_t kReserveMax = 64 << 20;  // an announced length is not trusted further

 public:
  // `whole`: request.timeout bounds the whole transfer; otherwise each silence (an export may
  // take minutes, but never minutes without a byte).
  CurlBodyStream(const ClientRequest& request, std::shared_ptr<HandlePool> pool, bool whole)
      : request_(request), pool_(std::move(pool)), whole_(whole), handles_(pool_->take()) {}
  ~CurlBodyStream() override {
    if (added_) curl_multi_remove_handle(handles_->multi, handles_->easy);
    if (handles_->multi != nullptr && handles_->easy != nullptr) pool_->give(std::move(handles_));
    curl_slist_free_all(header_list_);
  }
  CurlBodyStream(const CurlBodyStream&) = delete;
  CurlBodyStream& operator=(const CurlBodyStream&) = delete;

  // Sends the request and runs until the headers are in (or the transfer ended).
  Status start() {
    if (handles_->multi == nullptr || handles_->easy == nullptr)
      return makeError(ErrorCode::Internal, "curl", "curl init failed");
    CURL* curl = handles_->easy;
    header_list_ = prepare(curl, request_, sink_);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onChunk);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl, CURLOPT_PREREQFUNCTION, onRequestSent);
    curl_easy_setopt(curl, CURLOPT_PREREQDATA, &sends_);
    const long timeout_ms = static_cast<long>(request_.timeout.count());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    if (whole_) {
      curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    } else {
      curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, timeout_ms / 1000));
    }
    curl_multi_add_handle(handles_->multi, curl);
    added_ = true;
    while (!sink_.complete && !done_) step();
    // Headers that arrived whole make an answer even when the body broke off in the same step:
    // the body's reader sees that failure.
    if (done_ && result_ != CURLE_OK && !sink_.complete) return transportError(result_);
    return okStatus();
  }
  int status() const {
    long status = 0;
    curl_easy_getinfo(handles_->easy, CURLINFO_RESPONSE_CODE, &status);
    return static_cast<int>(status);
  }
  Headers takeHeaders() { return std::move(sink_.headers); }

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

  // The rest of the body at once (send()).
  Result<std::string> rest() {
    while (!done_) step();
    if (result_ != CURLE_OK) return transportError(result_);
    std::string body = offset_ == 0 ? std::move(pending_) : pending_.substr(offset_);
    pending_.clear();
    offset_ = 0;
    return body;
  }

 private:
  static size_t onChunk(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<CurlBodyStream*>(user);
    if (self->pending_.empty() && self->whole_) {
      // A body read whole is held whole: room for what the server announced (a page of CC's
      // contacts is ~300 KB) instead of a doubling copy of it at every step.
      curl_off_t length = -1;
      curl_easy_getinfo(self->handles_->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
      if (length > 0) self->pending_.reserve(static_cast<size_t>(std::min<curl_off_t>(length, kReserveMax)));
    }
    self->pending_.append(data, size * count);
    return size * count;
  }

  void step() {
    const size_t before = pending_.size();
    int running = 0;
    curl_multi_perform(handles_->multi, &running);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(handles_->multi, &left)) {
      if (message->msg == CURLMSG_DONE) {
        done_ = true;
        result_ = message->data.result;
      }
    }
    if (running == 0) {
      done_ = true;
      return;
    }
    // Nothing new: wait for the socket (curl's own timeouts end a silent transfer).
    if (pending_.size() == before) curl_multi_poll(handles_->multi, nullptr, 0, 1000, nullptr);
  }

  ClientRequest request_;
  std::shared_ptr<HandlePool> pool_;
  bool whole_;
  std::unique_ptr<Handles> handles_;
  bool added_ = false;
  curl_slist* header_list_ = nullptr;
  HeaderSink sink_;
  int sends_ = 0;
  std::string pending_;
  size_t offset_ = 0;
  bool done_ = false;
  CURLcode result_ = CURLE_OK;
};

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient() { curl::initOnce(); }

  Result<ClientResponse> send(const ClientRequest& request) override {
    CurlBodyStream transfer(request, pool_, true);
    if (auto started = transfer.start(); !started) return started.error();
    auto body = transfer.rest();
    if (!body) return body.error();
    return ClientResponse{transfer.status(), transfer.takeHeaders(), std::move(*body)};
  }

  Result<StreamedResponse> stream(const ClientRequest& request) override {
    auto body = std::make_unique<CurlBodyStream>(request, pool_, false);
    if (auto started = body->start(); !started) return started.error();
    StreamedResponse out;
    out.status = body->status();
    out.headers = body->takeHeaders();
    out.body = std::move(body);
    return out;
  }

 private:
  std::shared_ptr<HandlePool> pool_ = std::make_shared<HandlePool>();
};

}  // namespace

std::unique_ptr<HttpClient> makeCurlHttpClient() { return std::make_unique<CurlHttpClient>(); }

}  // namespace liaison::http
