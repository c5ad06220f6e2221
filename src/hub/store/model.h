#pragma once
// The hub's domain: plain structs, no JSON and no SQL. The REST API maps them to its wire
// shapes (hub/api) and the repositories to rows (hub/store).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace liaison::hub {

enum class ConnectionStatus { Active, ReauthRequired, Disconnected };
std::string_view toString(ConnectionStatus status);
std::optional<ConnectionStatus> connectionStatusFrom(std::string_view text);

// A sealed token is vault ciphertext ("v1.…"); the plaintext exists only at the moment of use.
struct Connection {
  std::string id;           // conn_…
  std::string app_id;       // the CC app (API key / client_id) the tokens belong to
  std::string end_user_id;  // the host app's own user id
  std::string account_id;   // CC's encoded_account_id
  std::string organization_name;
  std::string user_login;  // CC user (JWT sub) who authorized
  std::vector<std::string> scopes;
  ConnectionStatus status = ConnectionStatus::Active;
  TimePoint created_at{};
  TimePoint updated_at{};
  std::string sealed_access_token;
  std::string sealed_refresh_token;
  TimePoint access_expires_at{};
  // When CC last accepted the refresh token: an idle one dies 180 days later.
  TimePoint refresh_token_used_at{};
  // Bumped on every token write; a refresh started from an older generation is stale.
  int64_t token_generation = 0;
  std::optional<TimePoint> last_refresh_at;
  std::string last_refresh_outcome;             // "ok", "invalid_grant", "unavailable", "interrupted", …
  int refresh_failures = 0;                     // consecutive transient failures (back-off)
  std::optional<TimePoint> refresh_not_before;  // back-off after a transient failure
};

// The lease that makes one holder at a time refresh a connection, across threads and processes.
// `fence` grows with every grant: a write carrying an older fence is refused.
struct RefreshLease {
  std::string connection_id;
  std::string holder;
  int64_t fence = 0;
  TimePoint until{};
};

enum class SessionFlow { Redirect, Device };
enum class SessionStatus { Pending, Connected, Denied, Expired, Failed };
std::string_view toString(SessionFlow flow);
std::string_view toString(SessionStatus status);
std::optional<SessionFlow> sessionFlowFrom(std::string_view text);
std::optional<SessionStatus> sessionStatusFrom(std::string_view text);

struct ConnectSession {
  std::string id;  // cs_…
  std::string app_id;
  SessionFlow flow = SessionFlow::Device;
  SessionStatus status = SessionStatus::Pending;
  std::string end_user_id;
  std::vector<std::string> scopes;
  std::string return_url;
  std::string reconnect_connection_id;  // set by POST /connections/{id}/reconnect
  std::string connection_id;            // the outcome, once connected
  std::string error;                    // plain words, once denied/expired/failed
  TimePoint created_at{};
  TimePoint expires_at{};
  // Redirect flow: the state parameter is stored as a hash only; the PKCE verifier sealed.
  std::string state_hash;
  std::string sealed_verifier;
  std::string issuer;  // the issuer the authorization request went to (mix-up defence)
  // Device flow: the device code sealed; what the user types is public.
  std::string sealed_device_code;
  std::string user_code;
  std::string verification_uri;
  std::string verification_uri_complete;
  int interval_s = 5;
  TimePoint next_poll_at{};
};

struct Event {
  int64_t sequence = 0;  // position in the log, for ?after=
  std::string id;        // evt_…: stable across webhook retries, for de-duplication
  std::string type;
  std::string connection_id;
  TimePoint created_at{};
  std::string data_json;  // the event's data object, already rendered
};

struct ApiKey {
  std::string id;
  std::string name;
  std::string prefix;  // the first characters, shown in listings to tell keys apart
  std::string hash;    // SHA-256 of the whole key (keys are 256-bit random: no stretching needed)
  TimePoint created_at{};
  std::optional<TimePoint> revoked_at;
  std::optional<TimePoint> last_used_at;
};

}  // namespace liaison::hub
