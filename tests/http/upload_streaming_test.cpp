// Request bodies that are never held whole: a route that streams bodies gets a large one as a
// stream it reads while the client is still sending, the curl client sends a body from a stream
// (sized or chunked), and a body that breaks off or runs over the limit is an error the handler
// sees. Small bodies, and bodies for routes that do not stream, still arrive whole.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "http/client/http_client.h"
#include "http/server/server.h"
#include "support/raw_http.h"

namespace liaison::http::testing {
namespace {

using namespace std::chrono_literals;
using liaison::testing::deadlineIn;
using liaison::testing::RawConnection;
using nlohmann::json;

constexpr size_t kStreamAbove = 64 * 1024;
constexpr size_t kBodyLimit = 4 * 1024 * 1024;

// A request body sent in two parts: `first`, then (once released, at most 20 s) `rest`.
class TwoPartBody final : public BodyStream {
 public:
  TwoPartBody(std::string first, std::string rest) : parts_{std::move(first), std::move(rest)} {}
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  // Whether the sender asked for the second part (and waits for it) within 10 s.
  bool senderWaits() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [this] { return waiting_; });
  }
  Result<size_t> read(char* out, size_t size) override {
    if (part_ == 0 && offset_ == parts_[0].size()) {
      std::unique_lock lock(mutex_);
      waiting_ = true;
      changed_.notify_all();
      changed_.wait_for(lock, 20s, [this] { return released_; });
      part_ = 1;
      offset_ = 0;
    }
    const size_t n = std::min(size, parts_[part_].size() - offset_);
    std::memcpy(out, parts_[part_].data() + offset_, n);
    offset_ += n;
    return n;
  }

 private:
  std::string parts_[2];
  size_t part_ = 0;
  size_t offset_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool released_ = false;
  bool waiting_ = false;
};

// What the upload route saw: whether the body came as a stream, what it read, and when it read
// its first bytes.
struct Seen {
  std::mutex mutex;
  std::condition_variable changed;
  bool first_bytes = false;
  std::optional<Error> failure;
  bool finished = false;

  bool waitFor(const std::function<bool()>& done) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, done);
  }
};

class UploadStreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upload_ = [this](Request& request) {
      json out{{"streamed", request.body_stream != nullptr},
               {"size", request.body_size ? static_cast<int64_t>(*request.body_size) : -1}};
      std::string body = request.body;
      if (request.body_stream) {
        char buffer[16 * 1024];
        for (;;) {
          auto got = request.body_stream->read(buffer, sizeof buffer);
          if (!got) {
            std::lock_guard lock(seen_.mutex);
            seen_.failure = got.error();
            seen_.finished = true;
            seen_.changed.notify_all();
            return Response::json(got.error().code == ErrorCode::PayloadTooLarge ? 413 : 400,
                                  {{"error", got.error().key}});
          }
          if (*got == 0) break;
          body.append(buffer, *got);
          std::lock_guard lock(seen_.mutex);
          seen_.first_bytes = true;
          seen_.changed.notify_all();
        }
      }
      {
        std::lock_guard lock(seen_.mutex);
        seen_.finished = true;
        seen_.changed.notify_all();
      }
      out["bytes"] = body.size();
      out["body_matches"] = body == expected_;
      return Response::json(200, out);
    };
    ServerOptions options;
    options.port = 0;
    options.access_log = false;
    options.body_limit = kBodyLimit;
    options.stream_body_above = kStreamAbove;
    server_ = std::make_unique<Server>(options, [this](Request& request) {
      // /upload streams bodies; /whole (same handler) does not.
      return Dispatch{&upload_, Execution::Blocking, request.target == "/upload"};
    });
    port_ = server_->bind();
    base_ = "http://127.0.0.1:" + std::to_string(port_);
    server_->run();
  }
  void TearDown() override {
    if (body_) body_->release();
    server_->stop();
  }
  ClientRequest post(const std::string& path) const {
    ClientRequest request;
    request.method = "POST";
    request.url = base_ + path;
    request.timeout = 20s;
    return request;
  }
  json sent(const ClientRequest& request) {
    auto response = client_->send(request);
    EXPECT_TRUE(response) << response.error().message;
    return response ? json::parse(response->body, nullptr, false) : json();
  }

  Handler upload_;
  Seen seen_;
  std::string expected_;
  std::shared_ptr<TwoPartBody> body_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::string base_;
  std::unique_ptr<HttpClient> client_ = makeCurlHttpClient();
};

