#pragma once
// The `liaison` command line: verbs, their options and validation. Parsing only; app/ runs
// what was asked.
#include <optional>
#include <string>
#include <variant>

namespace liaison::cli {

struct SandboxCommand {
  std::string host = "127.0.0.1";
  uint16_t port = 8600;
  std::string data_dir;            // empty: in-memory state
  std::string profile = "strict";  // strict | fast
  std::string seed = "demo";       // demo | bare | empty
  std::string fixture;             // snapshot JSON applied on first start; empty: none
  int device_code_lifetime_s = 300;
  std::string log_level = "info";
};

// `liaison up`: everything on embedded defaults: the hub, and the sandbox (with demo data) as its CC.
struct UpCommand {
  SandboxCommand sandbox;  // its data directory defaults to .liaison, shared with the hub
  std::string hub_host = "127.0.0.1";
  uint16_t hub_port = 8700;
};

// The hub's settings flags, shared by `serve`, `keys` and `vault`.
struct HubFlags {
  std::string config_file;
  std::string data_dir;
  std::string listen;
};

// `liaison serve`: the hub.
struct ServeCommand {
  HubFlags flags;
  bool print_config = false;
};

// `liaison keys create|list|revoke`: hub API keys.
struct KeysCommand {
  HubFlags flags;
  std::string action;  // create | list | revoke
  std::string name;    // create: the key's name; revoke: its id or name
};

// `liaison vault init|rotate`: the vault's key-encryption key and data keys.
struct VaultCommand {
  HubFlags flags;
  std::string action;  // init | rotate
};

// Where the terminal verbs find a running hub. Flags win over LIAISON_HUB_URL / LIAISON_API_KEY.
struct HubAccess {
  std::string url;  // --hub, else LIAISON_HUB_URL, else http://127.0.0.1:8700
  std::string key;
  bool key_on_command_line = false;  // --key: visible to other users in `ps`, so the verb warns
};

// `liaison connect`: start a connect session and wait until the account's user answered it.
struct ConnectCommand {
  HubAccess hub;
  std::string end_user_id;
  bool device = false;  // device flow (a code to enter); else a link to open in a browser
};

// `liaison connections`: the hub's connections, optionally of one end user.
struct ConnectionsCommand {
  HubAccess hub;
  std::string end_user_id;
  bool json = false;
};

// `liaison status ID`: one connection's health.
struct StatusCommand {
  HubAccess hub;
  std::string connection_id;
  bool fresh = false;
  bool json = false;
};

// `liaison disconnect ID`.
struct DisconnectCommand {
  HubAccess hub;
  std::string connection_id;
};

// `liaison sync create|list|show|preview|run|approve|pause|resume|history`: the hub's contact syncs.
struct SyncCommand {
  HubAccess hub;
  std::string action;
  std::string file;      // create: the definition's JSON file
  std::string sync_id;   // every action but create and list
  std::string run_id;    // approve
  bool no_wait = false;  // run, approve: print the begun run instead of following it to its end
  bool json = false;     // list, show, preview, history: the hub's JSON answer
  int limit = 20;        // history
};

using Command =
    std::variant<SandboxCommand, UpCommand, ServeCommand, KeysCommand, VaultCommand, ConnectCommand,
                 ConnectionsCommand, StatusCommand, DisconnectCommand, SyncCommand>;

struct ParseOutcome {
  std::optional<Command> command;  // empty when the process should exit (help, version, error)
  int exit_code = 0;
};

ParseOutcome parseCommandLine(int argc, char** argv);

// "HOST:PORT", "[v6]:PORT" or ":PORT". False when malformed.
bool parseListen(const std::string& text, std::string& host, uint16_t& port);

}  // namespace liaison::cli
