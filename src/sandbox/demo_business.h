#pragma once
// The demo account's small business, so a person opening the sandbox sees something: about 200
// contacts over 3 lists (some unsubscribed, a few deleted) with custom fields and tags, and a
// sent and a draft email campaign from the account's confirmed address. It is built through
// the stores' own operations in scratch stores on a fixed clock and a seeded random source, so
// every run (and every reset) produces the same ids, names and dates.
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "sandbox/campaigns/email_store.h"
#include "sandbox/contacts/contact_store.h"
#include "storage/document_store.h"

namespace liaison::sandbox {

// The scratch stores (in memory, with the clock and random source they were built on), kept
// so a reset copies them, and the same state as documents for a disk store.
struct DemoBusiness {
  DemoBusiness();
  ManualClock clock;
  SeededRandom ids;
  ContactStore contacts;
  std::unique_ptr<EmailStore> emails;        // made once the account's hooks are known
  std::vector<storage::Document> documents;  // contact-store and email-store documents
  nlohmann::json summary;                    // counts: contacts, unsubscribed, deleted, lists, campaigns, ...
};

// `hooks` give campaigns the account's confirmed senders and footer (recipients come from the
// scratch contacts). Fails only if the stores' own rules refuse the demo data (a bug).
Result<std::unique_ptr<DemoBusiness>> buildDemoBusiness(EmailHooks hooks);

// One line for the start banner: what the demo account holds.
std::string describeDemoBusiness(const nlohmann::json& summary);

}  // namespace liaison::sandbox
