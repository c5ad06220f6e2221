#pragma once
// A sandbox on a manual clock. By default the tests drive its pure request handler (no
// sockets); with LIAISON_SANDBOX_TRANSPORT=http (CTest registers every test a second time that
// way) the same tests run end to end: the sandbox behind the real server on port 0, reached
// through the libcurl client.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "cc/errors.h"
#include "core/clock.h"
#include "core/random.h"
#include "http/client/http_client.h"
#include "http/server/server.h"
#include "oauth/pkce.h"
#include "sandbox/sandbox.h"
#include "sandbox/sandbox_client.h"

namespace liaison::testing {

// Sends test requests through an HttpClient (libcurl for real HTTP, or support/
// in_process_http_client.h) to `base`; transport failures come back as status 599.
inline Transport clientTransport(std::string base, http::HttpClient& client) {
  return [base = std::move(base), &client](http::Request& request) {
    http::ClientRequest out;
    out.method = request.method;
    out.url = base + request.target;
    out.headers = request.headers;
    out.body = request.body;
    // A 40,000-row import under the sanitizers on a loaded machine can take longer than a client's
    // usual 10 s; a server that hangs still fails the test at its CTest timeout.
    out.timeout = std::chrono::seconds(60);
    http::Response response;
    auto result = client.send(out);
    if (!result) {
      response.status = 599;
      response.body = result.error().message;
      return response;
    }
    response.status = result->status;
    response.headers = result->headers;
    response.body = result->body;
    return response;
  };
}

// Options for a sandbox under test: fast password hashing keeps user creation quick.
inline sandbox::SandboxOptions testSandboxOptions(sandbox::Profile profile = sandbox::Profile::Fast) {
  sandbox::SandboxOptions options;
  options.profile = profile;
  options.auth.password_hash_iterations = 1000;
  return options;
}

inline constexpr const char* kVerifier = "dBjftJeZ4CVP-mA4ojWlEgc9F4NQdV4sf1b9NV52v6M";
inline constexpr const char* kRedirect = "http://127.0.0.1:53117/callback";
inline constexpr const char* kTokenPath = "/oauth2/default/v1/token";

// The device flow's token response for a public app (sandbox-public unless named), approved
// through the control API: how a test becomes a user before it calls /v3. The caller asserts on
// access_token.
inline nlohmann::json deviceFlowTokens(SandboxClient& client, const std::string& scope,
                                       const std::string& client_id = "sandbox-public") {
  auto device = jsonOf(client.postForm("/oauth2/default/v1/device/authorize",
                                       formBody({{"client_id", client_id}, {"scope", scope}})));
  if (client.postJson("/__sandbox/device/approve", {{"user_code", device.value("user_code", "")}}).status !=
      200) {
    return {{"error", "device approval failed"}};
  }
  return jsonOf(
      client.postForm(kTokenPath, formBody({{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                                            {"client_id", client_id},
                                            {"device_code", device.value("device_code", "")}})));
}

class SandboxTest : public ::testing::Test {
 protected:
  explicit SandboxTest(sandbox::Profile profile = sandbox::Profile::Fast)
      : base_clock_(fromUnixSeconds(1'800'000'000)),
        sandbox_(std::make_unique<sandbox::Sandbox>(options(profile), base_clock_, random_, nullptr)),
        client_(transport()) {
    sandbox_->setBaseUrl("http://sandbox.test");
  }
  ~SandboxTest() override {
    if (server_) {
      server_->stop();
      server_->wait();
    }
  }

  static bool httpMode() {
    const char* mode = std::getenv("LIAISON_SANDBOX_TRANSPORT");
    return mode != nullptr && std::string(mode) == "http";
  }

  // How test clients reach the sandbox: its handler directly, or real HTTP to a real server.
  Transport transport() {
    if (!httpMode()) return [this](http::Request& request) { return sandbox_->handle(request); };
    if (!server_) {
      http::ServerOptions options;
      options.port = 0;
      options.access_log = false;
      options.render_error = cc::errorResponse;
      server_ = std::make_unique<http::Server>(options, [this](http::Request& r) { return sandbox_->dispatch(r); });
      server_->start();
      http_ = http::makeCurlHttpClient();
    }
    return clientTransport("http://127.0.0.1:" + std::to_string(server_->port()), *http_);
  }

  static sandbox::SandboxOptions options(sandbox::Profile profile) {
    auto options = testSandboxOptions(profile);
    // The demo account without its business: most tests count contacts and lists from zero.
    options.seed = sandbox::SeedKind::Bare;
    return options;
  }

  void advance(int seconds) { sandbox_->clock().advance(std::chrono::seconds(seconds)); }

  // An authorization code for the public PKCE app.
  std::string publicCode(const std::string& scope = "account_read offline_access") {
    auto location = client_.authorize(
        formBody({{"client_id", "sandbox-public"}, {"redirect_uri", kRedirect}, {"response_type", "code"},
                  {"scope", scope}, {"state", "s1"}, {"code_challenge", oauth::s256Challenge(kVerifier)},
                  {"code_challenge_method", "S256"}}));
    return redirectParams(location).getOr("code");
  }

  // An authorization code for the confidential app.
  std::string confidentialCode(const std::string& scope = "account_read contact_data offline_access",
                               const std::string& email = "owner@sandbox.test") {
    auto location = client_.authorize(formBody({{"client_id", "sandbox-client"}, {"redirect_uri", kRedirect},
                                                {"response_type", "code"}, {"scope", scope}, {"state", "s2"}}),
                                      email);
    return redirectParams(location).getOr("code");
  }

  http::Response redeemPublic(const std::string& code, const std::string& verifier = kVerifier) {
    return client_.postForm(kTokenPath, formBody({{"grant_type", "authorization_code"}, {"client_id", "sandbox-public"},
                                                  {"code", code}, {"redirect_uri", kRedirect},
                                                  {"code_verifier", verifier}}));
  }

  http::Response redeemConfidential(const std::string& code, const std::string& redirect = kRedirect) {
    return client_.postForm(kTokenPath,
                            formBody({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", redirect}}),
                            {{"Authorization", basicAuth("sandbox-client", "sandbox-secret")}});
  }

  http::Response refreshPublic(const std::string& refresh_token, const std::string& scope = "") {
    if (scope.empty()) {
      return client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"client_id", "sandbox-public"},
                                                    {"refresh_token", refresh_token}}));
    }
    return client_.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"client_id", "sandbox-public"},
                                                  {"refresh_token", refresh_token}, {"scope", scope}}));
  }

  ManualClock base_clock_;
  CryptoRandom random_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::HttpClient> http_;
  SandboxClient client_;
};

class StrictSandboxTest : public SandboxTest {
 protected:
  StrictSandboxTest() : SandboxTest(sandbox::Profile::Strict) {}
};

}  // namespace liaison::testing
