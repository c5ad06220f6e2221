#include "app/run_hub.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "app/hub_config.h"
#include "app/hub_runtime.h"
#include "app/hub_runtime_parts.h"
#include "core/logging.h"
#include "http/server/server.h"
#include "hub/api/wire.h"
#include "hub/vault/key_encryption_key.h"

namespace liaison::app {

namespace {

// `local`: the command never talks to CC (keys, vault), so the CC app's id and secret may be
// missing; they are filled with placeholders that nothing uses. A data directory made by
// `liaison up` has no CC settings on disk at all.
HubConfig loadConfig(const cli::HubFlags& flags, bool local = false) {
  ConfigOverrides overrides;
  if (!flags.config_file.empty()) overrides.config_file = flags.config_file;
  if (!flags.data_dir.empty()) overrides.data_dir = flags.data_dir;
  if (!flags.listen.empty()) overrides.listen = flags.listen;
  auto env = processEnvironment();
  if (local) {
    env.try_emplace("LIAISON_CC_CLIENT_ID", "unset");
    env.try_emplace("LIAISON_CC_CLIENT_SECRET", "unset");
  }
  auto config = loadHubConfig(overrides, env);
  if (!config) throw std::runtime_error(config.error().message);
  return std::move(*config);
}

void prepareDataDir(const HubConfig& config) {
  std::filesystem::create_directories(config.data_dir);
  std::filesystem::permissions(config.data_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
}

}  // namespace

struct BackgroundLoop::State {
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread worker;
};

BackgroundLoop::BackgroundLoop(HubRuntime& hub) : state_(std::make_unique<State>()) {
  state_->worker = std::thread([this, &hub] {
    std::unique_lock lock(state_->mutex);
    while (!state_->stopping) {
      lock.unlock();
      int done = 0;
      try {
        done = hub.tick();
      } catch (const std::exception& e) {
        spdlog::error("hub background work failed: {}", e.what());
      }
      lock.lock();
      if (done == 0)
        state_->wake.wait_for(lock, std::chrono::seconds(1), [this] { return state_->stopping; });
    }
  });
}

BackgroundLoop::~BackgroundLoop() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  state_->worker.join();
}

int runServe(const cli::ServeCommand& command) {
  HubConfig config = loadConfig(command.flags);
  if (command.print_config) {
    std::fputs(printHubConfig(config).c_str(), stdout);
    return 0;
  }
  configureLogging(config.log_level);
  prepareDataDir(config);
  SystemClock clock;
  CryptoRandom random;
  auto http = http::makeCurlHttpClient();

  // The hub is built once the server is bound: with port 0 its public URL (connect links, the
  // redirect URI) is only known then. No request is answered before run(), so none sees it unset.
  std::unique_ptr<HubRuntime> hub;
  std::unique_ptr<BackgroundLoop> background;
  http::ServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.blocking_threads = kHubBlockingThreads;
  options.render_error = [](const Error& error) { return hub::api::errorResponse(error); };
  http::Server server(options, [&hub](http::Request& request) { return hub->dispatch(request); });
  server.runUntilSignalled([&](uint16_t port) {
    useBoundPort(config, port);
    hub = std::make_unique<HubRuntime>(config, *http, clock, random);
    background = std::make_unique<BackgroundLoop>(*hub);
    spdlog::info("hub ready on http://{}:{} (app {}, CC at {})", config.listen_host, port, config.client_id,
                 config.cc_base_url.empty() ? "api.cc.email" : config.cc_base_url);
    std::printf("Liaison hub listening on http://%s:%u\n", config.listen_host.c_str(), port);
    std::fflush(stdout);
  });
  background.reset();  // stops the background work before the hub goes
  return 0;
}

int runKeys(const cli::KeysCommand& command) {
  const HubConfig config = loadConfig(command.flags, true);
  configureLogging("warn");
  prepareDataDir(config);
  SystemClock clock;
  CryptoRandom random;
  auto http = http::makeCurlHttpClient();
  HubRuntime hub(config, *http, clock, random);
  auto& keys = hub.parts().keys;
  if (command.action == "create") {
    auto [key, id] = hub.createApiKey(command.name);
    std::printf("%s\n", key.c_str());
    std::fprintf(stderr, "Created hub API key %s (%s). It is shown this once; only its hash is kept.\n",
                 id.c_str(), command.name.c_str());
    return 0;
  }
  if (command.action == "list") {
    auto list = keys.list();
    if (!list) throw std::runtime_error(list.error().message);
    std::printf("%-16s %-20s %-12s %-26s %s\n", "ID", "NAME", "PREFIX", "CREATED", "STATUS");
    for (const auto& k : *list) {
      std::printf("%-16s %-20s %-12s %-26s %s\n", k.id.c_str(), k.name.c_str(), k.prefix.c_str(),
                  formatIso8601(k.created_at).c_str(), k.revoked_at ? "revoked" : "active");
    }
    return 0;
  }
  auto revoked = keys.revoke(command.name, clock.now());
  if (!revoked) throw std::runtime_error(revoked.error().message);
  if (!*revoked) {
    std::fprintf(stderr, "liaison: no active key has the id or name '%s'\n", command.name.c_str());
    return 1;
  }
  std::printf("Revoked %s\n", command.name.c_str());
  return 0;
}

int runVault(const cli::VaultCommand& command) {
  const HubConfig config = loadConfig(command.flags, true);
  if (command.action == "init") {
    prepareDataDir(config);
    CryptoRandom random;
    const std::string path = vaultKeyFile(config);
    if (auto written = hub::writeKeyFile(path, random); !written)
      throw std::runtime_error(written.error().message);
    std::printf(
        "Wrote a new vault key to %s (mode 0600). Keep a copy somewhere safe: without it the stored tokens "
        "cannot be read.\n",
        path.c_str());
    return 0;
  }
  configureLogging("warn");
  SystemClock clock;
  CryptoRandom random;
  auto http = http::makeCurlHttpClient();
  HubRuntime hub(config, *http, clock, random);
  auto rotated = hub.resealAll(true);
  if (!rotated) throw std::runtime_error(rotated.error().message);
  std::printf("%s\n", rotated->c_str());
  return 0;
}

}  // namespace liaison::app
