#pragma once
// A client on an event loop of its own thread, for the loop clients' tests: sends from the loop,
// waits (with a deadline) for the answer, and says whether it came on the loop and not inside
// send().
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "http/client/loop_client.h"

namespace liaison::http::testing {

struct Outcome {
  Result<StreamedResponse> answer = makeError(ErrorCode::Internal, "test.unanswered", "");
  bool on_loop = false;
  bool inside_send = false;
};

using ClientFactory = std::unique_ptr<AsyncHttpClient> (*)(boost::asio::io_context&, LoopClientOptions);

class LoopHarness {
 public:
  LoopHarness(ClientFactory factory, LoopClientOptions options) {
    loop_thread_ = std::thread([this] {
      loop_id_ = std::this_thread::get_id();
      loop_.run();
    });
    onLoop([&] { client_ = factory(loop_, options); });
  }
  ~LoopHarness() {
    onLoop([this] { client_.reset(); });
    guard_.reset();
    loop_.stop();
    loop_thread_.join();
  }
  LoopHarness(const LoopHarness&) = delete;
  LoopHarness& operator=(const LoopHarness&) = delete;

  // Runs `work` on the loop's thread and waits for it.
  void onLoop(std::function<void()> work) {
    std::promise<void> finished;
    boost::asio::post(loop_, [&] {
      work();
      finished.set_value();
    });
    finished.get_future().wait();
  }

  // Sends on the loop; the future is ready once the answer (or its failure) came.
  std::future<std::shared_ptr<Outcome>> send(ClientRequest r) {
    auto promise = std::make_shared<std::promise<std::shared_ptr<Outcome>>>();
    auto future = promise->get_future();
    boost::asio::post(loop_, [this, r = std::move(r), promise]() mutable {
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

  // The outcome, or null when none came within 20 s.
  static std::shared_ptr<Outcome> await(std::future<std::shared_ptr<Outcome>>& future) {
    using namespace std::chrono_literals;
    if (future.wait_for(20s) != std::future_status::ready) return nullptr;
    return future.get();
  }

  // Sends and waits.
  std::shared_ptr<Outcome> call(ClientRequest r) {
    auto future = send(std::move(r));
    return await(future);
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

  boost::asio::io_context& loop() { return loop_; }
  AsyncHttpClient& client() { return *client_; }

 private:
  boost::asio::io_context loop_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_ =
      boost::asio::make_work_guard(loop_);
  std::thread loop_thread_;
  std::thread::id loop_id_;
  std::unique_ptr<AsyncHttpClient> client_;
};

}  // namespace liaison::http::testing
