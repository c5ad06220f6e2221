#pragma once
// /v3/social (connections, profiles, hashtag groups, posts) and the control API's social link
// events under /__sandbox/social.
#include "sandbox/api_guard.h"
#include "sandbox/social/social_store.h"

namespace liaison::sandbox {

void addSocialEndpoints(http::Router& router, ApiGuard& guard, SocialStore& store);

}  // namespace liaison::sandbox
