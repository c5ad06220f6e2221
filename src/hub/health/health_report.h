#pragma once
// What the hub knows about a connection's health: the CC link (token, scopes, the CC user,
// rate limits, the last refresh) and the account's social network links as CC reports them,
// each with the profiles CC publishes to through it.
// Plain structs; the one JSON inside is CC's connection_status object, kept verbatim because
// its fields are CC's to define and the REST API passes it through unchanged.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace liaison::hub {

struct LastRefresh {
  std::optional<TimePoint> at;  // absent: never refreshed since it was connected
  std::string outcome;          // "ok", "invalid_grant", "unavailable", …; empty when never
};

struct CcLinkHealth {
  bool has_token = false;
  bool token_is_valid = false;
  bool token_has_scopes = false;
  std::vector<std::string> missing_scopes;  // the configured required scopes the grant lacks
  bool is_active_user = false;              // CC answered the user's privileges (not 403)
  bool rate_limited = false;
  LastRefresh last_refresh;
  std::string remedy;  // plain words; empty when nothing needs doing
};

// A profile CC publishes to (GET /v3/social/profiles?include=accessible): a Facebook page, an
// Instagram business account, a LinkedIn page. One link may own several, on other networks too.
struct SocialProfileHealth {
  std::string profile_id;
  std::string name;
  std::string network;      // the profile's own network (an Instagram profile under a Facebook link)
  bool connected = false;   // CC: only connected profiles can post
  bool accessible = false;  // CC: false means publishing to it fails
};

struct SocialLinkHealth {
  std::string network;  // lowercase, as CC spells it ("facebook")
  std::string network_account_id;
  std::string display_name;
  std::string connection_status_json;         // CC's connection_status object verbatim
  std::vector<SocialProfileHealth> profiles;  // the profiles CC lists under this link
  bool healthy = false;
  std::string remedy;
  std::vector<std::string> blocked;  // what does not work while the link is unhealthy
};

// Broken: nothing works until someone acts (reconnect, reactivate the user). Degraded: the
// connection works but something is limited or could not be checked (an outage is never more).
enum class HealthStatus { Healthy, Degraded, Broken };
std::string_view toString(HealthStatus status);
std::optional<HealthStatus> healthStatusFrom(std::string_view text);

struct HealthReport {
  std::string connection_id;
  HealthStatus status = HealthStatus::Healthy;
  TimePoint checked_at{};
  std::string remedy;  // every remedy of the report in one text; empty when healthy
  CcLinkHealth cc;
  std::vector<SocialLinkHealth> social;
};

}  // namespace liaison::hub
