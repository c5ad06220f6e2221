#pragma once
// /v3/account: the account summary and the calling user's privileges.
#include "sandbox/api_guard.h"

namespace liaison::sandbox {

void addAccountEndpoints(http::Router& router, ApiGuard& guard, SandboxContext& context);

}  // namespace liaison::sandbox
