// The event-loop client: answers come back on the loop's thread, never inside send(); many calls
// wait at once on one thread; a small answer comes whole, a large one as a stream before it has
// all arrived, which a reader on another thread drains; failures are errors; a reader that goes
// away ends its transfer and the client goes on serving.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "http/client/curl_loop_client.h"
#include "http/server/server.h"

namespace liaison::http::testing {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

struct Outcome {
  Result<StreamedResponse> answer = makeError(ErrorCode::Internal, "test.unanswered", "");
  bool on_loop = false;
  bool inside_send = false;
};

class LoopClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_thread_ = std::thread([this] {
      loop_id_ = std::this_thread::get_id();
      loop_.run();
    });
    onLoop([this] { client_ = makeCurlLoopClient(loop_, LoopClientOptions{64 * 1024}); });
  }
  void TearDown() override {
    onLoop([this] { client_.reset(); });
    guard_.reset();
    loop_.stop();
    loop_thread_.join();
    if (server_) server_->stop();
  }

  // Runs `work` on the loop's thread and waits for it.
  void onLoop(std::function<void()> work) {
    std::promise<void> finished;
    asio::post(loop_, [&] {
      work();
      finished.set_value();
    });
    finished.get_future().wait();
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

  // Sends on the loop; the future is ready once the answer (or its failure) came.
  std::future<std::shared_ptr<Outcome>> send(ClientRequest r) {
    auto promise = std::make_shared<std::promise<std::shared_ptr<Outcome>>>();
    auto future = promise->get_future();
    asio::post(loop_, [this, r = std::move(r), promise]() mutable {
      auto outcome = std::make_shared<Outcome>();
      auto sending = std::make_shared<std::atomic<bool>>(true);
      client_->send(std::move(r), [this, outcome, promise, sending](Result<StreamedResponse> answer) {
        outcome->answer = std::move(answer);
        outcome->on_loop = std::this_thread::get_id() == loop_id_;
        outcome->inside_send = sending->load();
        promise->set_value(outcome);
      });
      sending->store(false);
    });
    return future;
  }

  static std::shared_ptr<Outcome> await(std::future<std::shared_ptr<Outcome>>& future) {
    if (future.wait_for(20s) != std::future_status::ready) return nullptr;
    return future.get();
  }

  static std::string drain(BodyStream& body) {
    std::string all;
    char buffer[8192];
    for (;;) {
      auto got = body.read(buffer, sizeof buffer);
      if (!got) return all + "<failed: " + got.error().message + ">";
      if (*got == 0) return all;
      all.append(buffer, *got);
    }
  }

  asio::io_context loop_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(loop_);
  std::thread loop_thread_;
  std::thread::id loop_id_;
  std::unique_ptr<AsyncHttpClient> client_;
  Handler handler_;
  std::unique_ptr<Server> server_;
  std::string base_;
};

TEST_F(LoopClientTest, ManyCallsWaitAtOnceOnOneThreadAndEachGetsItsOwnAnswer) {
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

TEST_F(LoopClientTest, ALargeAnswerComesAsAStreamBeforeItHasArrivedAndIsReadWhole) {
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

TEST_F(LoopClientTest, ReadingAStreamOnItsOwnLoopBeforeItsBytesCameFailsInsteadOfHanging) {
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
  asio::post(loop_, [&] {
    client_->send(request("/held"), [&](Result<StreamedResponse> answer) {
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

TEST_F(LoopClientTest, AReaderThatGoesAwayEndsItsTransferAndTheClientGoesOn) {
  const std::string big(4 * 1024 * 1024, 'y');
  serve([&](Request& r) { return Response::text(200, r.path() == "/big" ? big : std::string("small")); });
  auto first = send(request("/big"));
  auto outcome = await(first);
  ASSERT_TRUE(outcome && outcome->answer);
  char buffer[1024];
  ASSERT_TRUE(outcome->answer->body->read(buffer, sizeof buffer));
  outcome->answer->body.reset();  // the rest is never read: curl is told to stop
  for (int i = 0; i < 5; ++i) {
    auto next = send(request("/small"));
    auto after = await(next);
    ASSERT_TRUE(after && after->answer) << "call " << i << " after the abandoned one";
    EXPECT_EQ(drain(*after->answer->body), "small");
  }
}

TEST_F(LoopClientTest, NoServerAndASilentServerAreTransportFailures) {
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

}  // namespace
}  // namespace liaison::http::testing
