#include "hub/health/social_profiles.h"

#include <nlohmann/json.hpp>

#include "hub/health/social_links.h"

namespace liaison::hub {

namespace {

using ProfilesJson = nlohmann::json;

std::string profileText(const ProfilesJson& object, const char* name) {
  return object.contains(name) && object[name].is_string() ? object[name].get<std::string>() : std::string();
}

bool isFlag(const ProfilesJson& object, const char* name) {
  return object.contains(name) && object[name].is_boolean();
}

}  // namespace

Result<CcSocialProfiles> readSocialProfiles(const std::string& body) {
  const ProfilesJson json = ProfilesJson::parse(body, nullptr, false);
  if (!json.is_array()) {
    return makeError(ErrorCode::Unavailable, "health.social_profiles_unreadable",
                     "Constant Contact's social profiles answer could not be read.");
  }
  CcSocialProfiles out;
  for (const auto& item : json) {
    // Without the two flags CC's verdict on the profile is unknown; without its id it cannot
    // be named. Such an item is counted, not guessed at.
    if (!item.is_object() || profileText(item, "profile_id").empty() || !isFlag(item, "connected") ||
        !isFlag(item, "accessible")) {
      ++out.unreadable;
      continue;
    }
    CcSocialProfile profile;
    profile.profile.profile_id = profileText(item, "profile_id");
    profile.profile.name = profileText(item, "name");
    profile.profile.network = profileText(item, "network");
    profile.profile.connected = item["connected"].get<bool>();
    profile.profile.accessible = item["accessible"].get<bool>();
    if (item.contains("account_info") && item["account_info"].is_object())
      profile.network_account_id = profileText(item["account_info"], "network_account_id");
    out.profiles.push_back(std::move(profile));
  }
  return out;
}

int attachProfiles(std::vector<SocialLinkHealth>& links, const std::vector<CcSocialProfile>& profiles) {
  int unowned = 0;
  for (auto& link : links) link.profiles.clear();
  for (const auto& profile : profiles) {
    SocialLinkHealth* owner = nullptr;
    for (auto& link : links) {
      if (!profile.network_account_id.empty() && link.network_account_id == profile.network_account_id) {
        owner = &link;
        break;
      }
    }
    if (!owner) {
      ++unowned;
      continue;
    }
    owner->profiles.push_back(profile.profile);
  }
  for (auto& link : links) judgeSocialLink(link);
  return unowned;
}

void keepLastProfiles(std::vector<SocialLinkHealth>& links, const std::vector<SocialLinkHealth>& last) {
  for (auto& link : links) {
    link.profiles.clear();
    for (const auto& before : last) {
      if (before.network_account_id == link.network_account_id) link.profiles = before.profiles;
    }
    judgeSocialLink(link);
  }
}

}  // namespace liaison::hub
