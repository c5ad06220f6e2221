#include "app/run_sandbox.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cc/errors.h"
#include "core/clock.h"
#include "core/logging.h"
#include "core/memory.h"
#include "core/random.h"
#include "http/server/server.h"
#include "sandbox/demo_business.h"
#include "sandbox/sandbox.h"
#include "storage/document_store.h"

namespace liaison::app {

namespace {

std::string urlHost(const std::string& host) {
  if (host == "0.0.0.0" || host == "::") return "127.0.0.1";
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// `business`: what the demo seed put in the demo account, empty for the other seeds.
void printBanner(const std::string& url, bool demo, const std::string& business) {
  std::printf("Liaison sandbox listening on %s\n", url.c_str());
  std::printf("  Authorization server metadata: %s/.well-known/oauth-authorization-server\n", url.c_str());
  std::printf("  v3 API base URL:               %s/v3\n", url.c_str());
  if (demo) {
    std::printf("Demo credentials:\n");
    std::printf("  users:  owner@sandbox.test (Account Owner), creator@sandbox.test (Campaign Creator); password: sandbox\n");
    std::printf("  apps:   sandbox-client / sandbox-secret (confidential, authorization code)\n");
    std::printf("          sandbox-public (public: PKCE and device flow)\n");
    std::printf("  redirect URIs: http://127.0.0.1/callback, http://localhost/callback (any port)\n");
    if (!business.empty()) {
      std::printf("  demo account \"Sandbox Bakery\" (a07e1sandbox01), as seeded: %s\n", business.c_str());
    }
  }
  std::printf("Press Ctrl+C to stop.\n");
  std::fflush(stdout);
}

}  // namespace

SandboxInstance openSandbox(const cli::SandboxCommand& options, const Clock& clock, RandomSource& random) {
  SandboxInstance out;
  if (!options.data_dir.empty()) {
    std::filesystem::create_directories(options.data_dir);
    std::filesystem::permissions(options.data_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace);
    out.store = storage::openSqliteDocumentStore(
        (std::filesystem::path(options.data_dir) / "sandbox.sqlite3").string());
  }
  sandbox::SandboxOptions sandbox_options;
  sandbox_options.profile = options.profile == "fast" ? sandbox::Profile::Fast : sandbox::Profile::Strict;
  sandbox_options.seed = sandbox::parseSeed(options.seed).value_or(sandbox::SeedKind::Demo);
  sandbox_options.auth.device_code_lifetime_s = options.device_code_lifetime_s;
  growHeapInSteps(32 << 20);  // contacts arrive by the thousand per second under load
  out.sandbox = std::make_unique<sandbox::Sandbox>(sandbox_options, clock, random, out.store.get());
  if (!options.fixture.empty() && out.sandbox->auth().startedFresh()) {
    std::ifstream file(options.fixture);
    const auto fixture = nlohmann::json::parse(file, nullptr, false);
    if (auto loaded = out.sandbox->loadFixture(fixture); !loaded) {
      throw std::runtime_error("fixture " + options.fixture + ": " + loaded.error().message);
    }
  }
  return out;
}

int runSandbox(const cli::SandboxCommand& options, bool banner) {
  const Stopwatch started;
  configureLogging(options.log_level);
  SystemClock system_clock;
  CryptoRandom random;
  auto instance = openSandbox(options, system_clock, random);
  auto& sandbox = *instance.sandbox;
  auto& store = instance.store;

  http::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.render_error = cc::errorResponse;  // the sandbox answers as CC does, even to bad HTTP
  http::Server server(server_options, [&sandbox](http::Request& request) { return sandbox.dispatch(request); });
  // The base URL (the token issuer) is set before any request can be answered.
  server.runUntilSignalled([&](uint16_t port) {
    const std::string url = "http://" + urlHost(options.host) + ":" + std::to_string(port);
    sandbox.setBaseUrl(url);
    const double ready_ms = static_cast<double>(started.elapsed().count()) / 1000.0;
    spdlog::info("sandbox ready on {} in {:.1f} ms (profile {}, {} state)", url, ready_ms, options.profile,
                 store ? "persistent" : "in-memory");
    if (banner) {
      const std::string business =
          options.seed == "demo" ? sandbox::describeDemoBusiness(sandbox.demoSummary()) : std::string();
      printBanner(url, options.seed != "empty", business);
    }
  });
  return 0;
}

}  // namespace liaison::app
