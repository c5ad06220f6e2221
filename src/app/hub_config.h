#pragma once
// The settings of `liaison serve`, the hub: built-in defaults, overridden by a TOML file, then by
// LIAISON_<SECTION>_<KEY> environment variables, then by command-line flags. Every bad or missing
// setting is refused at start-up with one line that names it (section.key, and the variable or
// flag it came from), so an operator fixes it without reading code. The CC client secret is never
// a literal in the file: that file gets printed, pasted and committed.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/secret.h"

namespace liaison::app {

struct HubConfig {
  // [server]
  std::string listen_host = "127.0.0.1";  // server.listen: "HOST:PORT", "[v6]:PORT" or ":PORT"
  uint16_t listen_port = 8700;            // 0: any free port, known once bound (see useBoundPort)
  // server.public_url: the hub's URL as browsers reach it; default http://<listen>, left empty (with
  // the redirect URI derived from it) while the listen port is 0.
  std::string public_url;
  std::string data_dir = ".liaison";  // server.data
  std::string log_level = "info";     // server.log_level: trace|debug|info|warn|error
  // [cc]
  // cc.base_url: empty = the real Constant Contact; else every endpoint under this origin (a sandbox).
  std::string cc_base_url;
  std::string client_id;  // cc.client_id (required)
  // cc.app_name: the app the connect page says the person is connecting to (at most 100
  // characters, no control characters); empty = the page names the client_id.
  std::string app_name;
  // Required: env LIAISON_CC_CLIENT_SECRET, or the content of cc.client_secret_file (trailing newline
  // trimmed). The environment wins; then client_secret_file is left empty, as it was not read.
  Secret client_secret;
  std::string client_secret_file;               // cc.client_secret_file: a path, shown by printHubConfig
  std::string redirect_uri;                     // cc.redirect_uri; default <public_url>/connect/callback
  std::string refresh_token_type = "rotating";  // cc.refresh_token_type: rotating|long_lived
  std::vector<std::string> default_scopes = {"account_read", "contact_data", "offline_access"};  // cc.scopes
  // [store]
  // store.url: empty = the SQLite file <data_dir>/hub.db; else a postgresql:// URL (one database
  // that many hub processes share). Never with a password: libpq reads PGPASSWORD or ~/.pgpass.
  std::string store_url;
  // [vault]
  std::string vault_key_file;  // vault.key_file; default <data_dir>/vault.key
  // [health]
  int social_poll_minutes = 15;  // health.social_poll_minutes, 1..1440
  // [refresh]
  int refresh_ahead_seconds = 600;  // refresh.ahead_seconds, 60..86000: refresh this long before expiry
  // [budget]
  // budget.max_queue_wait_ms, 0..60000: how long a call of the host app waits its turn at the CC
  // app's rate budget before the hub refuses it (429 with Retry-After).
  int budget_max_queue_wait_ms = 10000;
  // budget.reserve_percent, 0..90: the share of the day's CC API calls kept for the host app's own
  // calls; health polls and background work stop when only this much of the day is left.
  int budget_reserve_percent = 20;
  // CC's limits per API key, which the budget keeps to. CC documents 4 requests a second and
  // 10,000 a day for the v3 API, and CC's token endpoint takes 1 a second [unconfirmed]; an app
  // that CC granted more sets its own figures here (and a test bench raises them out of the way).
  int budget_requests_per_second = 4;        // budget.requests_per_second, 1..1000000
  int budget_requests_per_day = 10000;       // budget.requests_per_day, 1..1000000000
  int budget_token_requests_per_second = 1;  // budget.token_requests_per_second, 1..1000
  // budget.window_margin_ms, 0..1000: added to the second the per-second limits count in, so
  // calls granted a second apart still arrive a second apart when their sending and the network
  // delay them unevenly (how CC cuts its seconds is not documented).
  int budget_window_margin_ms = 25;
  // [sync]
  // sync.activity_poll_ms, 100..60000: how long a sync run waits before it first asks CC whether
  // an import or bulk activity has finished (then twice as long each time, up to 30 s). CC's
  // activities take seconds [unconfirmed]; a sandbox finishes them at once.
  int sync_activity_poll_ms = 1000;
  // sync.own_import_skip_rows, 0..1000000: an import of at least this many rows ends with one
  // count of the contacts CC changed while it ran; when only its own rows were, later reads skip
  // that span instead of reading every row back (docs/SYNC.md, "The sync's own imports"). 0 turns
  // this off: it rests on CC stamping an imported contact's updated_at inside the activity's
  // created_at..completed_at [unconfirmed].
  int sync_own_import_skip_rows = 2000;
};

// The command-line flags of `liaison serve` that touch settings: --config, --data, --listen.
struct ConfigOverrides {
  std::optional<std::string> config_file, data_dir, listen;
};

// The file is --config, else env LIAISON_CONFIG, else none (defaults and environment only).
// Relative paths in settings are relative to the working directory. On failure, the Error's key is
// the setting (e.g. "server.listen") and its message one line that never contains the secret.
Result<HubConfig> loadHubConfig(const ConfigOverrides& flags, const std::map<std::string, std::string>& env);

// The port the server got when listening on port 0; fills the URLs derived from the listen address.
void useBoundPort(HubConfig& config, uint16_t port);

// The effective settings as TOML that loadHubConfig reads back. The client secret appears only as a
// comment, masked ("********", or "(not set)").
std::string printHubConfig(const HubConfig& config);

// The process's LIAISON_* environment variables (nothing else, so no other secret is copied).
std::map<std::string, std::string> processEnvironment();

}  // namespace liaison::app
