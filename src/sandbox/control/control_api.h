#pragma once
// /__sandbox/: the sandbox's own control API, for scripts and test suites. Reset to the seed,
// register apps, accounts and users, move the virtual clock, and approve or deny a pending
// device code without a browser. It has no counterpart at CC.
#include <functional>

#include "http/router.h"
#include "sandbox/context.h"

namespace liaison::sandbox {

struct ControlHooks {
  // Clears what lives outside the authorization server (browser interactions, rate limits).
  std::function<void()> on_reset;
};

void addControlApi(http::Router& router, SandboxContext& context, ControlHooks hooks);

}  // namespace liaison::sandbox
