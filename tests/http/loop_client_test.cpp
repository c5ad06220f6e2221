// The event-loop clients (curl's multi interface, and the plain HTTP one): answers come back on the loop's
// thread, never inside send(); many calls wait at once on one thread; a small answer comes whole, a large one
// as a stream before it has all arrived, which a reader on another thread drains; failures are errors; a
// reader that goes away ends its transfer and the client goes on serving.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "http/server/server.h"
#include "loop_harness.h"

namespace liaison::http::testing {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

class LoopClientTest : public ::testing::TestWithParam<ClientFactory> {
 protected:
  void TearDown() override {
    harness_.reset();
    if (server_) server_->stop();
  }

  void serve(std::function<Response(Request&)> handler, Execution execution = Execution::Inline) {
    handler_ = std::move(handler);
    ServerOptions options;
    options.port = 0;
    options.access_log = false;
    server_ = std::make_unique<Server>(options, [this, execution](Request&) {
      return Dispatch{&handler_, execution};
    });
    base_ = "http://127.0.0.1:" + std::to_string(server_->bind());
    server_->run();
  }

  ClientRequest request(std::string path, std::string method = "GET", std::string body = "") const {
    ClientRequest out;
    out.method = std::move(method);
    out.url = base_ + path;
    out.body = std::move(body);
    out.timeout = 10s;
    return out;
  }

  std::future<std::shared_ptr<Outcome>> send(ClientRequest r) { return harness_->send(std::move(r)); }
  static std::shared_ptr<Outcome> await(std::future<std::shared_ptr<Outcome>>& f) {
    return LoopHarness::await(f);
  }
  static std::string drain(BodyStream& body) { return LoopHarness::drain(body); }

  std::unique_ptr<LoopHarness> harness_ =
      std::make_unique<LoopHarness>(GetParam(), LoopClientOptions{64 * 1024});
  Handler handler_;
  std::unique_ptr<Server> server_;
  std::string base_;
};

TEST_P(LoopClientTest, ManyCallsWaitAtOnceOnOneThreadAndEachGetsItsOwnAnswer) {
  // Each answer is held 200 ms by the server: 50 calls one after another would take 10 s.
  serve([](Request& r) {
    Response response = Response::text(200, "echo " + std::string(r.path()) + " " + r.body);
    response.delay = 200ms;
    return response;
  });
  std::vector<std::future<std::shared_ptr<Outcome>>> futures;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i)
    futures.push_back(send(request("/n" + std::to_string(i), "POST", "b" + std::to_string(i))));
  for (int i = 0; i < 50; ++i) {
    auto outcome = await(futures[i]);
    ASSERT_TRUE(outcome) << "call " << i << " was never answered";
    ASSERT_TRUE(outcome->answer) << outcome->answer.error().message;
    EXPECT_EQ(outcome->answer->status, 200);
    EXPECT_EQ(drain(*outcome->answer->body), "echo /n" + std::to_string(i) + " b" + std::to_string(i));
    EXPECT_TRUE(outcome->on_loop);
    EXPECT_FALSE(outcome->inside_send);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 8s) << "the calls did not wait at the same time";
}

TEST_P(LoopClientTest, ALargeAnswerComesAsAStreamBeforeItHasArrivedAndIsReadWhole) {
  auto gate = std::make_shared<std::promise<void>>();
  auto opened = gate->get_future().share();
  const std::string chunk(32 * 1024, 'x');
  // 100 KB first (over the 64 KB whole-body limit), then 1 MB once the test opens the gate.
  struct Gated final : BodyStream {
    Gated(std::string chunk, std::shared_future<void> opened)
        : chunk(std::move(chunk)), opened(std::move(opened)) {}
    Result<size_t> read(char* out, size_t size) override {
      if (sent == 3) opened.wait_for(20s);
      if (sent == 35) return size_t{0};
      ++sent;
      const size_t n = std::min(size, chunk.size());
      std::memcpy(out, chunk.data(), n);
      return n;
    }
    std::string chunk;
    std::shared_future<void> opened;
    int sent = 0;
  };
  serve(
      [&](Request&) {
        Response response;
        response.stream = std::make_shared<Gated>(chunk, opened);
        return response;
      },
      Execution::Blocking);
  auto future = send(request("/export"));
  auto outcome = await(future);
  ASSERT_TRUE(outcome);
  ASSERT_TRUE(outcome->answer) << outcome->answer.error().message;
  EXPECT_EQ(outcome->answer->status, 200);
  gate->set_value();  // the answer came while the server was still holding most of it
  EXPECT_EQ(drain(*outcome->answer->body), std::string(35 * chunk.size(), 'x'));
}

