// Bodies that are never held whole: the server sends a streamed body chunk by chunk as it is
// produced, and the curl client's stream() hands the status and headers over before the body
// has arrived, then the body as it comes. A body that breaks off midway is a failure the client
// sees, never a short answer that looks complete.
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "http/client/http_client.h"
#include "http/server/server.h"

namespace liaison::http::testing {
namespace {

using namespace std::chrono_literals;

// Gives `first`, then waits until released (at most 20 s: a test that breaks must not hang), then
// gives `second` `repeat` times, then ends, or fails instead of ending when `fail_at_end`.
class GatedBody final : public BodyStream {
 public:
  GatedBody(std::string first, std::string second, int repeat, bool fail_at_end)
      : first_(std::move(first)), second_(std::move(second)), repeat_(repeat), fail_at_end_(fail_at_end) {}

  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  // Whether the body's producer reaches the gate (asks for the bytes after `first`) within 10 s.
  bool reachesTheGate() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [this] { return waiting_; });
  }

  Result<size_t> read(char* out, size_t size) override {
    if (!first_sent_) {
      first_sent_ = true;
      return copy(first_, out, size);
    }
    {
      std::unique_lock lock(mutex_);
      waiting_ = true;
      changed_.notify_all();
      changed_.wait_for(lock, 20s, [this] { return released_; });
      waiting_ = false;
    }
    if (repeat_ > 0) {
      --repeat_;
      return copy(second_, out, size);
    }
    if (fail_at_end_) return makeError(ErrorCode::Unavailable, "upstream", "the upstream body broke off");
    return size_t{0};
  }

 private:
  static size_t copy(const std::string& text, char* out, size_t size) {
    const size_t n = std::min(size, text.size());
    std::memcpy(out, text.data(), n);
    return n;
  }

  std::string first_, second_;
  int repeat_;
  bool fail_at_end_;
  bool first_sent_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool released_ = false;
  bool waiting_ = false;
};

class StreamingTest : public ::testing::Test {
 protected:
  void serve(std::shared_ptr<GatedBody> body) {
    body_ = body;
    handler_ = [this](Request&) {
      Response response;
      response.status = 200;
      response.headers.set("Content-Type", "application/json");
      response.stream = body_;
      return response;
    };
    ServerOptions options;
    options.port = 0;
    options.access_log = false;
    server_ = std::make_unique<Server>(options, [this](Request&) { return Dispatch{&handler_}; });
    base_ = "http://127.0.0.1:" + std::to_string(server_->bind());
    server_->run();
  }
  void TearDown() override {
    if (body_) body_->release();
    if (server_) server_->stop();
  }
  ClientRequest get() const {
    ClientRequest request;
    request.url = base_ + "/export";
    request.timeout = 10s;
    return request;
  }

  std::shared_ptr<GatedBody> body_;
  Handler handler_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<HttpClient> client_ = makeCurlHttpClient();
  std::string base_;
};

TEST_F(StreamingTest, HeadersAndTheFirstBytesArriveBeforeTheRestOfTheBodyExists) {
  const std::string chunk(64 * 1024, 'x');
  serve(std::make_shared<GatedBody>("{\"first\":1}", chunk, 80, false));  // 5 MB after the gate
  auto response = client_->stream(get());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers.get("Content-Type").value_or(""), "application/json");
  std::string received;
  char buffer[4096];
  while (received.size() < 11) {
    auto got = response->body->read(buffer, sizeof buffer);
    ASSERT_TRUE(got && *got > 0);
    received.append(buffer, *got);
  }
  EXPECT_EQ(received, "{\"first\":1}");
  // The client has the headers and the first bytes while the rest does not exist yet: the server
  // asks for it (and waits at the gate) only after sending what it had.
  EXPECT_TRUE(body_->reachesTheGate());
  body_->release();
  for (;;) {
    auto got = response->body->read(buffer, sizeof buffer);
    ASSERT_TRUE(got) << got.error().message;
    if (*got == 0) break;
    received.append(buffer, *got);
  }
  EXPECT_EQ(received.size(), 11 + 80 * chunk.size());
}

TEST_F(StreamingTest, ABodyThatBreaksOffIsAFailureNotAShortAnswer) {
  serve(std::make_shared<GatedBody>("{\"partial\":", "[1,2,3", 1, true));
  body_->release();
  auto whole = client_->send(get());
  EXPECT_FALSE(whole) << "a cut-off body read as a complete answer of " << whole->body.size() << " bytes";
  auto streamed = client_->stream(get());
  ASSERT_TRUE(streamed) << streamed.error().message;
  EXPECT_FALSE(readAll(*streamed->body)) << "a streamed read must fail too";
}

TEST(BufferedStream, FakesGetAStreamOverTheBufferedBody) {
  class Fixed final : public HttpClient {
   public:
    Result<ClientResponse> send(const ClientRequest&) override {
      ClientResponse response;
      response.status = 201;
      response.body = "made";
      return response;
    }
  } fixed;
  auto response = fixed.stream(ClientRequest{});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(readAll(*response->body).value(), "made");
}

}  // namespace
}  // namespace liaison::http::testing