TEST_F(UploadStreamingTest, ALargeBodyReachesTheHandlerWhileTheClientIsStillSendingIt) {
  for (const bool sized : {true, false}) {
    SCOPED_TRACE(sized ? "with Content-Length" : "chunked");
    const std::string first(200 * 1024, 'a');
    const std::string rest(2 * 1024 * 1024, 'b');
    expected_ = first + rest;
    {
      std::lock_guard lock(seen_.mutex);
      seen_.first_bytes = seen_.finished = false;
    }
    body_ = std::make_shared<TwoPartBody>(first, rest);
    auto request = post("/upload");
    request.body_stream = body_;
    if (sized) request.body_size = expected_.size();
    auto answer = std::async(std::launch::async, [&] { return sent(request); });
    // The handler reads the first part while the client holds the rest back.
    EXPECT_TRUE(seen_.waitFor([&] { return seen_.first_bytes; }));
    EXPECT_TRUE(body_->senderWaits());
    EXPECT_FALSE(seen_.finished);
    body_->release();
    const json out = answer.get();
    EXPECT_EQ(out["streamed"], true) << out.dump();
    EXPECT_EQ(out["size"], sized ? static_cast<int64_t>(expected_.size()) : -1);
    EXPECT_EQ(out["bytes"], expected_.size());
    EXPECT_EQ(out["body_matches"], true);
  }
}

TEST_F(UploadStreamingTest, SmallBodiesAndRoutesThatDoNotStreamGetTheBodyWhole) {
  expected_ = std::string(10 * 1024, 's');
  auto small = post("/upload");
  small.body = expected_;
  const json out = sent(small);
  EXPECT_EQ(out["streamed"], false) << out.dump();
  EXPECT_EQ(out["body_matches"], true);

  // A large body from a stream, to a route that takes bodies whole.
  expected_ = std::string(1024 * 1024, 'w');
  auto large = post("/whole");
  large.body_stream = bodyStreamOf(expected_);
  large.body_size = expected_.size();
  const json whole = sent(large);
  EXPECT_EQ(whole["streamed"], false) << whole.dump();
  EXPECT_EQ(whole["bytes"], expected_.size());
  EXPECT_EQ(whole["body_matches"], true);
}

TEST_F(UploadStreamingTest, AClientThatAsksToContinueIsToldToSendTheBody) {
  expected_ = std::string(100 * 1024, 'e');
  for (const std::string path : {"/upload", "/whole"}) {
    RawConnection connection(port_);
    ASSERT_TRUE(connection.connected());
    ASSERT_TRUE(connection.send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n" +
                                "Content-Length: " + std::to_string(expected_.size()) + "\r\n\r\n"));
    auto interim = connection.readResponse(deadlineIn(5s));
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << *interim;
    ASSERT_TRUE(connection.send(expected_));
    auto final = connection.readResponse(deadlineIn(10s));
    ASSERT_TRUE(final);
    EXPECT_EQ(final->rfind("HTTP/1.1 200", 0), 0u) << *final;
    EXPECT_NE(final->find("\"body_matches\":true"), std::string::npos) << *final;
  }
}

TEST_F(UploadStreamingTest, ABodyOverTheLimitIsRefusedStreamedOrNot) {
  // Its Content-Length says so: refused before any of it is read, whatever the route.
  for (const std::string path : {"/upload", "/whole"}) {
    RawConnection connection(port_);
    ASSERT_TRUE(connection.send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                                std::to_string(kBodyLimit + 1) + "\r\n\r\n"));
    auto refused = connection.readResponse(deadlineIn(10s));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->rfind("HTTP/1.1 413", 0), 0u) << *refused;
  }
  // Chunked: the streaming handler's read fails once the limit is passed.
  expected_.clear();
  auto request = post("/upload");
  request.body_stream = bodyStreamOf(std::string(kBodyLimit + 64 * 1024, 'o'));
  auto response = client_->send(request);
  // The server may close before the client finished sending; either way the handler saw the
  // limit, never a complete body.
  if (response) {
    EXPECT_EQ(response->status, 413) << response->body;
  }
  ASSERT_TRUE(seen_.waitFor([&] { return seen_.finished; }));
  ASSERT_TRUE(seen_.failure);
  EXPECT_EQ(seen_.failure->code, ErrorCode::PayloadTooLarge);
}

TEST_F(UploadStreamingTest, ABodyThatBreaksOffIsAFailureTheHandlerSees) {
  {
    RawConnection connection(port_);
    ASSERT_TRUE(
        connection.send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n" +
                        std::string(300 * 1024, 'x')));
    ASSERT_TRUE(seen_.waitFor([&] { return seen_.first_bytes; }));
  }  // the client goes away with 700 KB unsent
  ASSERT_TRUE(seen_.waitFor([&] { return seen_.finished; }));
  ASSERT_TRUE(seen_.failure);
  EXPECT_EQ(seen_.failure->key, "http.body_incomplete");
}

}  // namespace
}  // namespace liaison::http::testing
