#include "sandbox/xrefs.h"

#include <algorithm>
#include <cctype>

#include "sandbox/campaigns/email_store.h"
#include "sandbox/contacts/contact_store.h"

namespace liaison::sandbox {

Result<std::set<uint64_t>> v2IdsParam(const Params& query, const char* param, size_t max, const char* error_key) {
  const auto invalid = [&](const std::string& message) {
    return makeError(ErrorCode::InvalidRequest, error_key, message);
  };
  auto text = query.get(param);
  if (!text || text->empty()) return invalid(std::string(param) + " is required.");
  const auto parts = splitString(*text, ',', false);
  if (parts.size() > max) return invalid(std::string(param) + " accepts at most " + std::to_string(max) + " ids.");
  std::set<uint64_t> ids;
  for (const auto& part : parts) {
    // V2 ids are decimal numbers (CC shows some with leading zeros); 19 digits always fit.
    const bool digits = !part.empty() && part.size() <= 19 &&
                        std::all_of(part.begin(), part.end(), [](unsigned char c) { return std::isdigit(c); });
    if (!digits) return invalid(std::string(param) + " must hold V2 ids (numbers): '" + part + "' is not one.");
    ids.insert(std::stoull(part));
  }
  return ids;
}

uint64_t v2IdOfUuid(const std::string& uuid) {
  uint64_t value = 0;
  int taken = 0;
  for (char c : uuid) {
    if (taken == 10) break;
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (digit < 0) continue;  // dashes
    value = value * 16 + static_cast<uint64_t>(digit);
    ++taken;
  }
  return value;
}

Result<nlohmann::json> ContactStore::contactXrefs(const std::string& account, const Params& query) const {
  auto ids = v2IdsParam(query, "sequence_ids", 500, "contacts.api.bad_request");
  if (!ids) return ids.error();
  nlohmann::json xrefs = nlohmann::json::array();
  std::shared_lock lock(mutex_);
  if (const AccountData* d = find(account)) {
    for (uint64_t seq : *ids) {  // ascending, as CC sorts them
      auto it = d->contacts.find(seq);
      if (it != d->contacts.end()) xrefs.push_back({{"sequence_id", std::to_string(seq)}, {"contact_id", it->second.id()}});
    }
  }
  return nlohmann::json{{"xrefs", std::move(xrefs)}};
}

Result<nlohmann::json> ContactStore::listXrefs(const std::string& account, const Params& query) const {
  auto ids = v2IdsParam(query, "sequence_ids", 500, "contact_lists.api.bad_request");
  if (!ids) return ids.error();
  std::map<uint64_t, std::string> found;
  std::shared_lock lock(mutex_);
  if (const AccountData* d = find(account)) {
    for (const auto& [id, list] : d->lists) {
      if (const uint64_t v2 = v2IdOfUuid(id); ids->count(v2)) found.emplace(v2, id);
    }
  }
  nlohmann::json xrefs = nlohmann::json::array();
  for (const auto& [v2, id] : found) xrefs.push_back({{"sequence_id", std::to_string(v2)}, {"list_id", id}});
  return nlohmann::json{{"xrefs", std::move(xrefs)}};
}

Result<nlohmann::json> EmailStore::campaignXrefs(const std::string& account, const Params& query) {
  auto ids = v2IdsParam(query, "v2_email_campaign_ids", 50, "campaign.api.validation.error");
  if (!ids) return ids.error();
  std::map<uint64_t, nlohmann::json> found;
  std::lock_guard lock(mutex_);
  const AccountEmails& d = data(account);
  for (const auto& [id, campaign] : d.campaigns) {
    const uint64_t v2 = v2IdOfUuid(id);
    if (!ids->count(v2)) continue;
    nlohmann::json xref = {{"v2_email_campaign_id", std::to_string(v2)}, {"campaign_id", id}};
    for (const auto& activity : campaign.value("campaign_activities", nlohmann::json::array())) {
      if (activity.value("role", "") == "primary_email") xref["campaign_activity_id"] = activity["campaign_activity_id"];
    }
    found.emplace(v2, std::move(xref));
  }
  nlohmann::json xrefs = nlohmann::json::array();
  for (auto& [v2, xref] : found) xrefs.push_back(std::move(xref));
  return nlohmann::json{{"xrefs", std::move(xrefs)}};
}

}  // namespace liaison::sandbox
