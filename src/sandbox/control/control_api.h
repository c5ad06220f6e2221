#pragma once
// /__sandbox/: the sandbox's own control API, for scripts and test suites. Reset to the seed,
// register apps, accounts and users, move the virtual clock, and approve or deny a pending
// device code without a browser. It has no counterpart at CC.
#include <functional>

#include "http/router.h"
#include "sandbox/context.h"

namespace liaison::sandbox {

struct ControlHooks {
  // Resets what lives outside the authorization server (browser interactions, rate limits,
  // contacts and campaigns: the demo seed's business).
  std::function<Status(SeedKind)> on_reset;
};

void addControlApi(http::Router& router, SandboxContext& context, ControlHooks hooks);

// What changes inside CC behind an app's back (control_access.cpp): a user removes the app's
// access, a user's role or active state changes, an app's secret is regenerated.
// `on_user_changed` lets the rest of the account follow a user change (social links show
// whether the user who connected them is active).
void addAccessControls(http::Router& router, SandboxContext& context,
                       std::function<void(const User&)> on_user_changed);

}  // namespace liaison::sandbox
