#pragma once
// A hub and a sandbox in one process on one virtual clock: the hub's CC calls go straight to
// the sandbox's handler (no sockets, no timing), webhook deliveries to a recorder.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/hub_runtime.h"
#include "app/hub_runtime_parts.h"
#include "hub/vault/key_encryption_key.h"
#include "sandbox/sandbox.h"
#include "support/seeded_random.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace liaison::testing {

constexpr const char* kSandboxOrigin = "http://127.0.0.1:8600";
constexpr const char* kHubUrl = "http://127.0.0.1:8700";

// CC calls to the sandbox; everything else (webhook URLs) recorded and answered with `status`.
class RoutingHttpClient final : public http::HttpClient {
 public:
  explicit RoutingHttpClient(sandbox::Sandbox& sandbox) : sandbox_(sandbox) {}
  Result<http::ClientResponse> send(const http::ClientRequest& request) override {
    if (request.url.starts_with(kSandboxOrigin)) {
      http::Request in;
      in.method = request.method;
      in.target = request.url.substr(std::string(kSandboxOrigin).size());
      in.headers = request.headers;
      in.body = request.body;
      in.remote_address = "127.0.0.1";
      auto out = sandbox_.handle(in);
      exchanges.push_back({request.url, request.headers, request.body, out.body});
      // Another client changing CC between two calls of the hub (between the pages of a read).
      if (after_sandbox_call) after_sandbox_call(request);
      if (out.abort_connection) return makeError(ErrorCode::Unavailable, "reset", "connection reset");
      return http::ClientResponse{out.status, out.headers, out.body};
    }
    outside.push_back(request);
    if (outside_down) return makeError(ErrorCode::Unavailable, "refused", "connection refused");
    return http::ClientResponse{outside_status, {}, ""};
  }
  struct Exchange {
    std::string url;
    http::Headers headers;
    std::string request_body;
    std::string response_body;
  };
  std::vector<Exchange> exchanges;  // every call the hub made to the sandbox
  std::vector<http::ClientRequest> outside;
  int outside_status = 200;
  bool outside_down = false;
  std::function<void(const http::ClientRequest&)> after_sandbox_call;  // run once CC answered

 private:
  sandbox::Sandbox& sandbox_;
};

// The event-loop client for in-process tests: a call goes to `http` when the queue it was put on
// is run, after the handler that sent it returned, as on a real loop.
class QueuedAsyncClient final : public http::AsyncHttpClient {
 public:
  QueuedAsyncClient(http::HttpClient& http, std::deque<std::function<void()>>& queue)
      : http_(http), queue_(queue) {}
  void send(http::ClientRequest request, Done done) override {
    ++sent;
    queue_.push_back([this, request = std::move(request), done = std::move(done)] {
      auto answer = http_.send(request);
      if (!answer) return done(answer.error());
      done(http::StreamedResponse{answer->status, answer->headers, http::bodyStreamOf(answer->body)});
    });
  }
  int sent = 0;

 private:
  http::HttpClient& http_;
  std::deque<std::function<void()>>& queue_;
};

struct Answer {
  int status = 0;
  nlohmann::json body;
  http::Response raw;
};

class HubFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_options_.profile = sandbox::Profile::Fast;
    sandbox_ = std::make_unique<sandbox::Sandbox>(sandbox_options_, clock_, sandbox_random_, nullptr);
    sandbox_->setBaseUrl(kSandboxOrigin);
    auto app = sandboxCall("POST", "/__sandbox/apps",
                           {{"client_id", "hub-app"},
                            {"name", "Liaison demo app"},
                            {"confidential", true},
                            {"redirect_uris", {std::string(kHubUrl) + "/connect/callback"}},
                            {"flows", {"authorization_code", "device"}},
                            {"refresh_token_type", "rotating"}});
    ASSERT_EQ(app.status, 201) << app.body.dump();
    client_secret_ = app.body["client_secret"].get<std::string>();
    http_ = std::make_unique<RoutingHttpClient>(*sandbox_);
    ASSERT_TRUE(hub::writeKeyFile((dir_.path() / "vault.key").string(), hub_random_).ok());
    startHub();
  }

  void startHub() {
    hub_.reset();
    app::HubConfig config;
    config.data_dir = dir_.path().string();
    if (liaison::testing::testStoreIsPostgres()) config.store_url = store_location_;
    config.public_url = kHubUrl;
    config.cc_base_url = kSandboxOrigin;
    config.client_id = "hub-app";
    config.app_name = app_name_;
    config.budget_max_queue_wait_ms = max_queue_wait_ms_;
    config.budget_requests_per_day = requests_per_day_;
    config.budget_requests_per_second = requests_per_second_;
    config.budget_window_margin_ms = window_margin_ms_;
    config.client_secret = Secret(client_secret_);
    config.redirect_uri = std::string(kHubUrl) + "/connect/callback";
    config.default_scopes = {"account_read", "contact_data", "campaign_data", "offline_access"};
    app::HubRuntimeOptions options;
    options.waiter = [this](std::chrono::milliseconds ms) { clock_.advance(ms); };
    options.holder = "test-holder";
    hub_ = std::make_unique<app::HubRuntime>(config, *http_, clock_, hub_random_, options);
    api_key_ = hub_->createApiKey("tests").first;
  }

  Answer sandboxCall(const std::string& method, const std::string& target,
                     const nlohmann::json& body = nullptr) {
    http::Request request;
    request.method = method;
    request.target = target;
    request.remote_address = "127.0.0.1";
    if (!body.is_null()) {
      request.body = body.dump();
      request.headers.set("Content-Type", "application/json");
    }
    auto response = sandbox_->handle(request);
    return {response.status, nlohmann::json::parse(response.body, nullptr, false), response};
  }

  Answer hubCall(const std::string& method, const std::string& target, const nlohmann::json& body = nullptr,
                 const std::string& key = "default") {
    http::Request request;
    request.method = method;
    request.target = target;
    request.remote_address = "127.0.0.1";
    if (key == "default") {
      request.headers.set("Authorization", "Bearer " + api_key_);
    } else if (!key.empty()) {
      request.headers.set("Authorization", "Bearer " + key);
    }
    if (!body.is_null()) {
      request.body = body.dump();
      request.headers.set("Content-Type", "application/json");
    }
    auto response = hub_->handle(request);
    hub_answers.push_back(response.body);
    for (const auto& [name, value] : response.headers.pairs()) hub_answers.push_back(name + ": " + value);
    return {response.status, nlohmann::json::parse(response.body, nullptr, false), response};
  }

  // `request` as the server answers it: a route that answers later (Dispatch::async_handler) gets
  // an event-loop client and a Reply; what it sends and hands to the blocking pool runs after it
  // returned, in order, until it answered. Counts the calls sent from the "loop" in loop_sends_.
  http::Response serve(http::Request& request) {
    auto dispatch = hub_->dispatch(request);
    // As the server does: a body that streams goes to the blocking handler.
    if (dispatch.async_handler == nullptr || request.body_stream) return hub_->handle(request);
    std::deque<std::function<void()>> later;
    std::optional<http::Response> answered;
    QueuedAsyncClient upstream(*http_, later);
    {
      auto state = std::make_shared<http::Reply::State>();
      state->answer = [&answered](http::Response response) { answered = std::move(response); };
      state->run_blocking = [&later](std::function<void()> job) { later.push_back(std::move(job)); };
      state->unanswered = [] { return http::Response::text(500, "unanswered"); };
      (*dispatch.async_handler)(request, upstream, http::Reply(std::move(state)));
    }
    while (!later.empty()) {
      auto job = std::move(later.front());
      later.pop_front();
      job();
    }
    loop_sends_ += upstream.sent;
    if (!answered) return http::Response::text(599, "no answer");
    if (answered->stream) {  // as HubRuntime::handle reads one in process
      auto body = http::readAll(*answered->stream);
      answered->stream.reset();
      if (body) answered->body = std::move(*body);
      if (!body) answered->abort_connection = true;
    }
    return std::move(*answered);
  }

  // Connects the demo account for `end_user` through the device flow; returns the connection id.
  std::string connectByDevice(const std::string& end_user) {
    auto session =
        hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", end_user}, {"flow", "device"}});
    EXPECT_EQ(session.status, 201) << session.body.dump();
    auto approved =
        sandboxCall("POST", "/__sandbox/device/approve", {{"user_code", session.body["user_code"]}});
    EXPECT_EQ(approved.status, 200) << approved.body.dump();
    clock_.advance(std::chrono::seconds(session.body["interval"].get<int>()));
    hub_->tick();
    auto done = hubCall("GET", "/api/v1/connect-sessions/" + session.body["id"].get<std::string>());
    EXPECT_EQ(done.body["status"], "connected") << done.body.dump();
    return done.body.value("connection_id", "");
  }

  ManualClock clock_{fromUnixSeconds(1'800'000'000)};
  SeededRandom sandbox_random_{7};
  SeededRandom hub_random_{11};
  TempDir dir_{"liaison-hub"};
  // hub.db in dir_, or one PostgreSQL database that every startHub() of the test reopens.
  const std::string store_location_ = liaison::testing::testStoreLocation(dir_.path() / "hub.db");
  sandbox::SandboxOptions sandbox_options_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::unique_ptr<RoutingHttpClient> http_;
  std::unique_ptr<app::HubRuntime> hub_;
  std::string client_secret_;
  std::string app_name_;           // cc.app_name for startHub(); empty: the connect page names the client_id
  int max_queue_wait_ms_ = 10000;  // budget.max_queue_wait_ms for startHub()
  int requests_per_day_ = 10000;   // budget.requests_per_day for startHub()
  int requests_per_second_ = 4;    // budget.requests_per_second for startHub()
  int loop_sends_ = 0;             // CC calls serve() saw sent from the event loop
  // budget.window_margin_ms for startHub(): none, so tests see CC's exact second.
  int window_margin_ms_ = 0;
  std::string api_key_;
  std::vector<std::string> hub_answers;  // every body and header the hub answered with
};

}  // namespace liaison::testing
