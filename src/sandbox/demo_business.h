#pragma once
// The demo account's small business, so a person opening the sandbox sees something: about 200
// contacts over 3 lists (some unsubscribed, a few deleted) with custom fields and tags, and a
// sent and a draft email campaign from the account's confirmed address. It is built through
// the stores' own operations in scratch stores on a fixed clock and a seeded random source, so
// every run (and every reset) produces the same ids, names and dates.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/email_store.h"
#include "storage/document_store.h"

namespace liaison::sandbox {

struct DemoBusiness {
  std::vector<storage::Document> documents;  // contact-store and email-store documents
  nlohmann::json summary;  // counts: contacts, unsubscribed, deleted, lists, campaigns, ...
};

// `hooks` give campaigns the account's confirmed senders and footer (recipients come from the
// scratch contacts). Fails only if the stores' own rules refuse the demo data (a bug).
Result<DemoBusiness> buildDemoBusiness(EmailHooks hooks);

// One line for the start banner: what the demo account holds.
std::string describeDemoBusiness(const nlohmann::json& summary);

}  // namespace liaison::sandbox