TEST_P(LoopClientTest, ReadingAStreamOnItsOwnLoopBeforeItsBytesCameFailsInsteadOfHanging) {
  auto gate = std::make_shared<std::promise<void>>();
  auto opened = gate->get_future().share();
  serve(
      [opened](Request&) {
        // 128 KB (over the 64 KB limit: handed over as a stream), then nothing until the gate opens.
        struct Held final : BodyStream {
          explicit Held(std::shared_future<void> opened) : opened(std::move(opened)) {}
          Result<size_t> read(char* out, size_t size) override {
            if (sent >= 128 * 1024) {
              opened.wait_for(20s);
              return size_t{0};
            }
            const size_t n = std::min(size, 128 * 1024 - sent);
            std::memset(out, 'z', n);
            sent += n;
            return n;
          }
          std::shared_future<void> opened;
          size_t sent = 0;
        };
        Response response;
        response.stream = std::make_shared<Held>(opened);
        return response;
      },
      Execution::Blocking);
  std::promise<std::string> result;
  asio::post(harness_->loop(), [&] {
    harness_->client().send(request("/held"), [&](Result<StreamedResponse> answer) {
      if (!answer) return result.set_value("no answer: " + answer.error().message);
      char buffer[8192];
      for (;;) {  // on the loop's thread: what has come is read, then a read would wait
        auto got = answer->body->read(buffer, sizeof buffer);
        if (!got) return result.set_value(got.error().key);
        if (*got == 0) return result.set_value("ended");
      }
    });
  });
  auto future = result.get_future();
  ASSERT_EQ(future.wait_for(20s), std::future_status::ready) << "the loop's thread hung in a read";
  EXPECT_EQ(future.get(), "http.read_would_block_loop");
  gate->set_value();
}

TEST_P(LoopClientTest, AReaderThatGoesAwayEndsItsTransferAndTheClientGoesOn) {
  const std::string big(4 * 1024 * 1024, 'y');
  serve([&](Request& r) { return Response::text(200, r.path() == "/big" ? big : std::string("small")); });
  auto first = send(request("/big"));
  auto outcome = await(first);
  ASSERT_TRUE(outcome && outcome->answer);
  char buffer[1024];
  ASSERT_TRUE(outcome->answer->body->read(buffer, sizeof buffer));
  outcome->answer->body.reset();  // the rest is never read: the client is told to stop
  for (int i = 0; i < 5; ++i) {
    auto next = send(request("/small"));
    auto after = await(next);
    ASSERT_TRUE(after && after->answer) << "call " << i << " after the abandoned one";
    EXPECT_EQ(drain(*after->answer->body), "small");
  }
}

TEST_P(LoopClientTest, NoServerAndASilentServerAreTransportFailures) {
  serve([](Request&) {
    Response response = Response::text(200, "late");
    response.delay = 3s;
    return response;
  });
  auto refused_request = request("/");
  refused_request.url = "http://127.0.0.1:1/";
  auto refused = send(refused_request);
  auto silent_request = request("/slow");
  silent_request.timeout = 1s;
  auto silent = send(silent_request);
  auto r = await(refused);
  ASSERT_TRUE(r);
  ASSERT_FALSE(r->answer);
  EXPECT_EQ(r->answer.error().code, ErrorCode::Unavailable);
  EXPECT_TRUE(r->on_loop);
  auto s = await(silent);
  ASSERT_TRUE(s);
  ASSERT_FALSE(s->answer);
  EXPECT_EQ(s->answer.error().key, "timeout");
}

INSTANTIATE_TEST_SUITE_P(Clients, LoopClientTest,
                         ::testing::Values(&makeCurlLoopClient, &makePlainLoopClient),
                         [](const auto& info) { return info.index == 0 ? "Curl" : "Plain"; });

}  // namespace
}  // namespace liaison::http::testing
