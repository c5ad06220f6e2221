#pragma once
// /v3/contacts and /v3/contact_lists over the contact store, behind the API guard.
#include "sandbox/api_guard.h"
#include "sandbox/contacts/contact_store.h"

namespace liaison::sandbox {

void addContactEndpoints(http::Router& router, ApiGuard& guard, ContactStore& store);

}  // namespace liaison::sandbox
