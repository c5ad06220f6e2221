// Routes that answer later (Dispatch::async_handler): the handler runs on the I/O thread with that
// thread's event-loop client, answers from a callback, may hand work to the blocking pool, and a
// request it drops or throws on still gets an answer. A body too large to arrive whole goes to the
// route's blocking handler instead.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/client/http_client.h"
#include "http/server/server.h"

namespace liaison::http::testing {
namespace {

using namespace std::chrono_literals;

class AsyncRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The other server the routes call: it holds each answer 200 ms.
    upstream_handler_ = [](Request& r) {
      Response response = Response::text(200, "upstream saw " + std::string(r.path()));
      response.delay = 200ms;
      return response;
    };
    ServerOptions upstream_options;
    upstream_options.port = 0;
    upstream_options.access_log = false;
    upstream_ =
        std::make_unique<Server>(upstream_options, [this](Request&) { return Dispatch{&upstream_handler_}; });
    upstream_base_ = "http://127.0.0.1:" + std::to_string(upstream_->bind());
    upstream_->run();
  }
  void TearDown() override {
    if (server_) server_->stop();
    upstream_->stop();
  }

  void serve(AsyncHandler async, int blocking_threads = 1) {
    async_ = std::move(async);
    blocking_ = [](Request& r) {
      return Response::text(200, "blocking handler, " + std::to_string(r.body_size.value_or(0)));
    };
    ServerOptions options;
    options.port = 0;
    options.access_log = false;
    options.blocking_threads = blocking_threads;
    options.stream_body_above = 1024;
    server_ = std::make_unique<Server>(options, [this](Request&) {
      Dispatch dispatch{&blocking_, Execution::Blocking, true};
      dispatch.async_handler = &async_;
      return dispatch;
    });
    base_ = "http://127.0.0.1:" + std::to_string(server_->bind());
    server_->run();
  }

  Result<ClientResponse> call(const std::string& path, std::string body = "") {
    ClientRequest request;
    request.method = body.empty() ? "GET" : "POST";
    request.url = base_ + path;
    request.body = std::move(body);
    request.timeout = 10s;
    return makeCurlHttpClient()->send(request);
  }

  Handler upstream_handler_;
  std::unique_ptr<Server> upstream_;
  std::string upstream_base_;
  AsyncHandler async_;
  Handler blocking_;
  std::unique_ptr<Server> server_;
  std::string base_;
};

TEST_F(AsyncRouteTest, CallsWaitingOnAnotherServerHoldNoThread) {
  serve([this](Request& request, AsyncHttpClient& upstream, Reply reply) {
    ClientRequest out;
    out.url = upstream_base_ + std::string(request.path());
    const auto thread = std::this_thread::get_id();
    upstream.send(out, [reply, thread](Result<StreamedResponse> answer) {
      if (!answer || std::this_thread::get_id() != thread) return reply(Response::text(502, "wrong"));
      auto body = readAll(*answer->body);
      reply(Response::text(answer->status, body ? *body : "?"));
    });
  });
  // One blocking thread: 40 calls waiting 200 ms each on a thread apiece would take 8 s.
  std::vector<std::future<Result<ClientResponse>>> calls;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i) {
    calls.push_back(std::async(std::launch::async, [this, i] { return call("/c" + std::to_string(i)); }));
  }
  for (int i = 0; i < 40; ++i) {
    auto answer = calls[i].get();
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->status, 200);
    EXPECT_EQ(answer->body, "upstream saw /c" + std::to_string(i));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(AsyncRouteTest, WorkHandedToTheBlockingPoolAnswersWithWhatItReturns) {
  serve([](Request& request, AsyncHttpClient&, Reply reply) {
    const auto io_thread = std::this_thread::get_id();
    reply.offload([&request, io_thread] {
      return Response::text(std::this_thread::get_id() != io_thread ? 200 : 500, "offloaded " + request.body);
    });
  });
  auto answer = call("/work", "abc");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "offloaded abc");
}

TEST_F(AsyncRouteTest, ARequestDroppedOrThrownOnIsAnswered500AndOnlyTheFirstAnswerCounts) {
  serve([](Request& request, AsyncHttpClient&, Reply reply) {
    if (request.path() == "/drop") return;
    if (request.path() == "/throw") throw std::runtime_error("handler bug");
    reply(Response::text(201, "first"));
    reply(Response::text(202, "second"));
  });
  auto dropped = call("/drop");
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->status, 500);
  auto thrown = call("/throw");
  ASSERT_TRUE(thrown);
  EXPECT_EQ(thrown->status, 500);
  auto twice = call("/twice");
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, 201);
  EXPECT_EQ(twice->body, "first");
  // The connection's next request after all of these is served as usual.
  EXPECT_EQ(call("/twice")->status, 201);
}

TEST_F(AsyncRouteTest, ABodyThatStreamsGoesToTheBlockingHandler) {
  serve([](Request&, AsyncHttpClient&, Reply reply) { reply(Response::text(200, "async handler")); });
  auto small = call("/upload", std::string(100, 'a'));
  ASSERT_TRUE(small);
  EXPECT_EQ(small->body, "async handler");
  auto large = call("/upload", std::string(5000, 'a'));
  ASSERT_TRUE(large);
  EXPECT_EQ(large->body, "blocking handler, 5000");
}

}  // namespace
}  // namespace liaison::http::testing
