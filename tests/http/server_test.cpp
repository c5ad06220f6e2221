// The HTTP server on its own, knowing no CC: its errors come from the renderer the application
// injects (or a plain default), and start-up is bind → publish → run, so what the application
// publishes after bind() is in place before the first request is answered.
#include "http/server/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "http/client/http_client.h"
#include "http/status.h"
#include "support/raw_http.h"

namespace liaison::http::testing {
namespace {

using nlohmann::json;

class ServerTest : public ::testing::Test {
 protected:
  void startWith(ServerOptions options, std::function<Response(Request&)> handler) {
    options.port = 0;
    options.access_log = false;
    options.body_limit = 1024;
    handler_ = std::move(handler);
    server_ = std::make_unique<Server>(options, [this](Request&) { return Dispatch{&handler_}; });
    base_ = "http://127.0.0.1:" + std::to_string(server_->bind());
    published_ = base_;  // what an application does between bind and run
    server_->run();
  }
  ClientResponse send(ClientRequest request) {
    request.url = base_ + request.url;
    request.timeout = std::chrono::seconds(30);  // only catches a hang
    auto response = client_->send(request);
    EXPECT_TRUE(response) << response.error().message;
    return response ? *response : ClientResponse{};
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  Handler handler_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<HttpClient> client_ = makeCurlHttpClient();
  std::string base_;
  std::string published_;
};

TEST_F(ServerTest, ItsOwnErrorsUseTheInjectedRenderer) {
  ServerOptions options;
  options.render_error = [](const Error& error) {
    auto r = Response::json(error.code == ErrorCode::PayloadTooLarge ? 413 : 500, {{"app_error", error.key}});
    r.headers.set("X-Renderer", "app");
    return r;
  };
  startWith(options, [](Request&) -> Response { throw std::runtime_error("secret internal detail"); });

  auto thrown = send({"GET", "/"});
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(json::parse(thrown.body)["app_error"], "http.status.internal_server_error");
  EXPECT_EQ(thrown.headers.get("X-Renderer"), "app");
  EXPECT_EQ(thrown.body.find("secret"), std::string::npos);

  auto big = send({"POST", "/", {}, std::string(4096, 'a')});
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(json::parse(big.body)["app_error"], "http.status.payload_too_large");
}

TEST_F(ServerTest, HeadersTooLargeAre431InTheRenderersWords) {
  ServerOptions options;
  options.render_error = [](const Error& error) {
    return Response::json(statusFor(error.code), {{"app_error", error.key}});
  };
  startWith(options, [](Request&) { return Response::text(200, "ok"); });
  ClientRequest request{"GET", "/"};
  request.headers.set("X-Big", std::string(20000, 'a'));
  auto r = send(request);
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(json::parse(r.body)["app_error"], "http.status.request_header_fields_too_large");
}

TEST_F(ServerTest, WithoutARendererErrorsArePlainJson) {
  startWith({}, [](Request&) -> Response { throw std::runtime_error("boom"); });
  auto r = send({"GET", "/"});
  EXPECT_EQ(r.status, 500);
  const auto body = json::parse(r.body);
  EXPECT_EQ(body["error"], "http.status.internal_server_error");
  EXPECT_TRUE(body.contains("message"));
}

TEST_F(ServerTest, WhatIsPublishedAfterBindIsSeenByTheFirstRequest) {
  startWith({}, [this](Request&) { return Response::text(200, published_); });
  auto r = send({"GET", "/"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, base_);
}

TEST_F(ServerTest, RepeatedHeadersAllReachTheHandler) {
  // The application decides what a repeated field means (several Authorization headers are a
  // 400 in the sandbox), so the server must hand over every one, in order.
  startWith({}, [](Request& request) {
    std::string seen;
    for (const auto& [name, value] : request.headers.pairs()) {
      if (iequals(name, "Authorization")) seen += value + ";";
    }
    return Response::text(200, std::to_string(request.headers.count("authorization")) + " " + seen);
  });
  ClientRequest request{"GET", "/"};
  request.headers.add("Authorization", "Bearer one");
  request.headers.add("Authorization", "Bearer two");
  auto r = send(request);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "2 Bearer one;Bearer two;");
}

TEST_F(ServerTest, ADelayedAnswerHoldsOnlyItsOwnConnection) {
  // One I/O thread and no blocking work: if a delay held a thread, the 40 delayed answers would
  // come one after another (120 s) and the fast one after them.
  ServerOptions options;
  options.io_threads = 1;
  startWith(options, [](Request& request) {
    auto response = Response::text(200, std::string(request.path()));
    if (request.path() == "/slow") response.delay = std::chrono::seconds(3);
    return response;
  });
  const uint16_t port = server_->port();
  std::vector<std::unique_ptr<liaison::testing::RawConnection>> slow;
  for (int i = 0; i < 40; ++i) {
    slow.push_back(std::make_unique<liaison::testing::RawConnection>(port));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->send(liaison::testing::rawGet("/slow")));
  }
  liaison::testing::RawConnection fast(port);
  ASSERT_TRUE(fast.send(liaison::testing::rawGet("/fast")));
  const auto fast_answer = fast.readResponse(liaison::testing::deadlineIn(std::chrono::seconds(2)));
  ASSERT_EQ(liaison::testing::rawStatus(fast_answer), 200);
  for (const auto& connection : slow) EXPECT_FALSE(connection->answered()) << "a delayed call answered first";
  // All 40 delays run at once: together they take about 3 s, far below 40 x 3 s.
  const auto until = liaison::testing::deadlineIn(std::chrono::seconds(10));
  for (const auto& connection : slow) {
    const auto answer = connection->readResponse(until);
    ASSERT_EQ(liaison::testing::rawStatus(answer), 200);
    EXPECT_NE(answer->find("/slow"), std::string::npos);
  }
}

// The client keeps connections alive between calls, but never lets curl send a request a second
// time by itself: a server that drops a kept-alive connection after reading a request may have
// carried it out, so the call fails as "no answer" and the server saw it once.
TEST_F(ServerTest, ARequestOnAConnectionThatDropsIsNeverResentBehindTheCallersBack) {
  std::atomic<int> dropped_calls{0};
  startWith({}, [&](Request& request) {
    if (request.path() == "/drop") {
      ++dropped_calls;
      Response dropped;
      dropped.abort_connection = true;
      return dropped;
    }
    return Response::text(200, "ok");
  });
  for (const std::string method : {"GET", "PUT", "POST"}) {
    SCOPED_TRACE(method);
    dropped_calls = 0;
    EXPECT_EQ(send({"GET", "/warm"}).status, 200);  // leaves a connection to reuse
    ClientRequest request{method, base_ + "/drop"};
    request.timeout = std::chrono::seconds(30);
    auto response = client_->send(request);
    EXPECT_FALSE(response) << "answered " << response->status;
    EXPECT_EQ(dropped_calls.load(), 1);
  }
}

}  // namespace
}  // namespace liaison::http::testing
