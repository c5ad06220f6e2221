#include "hub/health/social_links.h"

#include <nlohmann/json.hpp>

namespace liaison::hub {

namespace {

// CC's key order is kept in the verbatim linkText; comparisons parse it again.
using Json = nlohmann::ordered_json;

constexpr const char* kWhere = "inside Constant Contact (Marketing → Social → Connections)";

std::string linkText(const Json& object, const char* name) {
  return object.contains(name) && object[name].is_string() ? object[name].get<std::string>() : std::string();
}

// A linkFlag CC left out reads as false: an unknown state is not a healthy one.
bool linkFlag(const Json& object, const char* name) {
  return object.contains(name) && object[name].is_boolean() && object[name].get<bool>();
}

std::string networkOf(const SocialLinkHealth& link) {
  return link.network.empty() ? std::string("the network") : link.network;
}

void addRemedy(std::string& remedy, const std::string& sentence) {
  if (remedy.find(sentence) != std::string::npos) return;
  remedy += (remedy.empty() ? "" : " ") + sentence;
}

// What the link's own connection_status says; adds nothing when it says all is well.
bool judgeStatus(const SocialLinkHealth& link, std::string& remedy) {
  Json status = Json::parse(link.connection_status_json, nullptr, false);
  if (!status.is_object()) status = Json::object();
  const std::string network = networkOf(link);
  const bool token_ok = linkFlag(status, "has_token") && linkFlag(status, "token_is_valid") &&
                        linkFlag(status, "token_has_scopes");
  const bool active_user = linkFlag(status, "is_active_user");
  const bool rate_limited = linkFlag(status, "rate_limited");
  const bool error = status.contains("error") && !status["error"].is_null();
  if (token_ok && active_user && !rate_limited && !error) return true;
  if (!token_ok) {
    addRemedy(remedy, "This cannot be fixed through the API: the account's user must reconnect " + network +
                          " " + kWhere + ".");
  }
  if (!active_user) {
    addRemedy(remedy, "No " + network +
                          " profile is connected for an active Constant Contact user any more: " +
                          "the account's user must reconnect " + network + " " + kWhere + ".");
  }
  if (rate_limited)
    addRemedy(remedy, "Wait; " + network + " limits posting for now and lifts the limit on its own.");
  if (error && remedy.empty()) {
    const std::string said = linkText(status, "error");
    addRemedy(remedy,
              "Constant Contact could not reach " + network + (said.empty() ? "" : " (" + said + ")") +
                  "; if this persists, the account's user must reconnect " + network + " " + kWhere + ".");
  }
  return false;
}

// A profile CC cannot publish to: only the account's user can bring it back, in CC.
bool judgeProfile(const SocialLinkHealth& link, const SocialProfileHealth& profile, std::string& remedy,
                  std::vector<std::string>& blocked) {
  if (profile.connected && profile.accessible) return true;
  const std::string name = profile.name.empty() ? profile.profile_id : profile.name;
  const std::string network = profile.network.empty() ? networkOf(link) : profile.network;
  const std::string which = name + " on " + network;
  if (!profile.connected) {
    addRemedy(remedy, "The profile " + which +
                          " is no longer connected: the account's user must reconnect it " + kWhere + ".");
  } else {
    addRemedy(remedy, "Constant Contact may no longer publish to " + which +
                          ": the account's user must re-authorize that profile " + kWhere + ".");
  }
  blocked.push_back("publishing posts to " + which);
  return false;
}

}  // namespace

void judgeSocialLink(SocialLinkHealth& link) {
  link.remedy.clear();
  link.blocked.clear();
  const bool status_ok = judgeStatus(link, link.remedy);
  if (!status_ok) link.blocked.push_back("publishing posts to " + networkOf(link));
  bool profiles_ok = true;
  for (const auto& profile : link.profiles) {
    if (!judgeProfile(link, profile, link.remedy, link.blocked)) profiles_ok = false;
  }
  link.healthy = status_ok && profiles_ok;
}

Result<std::vector<SocialLinkHealth>> readSocialConnections(const std::string& body) {
  const Json json = Json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("connections") || !json["connections"].is_array()) {
    return makeError(ErrorCode::Unavailable, "health.social_unreadable",
                     "Constant Contact's social connections answer could not be read.");
  }
  std::vector<SocialLinkHealth> out;
  for (const auto& item : json["connections"]) {
    if (!item.is_object() || !item.contains("account_info") || !item["account_info"].is_object()) continue;
    const Json& info = item["account_info"];
    SocialLinkHealth link;
    link.network = linkText(info, "network");
    link.network_account_id = linkText(info, "network_account_id");
    link.display_name = linkText(info, "display_name");
    // A link without its account id cannot be tracked from one check to the next.
    if (link.network_account_id.empty()) continue;
    link.connection_status_json =
        item.contains("connection_status") ? item["connection_status"].dump() : "{}";
    judgeSocialLink(link);
    out.push_back(std::move(link));
  }
  return out;
}

}  // namespace liaison::hub
