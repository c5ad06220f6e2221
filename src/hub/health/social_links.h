#pragma once
// The account's social network links as CC reports them (GET /v3/social/connections), judged:
// whether each can publish, what blocks it, and what a person has to do. A broken social link
// cannot be repaired through the API (CC says so); only the account's user can reconnect it in
// Constant Contact, so the remedies say who does what, where.
#include <string>
#include <vector>

#include "core/result.h"
#include "hub/health/health_report.h"

namespace liaison::hub {

// Every link in CC's answer, judged. Fails with "health.social_unreadable" (a transient error:
// check again later) when the body is not CC's {connections:[…]} shape.
Result<std::vector<SocialLinkHealth>> readSocialConnections(const std::string& body);

// Judges one link from its connection_status object (CC's JSON text) and its profiles: healthy
// when CC holds a valid token with the needed scopes for an active user, nothing rate-limits it,
// CC reports no error and every profile under it is connected and accessible. Fills healthy,
// remedy and blocked (one entry for the link, one for each profile that cannot be posted to).
void judgeSocialLink(SocialLinkHealth& link);

}  // namespace liaison::hub
