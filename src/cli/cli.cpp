#include "cli/cli.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace liaison::cli {

namespace {

void addSandboxOptions(CLI::App& verb, SandboxCommand& options, std::string& listen) {
  verb.add_option("--listen", listen, "Address to listen on, HOST:PORT (port 0 picks a free one)")
      ->default_val("127.0.0.1:8600");
  verb.add_option("--data", options.data_dir,
                  "Directory for persistent state (SQLite); in-memory when absent");
  verb.add_option("--profile", options.profile,
                  "strict: CC's rate limits (token endpoint 1 request/s per client); fast: none")
      ->check(CLI::IsMember({"strict", "fast"}))
      ->default_val("strict");
  verb.add_option("--seed", options.seed,
                  "Data created on first start: demo, bare (demo account, users and apps only) or empty")
      ->check(CLI::IsMember({"demo", "bare", "empty"}))
      ->default_val("demo");
  verb.add_option(
          "--fixture", options.fixture,
          "Snapshot JSON (GET /__sandbox/snapshots/NAME) to start from instead of the seed, on first start")
      ->check(CLI::ExistingFile);
  verb.add_option("--device-code-lifetime", options.device_code_lifetime_s,
                  "Seconds a device code stays valid")
      ->check(CLI::Range(10, 86400))
      ->default_val(300);
  verb.add_option("--log-level", options.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->default_val("info");
}

void addHubFlags(CLI::App& verb, HubFlags& flags, bool listen) {
  verb.add_option("--config", flags.config_file, "TOML settings file (else LIAISON_CONFIG)")
      ->check(CLI::ExistingFile);
  verb.add_option("--data", flags.data_dir, "Data directory (hub.db, vault.key); default .liaison");
  if (listen)
    verb.add_option("--listen", flags.listen, "Address to listen on, HOST:PORT (default 127.0.0.1:8700)");
}

void addHubAccess(CLI::App& verb, HubAccess& hub) {
  verb.add_option("--hub", hub.url, "The hub's URL (else LIAISON_HUB_URL, else http://127.0.0.1:8700)");
  verb.add_option("--key", hub.key,
                  "Hub API key (prefer LIAISON_API_KEY: a key on the command line shows in `ps`)");
}

// Flags win; then the environment; then the local default.
void resolveHubAccess(HubAccess& hub) {
  hub.key_on_command_line = !hub.key.empty();
  if (hub.url.empty()) {
    const char* url = std::getenv("LIAISON_HUB_URL");
    hub.url = url != nullptr && *url != '\0' ? url : "http://127.0.0.1:8700";
  }
  if (hub.key.empty()) {
    const char* key = std::getenv("LIAISON_API_KEY");
    if (key != nullptr) hub.key = key;
  }
}

// The sync verbs under `liaison sync`; `action` is named after the one given.
struct SyncVerbs {
  CLI::App* verb = nullptr;
  std::vector<std::pair<std::string, CLI::App*>> actions;
};

SyncVerbs addSyncVerbs(CLI::App& app, SyncCommand& sync) {
  SyncVerbs verbs;
  verbs.verb = app.add_subcommand("sync", "Two-way contact syncs between CC and a table, a CSV file or CC");
  verbs.verb->require_subcommand(1);
  auto action = [&](const std::string& name, const std::string& help) {
    auto* sub = verbs.verb->add_subcommand(name, help);
    addHubAccess(*sub, sync.hub);
    verbs.actions.emplace_back(name, sub);
    return sub;
  };
  auto id = [&](CLI::App* sub) { sub->add_option("id", sync.sync_id, "The sync's id")->required(); };
  auto json = [&](CLI::App* sub) { sub->add_flag("--json", sync.json, "Print the hub's JSON answer"); };
  auto* create = action("create", "Create a sync from a JSON definition (see docs/SYNC.md)");
  create->add_option("--file", sync.file, "The definition's JSON file")->required()->check(CLI::ExistingFile);
  json(action("list", "List the syncs"));
  auto* show = action("show", "A sync's definition and its last run");
  id(show);
  json(show);
  auto* preview = action("preview", "What a run would do now, written nowhere");
  id(preview);
  json(preview);
  auto* run = action("run", "Run a sync now and follow it to its end");
  id(run);
  run->add_flag("--no-wait", sync.no_wait, "Print the begun run and return");
  auto* approve = action("approve", "Approve a held run: run again, doing what was held");
  id(approve);
  approve->add_option("run_id", sync.run_id, "The held run's id")->required();
  approve->add_flag("--no-wait", sync.no_wait, "Print the begun run and return");
  id(action("pause", "Pause a sync's schedule (it may still be run by hand)"));
  id(action("resume", "Resume a sync's schedule"));
  auto* history = action("history", "A sync's runs, newest first");
  id(history);
  history->add_option("--limit", sync.limit, "Runs to list")->check(CLI::Range(1, 100))->default_val(20);
  json(history);
  return verbs;
}

}  // namespace

bool parseListen(const std::string& text, std::string& host, uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string h = text.substr(0, colon);
  const std::string p = text.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return false;
  const unsigned long value = std::stoul(p);
  if (value > 65535) return false;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  host = h.empty() ? "0.0.0.0" : h;
  port = static_cast<uint16_t>(value);
  return true;
}

ParseOutcome parseCommandLine(int argc, char** argv) {
  CLI::App app{"Liaison: link Constant Contact accounts and act through them.", "liaison"};
  app.set_version_flag("--version", std::string(LIAISON_VERSION));
  app.require_subcommand(1);

  SandboxCommand sandbox;
  std::string sandbox_listen;
  auto* sandbox_verb =
      app.add_subcommand("sandbox", "Run a local emulator of Constant Contact's OAuth2 server and v3 API");
  addSandboxOptions(*sandbox_verb, sandbox, sandbox_listen);

  UpCommand up;
  std::string up_listen;
  auto* up_verb = app.add_subcommand("up", "Run Liaison on embedded defaults (offline, with demo data)");
  addSandboxOptions(*up_verb, up.sandbox, up_listen);
  std::string up_hub_listen;
  up_verb->add_option("--hub-listen", up_hub_listen, "Address the hub listens on, HOST:PORT")
      ->default_val("127.0.0.1:8700");

  ServeCommand serve;
  auto* serve_verb = app.add_subcommand("serve", "Run the hub: connect CC accounts and keep them healthy");
  addHubFlags(*serve_verb, serve.flags, true);
  serve_verb->add_flag("--print-config", serve.print_config,
                       "Print the effective settings (secrets masked) and exit");

  KeysCommand keys;
  auto* keys_verb = app.add_subcommand("keys", "Hub API keys for the host app");
  keys_verb->require_subcommand(1);
  auto* keys_create = keys_verb->add_subcommand("create", "Create a key (printed once)");
  keys_create->add_option("--name", keys.name, "What the key is for")->required();
  addHubFlags(*keys_create, keys.flags, false);
  auto* keys_list = keys_verb->add_subcommand("list", "List keys (never the keys themselves)");
  addHubFlags(*keys_list, keys.flags, false);
  auto* keys_revoke = keys_verb->add_subcommand("revoke", "Revoke a key by id or name");
  keys_revoke->add_option("key", keys.name, "The key's id or name")->required();
  addHubFlags(*keys_revoke, keys.flags, false);

  VaultCommand vault;
  auto* vault_verb = app.add_subcommand("vault", "The token vault's keys");
  vault_verb->require_subcommand(1);
  auto* vault_init = vault_verb->add_subcommand("init", "Write a new key file (0600) for the vault");
  addHubFlags(*vault_init, vault.flags, false);
  auto* vault_rotate =
      vault_verb->add_subcommand("rotate", "Make a new data key and re-seal every secret with it");
  addHubFlags(*vault_rotate, vault.flags, false);

  ConnectCommand connect;
  auto* connect_verb =
      app.add_subcommand("connect", "Connect an end user's CC account through a running hub");
  connect_verb->add_option("--end-user", connect.end_user_id, "Your app's id for the end user")->required();
  connect_verb->add_flag("--device", connect.device,
                         "Device flow: a code to enter at CC (else a link to open in a browser)");
  addHubAccess(*connect_verb, connect.hub);

  ConnectionsCommand connections;
  auto* connections_verb = app.add_subcommand("connections", "List the hub's connections");
  connections_verb->add_option("--end-user", connections.end_user_id, "Only this end user's connections");
  connections_verb->add_flag("--json", connections.json,
                             "Print the hub's JSON, every page in one \"connections\" list");
  addHubAccess(*connections_verb, connections.hub);

  StatusCommand status;
  auto* status_verb = app.add_subcommand("status", "A connection's health: the CC link and its social links");
  status_verb->add_option("id", status.connection_id, "The connection's id")->required();
  status_verb->add_flag("--fresh", status.fresh, "Check now instead of showing the last report");
  status_verb->add_flag("--json", status.json, "Print the hub's JSON answer");
  addHubAccess(*status_verb, status.hub);

  DisconnectCommand disconnect;
  auto* disconnect_verb = app.add_subcommand("disconnect", "Disconnect a connection (revokes its tokens)");
  disconnect_verb->add_option("id", disconnect.connection_id, "The connection's id")->required();
  addHubAccess(*disconnect_verb, disconnect.hub);

  SyncCommand sync;
  const SyncVerbs sync_verbs = addSyncVerbs(app, sync);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, app.exit(e)};
  }
  auto finish = [](SandboxCommand& options, const std::string& listen) {
    return parseListen(listen, options.host, options.port);
  };
  if (sandbox_verb->parsed()) {
    if (!finish(sandbox, sandbox_listen)) {
      std::fprintf(stderr, "--listen: expected HOST:PORT, got '%s'\n", sandbox_listen.c_str());
      return {std::nullopt, 2};
    }
    return {Command(sandbox), 0};
  }
  if (serve_verb->parsed()) return {Command(serve), 0};
  if (keys_verb->parsed()) {
    keys.action = keys_create->parsed() ? "create" : keys_list->parsed() ? "list" : "revoke";
    return {Command(keys), 0};
  }
  if (vault_verb->parsed()) {
    vault.action = vault_init->parsed() ? "init" : "rotate";
    return {Command(vault), 0};
  }
  for (HubAccess* hub : {&connect.hub, &connections.hub, &status.hub, &disconnect.hub, &sync.hub})
    resolveHubAccess(*hub);
  if (sync_verbs.verb->parsed()) {
    for (const auto& [name, sub] : sync_verbs.actions) {
      if (sub->parsed()) sync.action = name;
    }
    return {Command(sync), 0};
  }
  if (connect_verb->parsed()) return {Command(connect), 0};
  if (connections_verb->parsed()) return {Command(connections), 0};
  if (status_verb->parsed()) return {Command(status), 0};
  if (disconnect_verb->parsed()) return {Command(disconnect), 0};
  if (!finish(up.sandbox, up_listen)) {
    std::fprintf(stderr, "--listen: expected HOST:PORT, got '%s'\n", up_listen.c_str());
    return {std::nullopt, 2};
  }
  if (!parseListen(up_hub_listen, up.hub_host, up.hub_port)) {
    std::fprintf(stderr, "--hub-listen: expected HOST:PORT, got '%s'\n", up_hub_listen.c_str());
    return {std::nullopt, 2};
  }
  if (up.sandbox.data_dir.empty()) up.sandbox.data_dir = ".liaison";
  return {Command(up), 0};
}

}  // namespace liaison::cli
