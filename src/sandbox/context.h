#pragma once
// What every sandbox endpoint group shares: the authorization server, the virtual clock, the
// random source and the profile's limits.
#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "sandbox/auth/auth_server.h"

namespace liaison::sandbox {

enum class Profile {
  Strict,  // CC's limits: token endpoint 1 request/s per client
  Fast,    // no rate limits, for test suites that make many token calls
};

struct SandboxContext {
  AuthServer& auth;
  OffsetClock& clock;
  RandomSource& random;
  Profile profile = Profile::Strict;
  // Base URL the sandbox is reached at (scheme://host:port), without trailing slash.
  std::string base_url;
};

}  // namespace liaison::sandbox
