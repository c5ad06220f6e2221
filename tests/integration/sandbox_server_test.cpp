// End to end over real sockets: the sandbox behind the Beast server on port 0, driven through
// the libcurl HTTP client, plus raw-socket checks of the server's limits and keep-alive.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "cc/errors.h"
#include "http/client/http_client.h"
#include "http/server/server.h"
#include "sandbox/sandbox_fixture.h"
#include "support/raw_http.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

// Sends raw bytes on one connection and reads until `responses` HTTP responses arrived or EOF.
std::string rawExchange(uint16_t port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "connect failed";
  timeval timeout{30, 0};  // only against a hang: every answer here comes at once
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

class ServerTest : public SandboxTest {
 protected:
  ServerTest() {
    http::ServerOptions options;
    options.port = 0;
    options.io_threads = 2;
    options.access_log = false;
    options.body_limit = 64 * 1024;
    options.render_error = cc::errorResponse;
    server_ = std::make_unique<http::Server>(options, [this](http::Request& r) { return sandbox_->dispatch(r); });
    base_ = "http://127.0.0.1:" + std::to_string(server_->bind());
    sandbox_->setBaseUrl(base_);  // before any request is answered
    server_->run();
    http_ = http::makeCurlHttpClient();
  }
  ~ServerTest() override {
    server_->stop();
    server_->wait();
  }

  // A SandboxClient whose transport is real HTTP.
  SandboxClient overHttp() { return SandboxClient(clientTransport(base_, *http_)); }

  std::unique_ptr<http::Server> server_;
  std::string base_;
  std::unique_ptr<http::HttpClient> http_;
};

TEST_F(ServerTest, DeviceFlowEndToEndOverHttp) {
  auto client = overHttp();
  auto start = client.postForm("/oauth2/default/v1/device/authorize",
                               formBody({{"client_id", "sandbox-public"}, {"scope", "account_read offline_access"}}));
  ASSERT_EQ(start.status, 200) << start.body;
  auto body = jsonOf(start);
  EXPECT_EQ(body["verification_uri"], base_ + "/activate");
  auto poll = [&] {
    return jsonOf(client.postForm(kTokenPath, formBody({{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                                                        {"client_id", "sandbox-public"},
                                                        {"device_code", body["device_code"]}})));
  };
  EXPECT_EQ(poll()["error"], "authorization_pending");
  auto done = client.loginAndDecide(client.postForm("/activate", formBody({{"user_code", body["user_code"]}})),
                                    "owner@sandbox.test", "sandbox", "allow");
  EXPECT_EQ(done.status, 200);
  ASSERT_EQ(client.postJson("/__sandbox/clock/advance", {{"seconds", 5}}).status, 200);
  auto tokens = poll();
  ASSERT_TRUE(tokens.contains("access_token")) << tokens.dump();
  auto summary = client.get("/v3/account/summary", tokens["access_token"]);
  EXPECT_EQ(summary.status, 200);
  EXPECT_TRUE(summary.headers.get("X-Request-Id"));
  // The signature checks out against the published key.
  auto keys = jsonOf(client.get("/oauth2/default/v1/keys"));
  EXPECT_EQ(keys["keys"][0]["alg"], "RS256");
  auto metadata = jsonOf(client.get("/.well-known/oauth-authorization-server"));
  EXPECT_EQ(metadata["issuer"], base_);
  EXPECT_EQ(metadata["device_authorization_endpoint"], base_ + "/oauth2/default/v1/device/authorize");
}

TEST_F(ServerTest, CodeFlowWithBasicAuthOverHttp) {
  auto client = overHttp();
  auto location = client.authorize(formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                             {"response_type", "code"}, {"scope", "account_read"}, {"state", "abc"}}));
  auto params = redirectParams(location);
  EXPECT_EQ(params.getOr("state"), "abc");
  auto tokens = client.postForm(kTokenPath, formBody({{"grant_type", "authorization_code"}, {"code", params.getOr("code")},
                                                      {"redirect_uri", kRedirect}}),
                                {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}});
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_EQ(tokens.headers.get("Cache-Control"), "no-store");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  const std::string one = "GET /oauth2/default/v1/keys HTTP/1.1\r\nHost: x\r\n\r\n";
  auto out = rawExchange(server_->port(), one + one + one);
  size_t count = 0;
  for (size_t pos = 0; (pos = out.find("HTTP/1.1 200", pos)) != std::string::npos; ++pos) ++count;
  EXPECT_EQ(count, 3u);
}

