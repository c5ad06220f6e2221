// Per-account quirk switches and the contact counts.
#include "sandbox/contacts/activities/activity_records.h"
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/contacts/contact_store.h"

namespace liaison::sandbox {

using nlohmann::json;

json ContactStore::quirks(const std::string& account) const {
  json out = {{"unsubscribe_updates_updated_at", false},
              {"delete_updates_updated_at", false},
              {"import_readds_left_lists", true},
              {"rate_limit_body", "array"},
              {"activity_progress", "at_once"}};
  std::shared_lock lock(mutex_);
  if (const AccountData* d = find(account)) out.update(d->quirks);
  return out;
}

Result<json> ContactStore::setQuirks(const std::string& account, const json& changes) {
  const json defaults = quirks("");
  for (const auto& [key, value] : changes.items()) {
    if (!defaults.contains(key)) {
      return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error", "Unknown quirk '" + key + "'.");
    }
    if (key == "activity_progress") {
      if (auto status = validateProgress(value); !status) return status.error();
      continue;
    }
    if (key == "rate_limit_body" ? !(value == "array" || value == "object") : !value.is_boolean()) {
      return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                       key == "rate_limit_body" ? "rate_limit_body must be array or object." : key + " must be true or false.");
    }
  }
  {
    std::unique_lock lock(mutex_);
    AccountData& d = data(account);
    json updated = d.quirks;
    updated.update(changes);
    if (auto status = persist("quirks", account, "switches", &updated); !status) return status.error();
    d.quirks = updated;
  }
  return quirks(account);
}

json ContactStore::countContacts(const std::string& account) const {
  std::shared_lock lock(mutex_);
  json counts = {{"total", 0}, {"explicit", 0}, {"implicit", 0}, {"pending", 0}, {"unsubscribed", 0}};
  const AccountData* d = find(account);
  if (!d) return counts;
  for (const auto& [seq, contact] : d->contacts) {
    if (contact.deleted()) continue;
    counts["total"] = counts["total"].get<int>() + 1;
    const std::string& p = contact.permission();
    const char* bucket = p == "explicit" ? "explicit" : p == "implicit" ? "implicit"
                         : p == "pending_confirmation" ? "pending" : p == "unsubscribed" ? "unsubscribed" : nullptr;
    if (bucket) counts[bucket] = counts[bucket].get<int>() + 1;
  }
  return counts;
}

}  // namespace liaison::sandbox
