#pragma once
// The profiles CC publishes to (GET /v3/social/profiles?include=accessible), folded into the
// social links they belong to. CC lists profiles apart from the links; a profile names its link
// through account_info.network_account_id, and one link may own several profiles (a Facebook
// link owns its pages and the Instagram business accounts behind them).
#include <string>
#include <vector>

#include "core/result.h"
#include "hub/health/health_report.h"

namespace liaison::hub {

struct CcSocialProfile {
  SocialProfileHealth profile;
  std::string network_account_id;  // the link that owns it; empty when CC names none
};

struct CcSocialProfiles {
  std::vector<CcSocialProfile> profiles;
  // Items left out because they cannot be judged: not an object, or without profile_id,
  // connected or accessible. Leaving them out never breaks a link on a guess.
  int unreadable = 0;
};

// CC's answer, a JSON array of profiles. Fails with "health.social_profiles_unreadable" (a
// transient error: check again later) when the body is not an array.
Result<CcSocialProfiles> readSocialProfiles(const std::string& body);

// Gives each link the profiles CC lists under it (in CC's order) and judges the link again.
// Returns how many profiles no link in `links` owns; they are not shown.
int attachProfiles(std::vector<SocialLinkHealth>& links, const std::vector<CcSocialProfile>& profiles);

// For a check whose profiles answer could not be had: each link keeps the profiles `last` showed
// under the same network_account_id and is judged again with them, so an unread answer neither
// breaks a link nor heals one. A link `last` did not show is judged on its own status.
void keepLastProfiles(std::vector<SocialLinkHealth>& links, const std::vector<SocialLinkHealth>& last);

}  // namespace liaison::hub
