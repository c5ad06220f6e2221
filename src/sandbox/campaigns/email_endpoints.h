#pragma once
// /v3/emails: email campaigns, their activities, schedules, send history, previews and test
// sends; plus the control API's view of test sends and confirmation of account emails (the
// senders campaigns may use).
#include "sandbox/api_guard.h"
#include "sandbox/campaigns/email_store.h"
#include "sandbox/context.h"

namespace liaison::sandbox {

void addEmailEndpoints(http::Router& router, ApiGuard& guard, EmailStore& store, SandboxContext& context);

// The hooks EmailStore needs, answered from the account (senders, footer) and `recipients`.
EmailHooks accountEmailHooks(SandboxContext& context, EmailHooks::RecipientsFn recipients);

}  // namespace liaison::sandbox