TEST_F(ServerTest, OversizedHeadersGet431AndOversizedBodiesGet413) {
  auto big_header = rawExchange(server_->port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(big_header.rfind("HTTP/1.1 431", 0), 0u) << big_header.substr(0, 80);
  auto big_body = rawExchange(server_->port(), "POST /oauth2/default/v1/token HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                                               "Content-Type: application/x-www-form-urlencoded\r\n\r\n" + std::string(100000, 'a'));
  EXPECT_EQ(big_body.rfind("HTTP/1.1 413", 0), 0u) << big_body.substr(0, 80);
  auto garbage = rawExchange(server_->port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage.substr(0, 80);
}

TEST_F(ServerTest, ConcurrentCodeRedemptionsSucceedExactlyOnce) {
  auto client = overHttp();
  auto location = client.authorize(formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                             {"response_type", "code"}, {"scope", "account_read"}}));
  const std::string code = redirectParams(location).getOr("code");
  std::atomic<int> successes{0};
  std::atomic<int> invalid_grant{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      auto own = overHttp();
      auto response = own.postForm(kTokenPath, formBody({{"grant_type", "authorization_code"}, {"code", code},
                                                         {"redirect_uri", kRedirect}}),
                                   {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}});
      if (response.status == 200) ++successes;
      else if (jsonOf(response)["error"] == "invalid_grant") ++invalid_grant;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(successes.load(), 1);
  EXPECT_EQ(invalid_grant.load(), 15);
}

TEST_F(ServerTest, StopEndsIdleConnectionsPromptly) {
  auto client = overHttp();
  EXPECT_EQ(client.get("/oauth2/default/v1/keys").status, 200);
  const auto began = std::chrono::steady_clock::now();
  server_->stop();
  server_->wait();
  // Not a speed test: a stop that left the idle keep-alive connection open would wait out the
  // server's 30 s idle timeout. 20 s is far beyond any healthy stop, so only that hang fails it.
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(20));
  EXPECT_EQ(client.get("/oauth2/default/v1/keys").status, 599);
  server_ = std::make_unique<http::Server>(http::ServerOptions{.port = 0},
                                           [this](http::Request& r) { return sandbox_->dispatch(r); });
  server_->start();  // the destructor stops this one
}

TEST_F(ServerTest, LatencyFaultsDelayOnlyTheirOwnCalls) {
  // Every JWKS call is held 3 s; 40 of them at once must not delay each other, nor the metadata
  // call made meanwhile (a sleeping handler would queue them on the two pool threads: 60 s).
  auto client = overHttp();
  ASSERT_EQ(client
                .postJson("/__sandbox/faults",
                          {{"operation", "oauth.keys"}, {"action", {{"type", "latency"}, {"ms", 3000}}}})
                .status,
            201);
  std::vector<std::unique_ptr<RawConnection>> delayed;
  for (int i = 0; i < 40; ++i) {
    delayed.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(delayed.back()->send(rawGet("/oauth2/default/v1/keys")));
  }
  RawConnection unrelated(server_->port());
  ASSERT_TRUE(unrelated.send(rawGet("/.well-known/oauth-authorization-server")));
  EXPECT_EQ(rawStatus(unrelated.readResponse(deadlineIn(std::chrono::seconds(2)))), 200);
  for (const auto& connection : delayed)
    EXPECT_FALSE(connection->answered()) << "a delayed call answered first";
  const auto until = deadlineIn(std::chrono::seconds(10));
  for (const auto& connection : delayed) {
    const auto answer = connection->readResponse(until);
    ASSERT_EQ(rawStatus(answer), 200) << "not all 40 delayed calls were answered within 10 s";
    EXPECT_NE(answer->find("\"keys\""), std::string::npos);
  }
  client.send("DELETE", "/__sandbox/faults");
}

}  // namespace
}  // namespace liaison::testing
