#include "app/run_up.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "app/demo_sync.h"
#include "app/hub_runtime.h"
#include "app/hub_runtime_parts.h"
#include "app/run_sandbox.h"
#include "cc/errors.h"
#include "core/logging.h"
#include "http/server/server.h"
#include "hub/api/wire.h"
#include "hub/vault/key_encryption_key.h"

namespace liaison::app {

namespace {

constexpr const char* kHubClientId = "liaison-hub";
// The hub's connect page and the sandbox's sign-in page name the app the same way.
constexpr const char* kHubAppName = "Liaison demo app";
constexpr const char* kDemoEndUser = "demo";

nlohmann::json callSandbox(sandbox::Sandbox& sandbox, const std::string& method, const std::string& target,
                           const nlohmann::json& body, int& status) {
  http::Request request;
  request.method = method;
  request.target = target;
  request.remote_address = "127.0.0.1";
  if (!body.is_null()) {
    request.body = body.dump();
    request.headers.set("Content-Type", "application/json");
  }
  auto response = sandbox.handle(request);
  status = response.status;
  return nlohmann::json::parse(response.body, nullptr, false);
}

// The hub's CC app in the sandbox: registered on first start; on later starts its secret is
// regenerated, so the secret lives only in this process's memory (tokens already issued keep
// working).
Secret hubAppSecret(sandbox::Sandbox& sandbox) {
  int status = 0;
  auto apps = callSandbox(sandbox, "GET", "/__sandbox/apps", nullptr, status);
  bool registered = false;
  for (const auto& app : apps.is_array() ? apps : nlohmann::json::array()) {
    registered = registered || (app.is_object() && app.value("client_id", "") == kHubClientId);
  }
  nlohmann::json answer;
  if (registered) {
    answer = callSandbox(sandbox, "POST", std::string("/__sandbox/apps/") + kHubClientId + "/secret", nullptr,
                         status);
  } else {
    // Loopback redirect URIs match on any port, so the hub may move to another port.
    answer = callSandbox(
        sandbox, "POST", "/__sandbox/apps",
        {{"client_id", kHubClientId},
         {"name", kHubAppName},
         {"confidential", true},
         {"redirect_uris", {"http://127.0.0.1/connect/callback", "http://localhost/connect/callback"}},
         {"flows", {"authorization_code", "device"}},
         {"refresh_token_type", "rotating"}},
        status);
  }
  if (status / 100 != 2 || !answer.is_object() || !answer.contains("client_secret")) {
    throw std::runtime_error("the sandbox did not register the hub's app (" + std::to_string(status) + ")");
  }
  return Secret(answer["client_secret"].get<std::string>());
}

// Connects the demo account through the device flow, approved through the sandbox's control API.
void connectDemoAccount(HubRuntime& hub, sandbox::Sandbox& sandbox) {
  auto& parts = hub.parts();
  auto existing = parts.connections.list(kDemoEndUser);
  if (existing && !existing->empty()) return;
  hub::SessionRequest request;
  request.end_user_id = kDemoEndUser;
  request.flow = hub::SessionFlow::Device;
  request.scopes = {"account_read", "account_update", "contact_data", "campaign_data", "offline_access"};
  auto session = parts.connect->startSession(request);
  if (!session) throw std::runtime_error("connecting the demo account: " + session.error().message);
  int status = 0;
  callSandbox(sandbox, "POST", "/__sandbox/device/approve", {{"user_code", session->user_code}}, status);
  if (status != 200) throw std::runtime_error("the sandbox did not approve the demo account's device code");
  for (int attempt = 0; attempt < 6; ++attempt) {
    std::this_thread::sleep_for(std::chrono::seconds(session->interval_s));  // CC's polling interval
    hub.tick();
    auto now = parts.sessions.find(session->id);
    if (now && *now && (*now)->status != hub::SessionStatus::Pending) {
      if ((*now)->status != hub::SessionStatus::Connected) {
        throw std::runtime_error("connecting the demo account: " + (*now)->error);
      }
      return;
    }
  }
  throw std::runtime_error("connecting the demo account took too long");
}

std::string urlOf(const std::string& host, uint16_t port) {
  const std::string shown = host == "0.0.0.0" ? "127.0.0.1" : host;
  return "http://" + shown + ":" + std::to_string(port);
}

}  // namespace

int runUp(const cli::UpCommand& command) {
  configureLogging(command.sandbox.log_level);
  SystemClock clock;
  CryptoRandom random;
  auto instance = openSandbox(command.sandbox, clock, random);
  sandbox::Sandbox& sandbox = *instance.sandbox;

  http::ServerOptions sandbox_options;
  sandbox_options.host = command.sandbox.host;
  sandbox_options.port = command.sandbox.port;
  sandbox_options.render_error = cc::errorResponse;
  http::Server sandbox_server(sandbox_options, [&sandbox](http::Request& r) { return sandbox.dispatch(r); });
  const std::string sandbox_url = urlOf(command.sandbox.host, sandbox_server.bind());
  sandbox.setBaseUrl(sandbox_url);
  sandbox_server.run();

  HubRuntime* hub_ptr = nullptr;
  http::ServerOptions hub_options;
  hub_options.host = command.hub_host;
  hub_options.port = command.hub_port;
  hub_options.blocking_threads = kHubBlockingThreads;
  hub_options.render_error = [](const Error& error) { return hub::api::errorResponse(error); };
  http::Server hub_server(hub_options, [&hub_ptr](http::Request& r) { return hub_ptr->dispatch(r); });
  const std::string hub_url = urlOf(command.hub_host, hub_server.bind());

  HubConfig config;
  config.data_dir = command.sandbox.data_dir;
  config.public_url = hub_url;
  config.cc_base_url = sandbox_url;
  config.client_id = kHubClientId;
  config.app_name = kHubAppName;
  config.client_secret = hubAppSecret(sandbox);
  config.redirect_uri = hub_url + "/connect/callback";
  config.default_scopes = {"account_read", "contact_data", "campaign_data", "offline_access"};
  config.log_level = command.sandbox.log_level;
  const std::string key_file = vaultKeyFile(config);
  if (!std::filesystem::exists(key_file)) {
    if (auto written = hub::writeKeyFile(key_file, random); !written)
      throw std::runtime_error(written.error().message);
  }
  auto http_client = http::makeCurlHttpClient();
  HubRuntime hub(config, *http_client, clock, random);
  hub_ptr = &hub;

  std::string api_key;
  if (auto keys = hub.parts().keys.list(); keys && keys->empty()) api_key = hub.createApiKey("up").first;
  connectDemoAccount(hub, sandbox);
  std::string demo_id;
  if (auto demo = hub.parts().connections.list(kDemoEndUser); demo && !demo->empty())
    demo_id = demo->front().id;
  const std::string sync_id = demo_id.empty() ? "" : addDemoSync(hub, config.data_dir, kHubClientId, demo_id);

  BackgroundLoop background(hub);
  hub_server.runUntilSignalled([&](uint16_t) {
    std::printf("Liaison is up.\n");
    std::printf("  Hub:     %s   (REST API under /api/v1, OpenAPI at /api/v1/openapi.json)\n",
                hub_url.c_str());
    std::printf("  Sandbox: %s   (Constant Contact's OAuth2 server and v3 API, with demo data)\n",
                sandbox_url.c_str());
    if (!api_key.empty()) {
      std::printf("  Hub API key (shown this once; only its hash is kept): %s\n", api_key.c_str());
    } else {
      std::printf(
          "  Hub API key: shown on the first start only (make another: liaison keys create --name NAME "
          "--data %s)\n",
          config.data_dir.c_str());
    }
    const std::string key = api_key.empty() ? "$LIAISON_API_KEY" : api_key;
    std::printf("Try:\n");
    std::printf("  curl -s -H \"Authorization: Bearer %s\" %s/api/v1/connections\n", key.c_str(),
                hub_url.c_str());
    std::printf("  curl -s -H \"Authorization: Bearer %s\" '%s/api/v1/connections/%s/health?fresh=true'\n",
                key.c_str(), hub_url.c_str(), demo_id.c_str());
    if (!sync_id.empty()) {
      std::printf("A demo sync links the demo account with the app's users in %s/demo-app.db:\n",
                  config.data_dir.c_str());
      // The key goes through the environment: on the command line it would show in `ps`.
      const std::string env = api_key.empty() ? "" : "LIAISON_API_KEY=" + api_key + " ";
      for (const char* verb : {"preview", "run"}) {
        std::printf("  %sliaison sync %s %s --hub %s\n", env.c_str(), verb, sync_id.c_str(), hub_url.c_str());
      }
    }
    std::printf("Press Ctrl+C to stop.\n");
    std::fflush(stdout);
  });
  sandbox_server.stop();
  sandbox_server.wait();
  return 0;
}

}  // namespace liaison::app
