#include "sandbox/campaigns/email_store.h"

#include "cc/provider.h"

#include "core/memory.h"
#include "sandbox/campaigns/email_rules.h"
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/paging.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

const std::map<std::string, std::string> kCampaignStatus = {
    {"DRAFT", "Draft"}, {"SCHEDULED", "Scheduled"}, {"EXECUTING", "Executing"},
    {"DONE", "Done"},   {"ERROR", "Error"},         {"REMOVED", "Removed"}};

// Activity fields that are bookkeeping, not API: they start with '_'.
json publicView(const json& activity) {
  json out = json::object();
  for (const auto& [key, value] : activity.items()) {
    if (key.empty() || key[0] != '_') out[key] = value;
  }
  return out;
}

}  // namespace

EmailStore::EmailStore(const Clock& clock, RandomSource& random, storage::DocumentStore* store, EmailHooks hooks)
    : clock_(clock), random_(random), store_(store), hooks_(std::move(hooks)) {
  if (!store_) return;
  for (const auto& doc : store_->loadAll()) {
    if (doc.kind == "emails") persisted_[doc.id] = json::parse(doc.json);
  }
}

void EmailStore::reset() {
  std::lock_guard lock(mutex_);
  freeInBackground(std::exchange(accounts_, {}));
  persisted_.clear();
}

EmailStore::AccountEmails& EmailStore::data(const std::string& account) {
  auto it = accounts_.find(account);
  if (it != accounts_.end()) return it->second;
  AccountEmails& d = accounts_[account];
  if (auto saved = persisted_.find(account); saved != persisted_.end()) {
    json& s = saved->second;
    d.order = stringsOf(s["order"]);
    for (auto& [id, c] : s["campaigns"].items()) d.campaigns[id] = std::move(c);
    for (auto& [id, a] : s["activities"].items()) d.activities[id] = std::move(a);
    d.tests = std::move(s["tests"]);
    persisted_.erase(saved);
  }
  return d;
}

json EmailStore::serialize(const AccountEmails& d) {
  return {{"order", d.order}, {"campaigns", d.campaigns}, {"activities", d.activities}, {"tests", d.tests}};
}

std::vector<storage::Document> EmailStore::documents() {
  std::lock_guard lock(mutex_);
  std::vector<storage::Document> out;
  for (const auto& [account, d] : accounts_) out.push_back({"emails", account, serialize(d).dump()});
  for (const auto& [account, state] : persisted_) out.push_back({"emails", account, state.dump()});
  return out;
}

void EmailStore::restoreDocuments(const std::vector<storage::Document>& docs) {
  std::lock_guard lock(mutex_);
  freeInBackground(std::exchange(accounts_, {}));
  persisted_.clear();
  for (const auto& doc : docs) {
    if (doc.kind == "emails") persisted_[doc.id] = json::parse(doc.json);
  }
}

void EmailStore::copyFrom(EmailStore& seed) {
  std::unique_lock from(seed.mutex_);
  auto accounts = seed.accounts_;
  auto persisted = seed.persisted_;
  from.unlock();
  std::lock_guard lock(mutex_);
  freeInBackground(std::exchange(accounts_, std::move(accounts)));
  persisted_ = std::move(persisted);
}

Status EmailStore::save(const std::string& account, const AccountEmails& d) {
  if (!store_) return okStatus();
  if (!store_->commit({{"emails", account, serialize(d).dump()}})) {
    return makeError(ErrorCode::Internal, "server_error", "The change could not be stored.");
  }
  return okStatus();
}

void EmailStore::syncCampaign(AccountEmails& d, const json& activity) {
  json& campaign = d.campaigns[activity["campaign_id"].get<std::string>()];
  campaign["current_status"] = kCampaignStatus.at(activity["current_status"].get<std::string>());
  campaign["updated_at"] = formatIso8601(clock_.now());
}

Result<json> EmailStore::createCampaign(const std::string& account, const json& body) {
  if (auto status = validateCampaignName(body); !status) return status.error();
  if (!body.contains("email_campaign_activities") || !body["email_campaign_activities"].is_array() ||
      body["email_campaign_activities"].size() != 1) {
    return campaignValidation("email_campaign_activities must be an array with exactly one activity.");
  }
  const json& input = body["email_campaign_activities"][0];
  if (auto status = validateActivityContent(input, hooks_.confirmed_senders(account)); !status) {
    return status.error();
  }
  std::lock_guard lock(mutex_);
  AccountEmails& d = data(account);
  const std::string name = body["name"];
  for (const auto& [id, c] : d.campaigns) {
    if (toLower(c["name"].get<std::string>()) == toLower(name)) {
      return makeError(ErrorCode::Conflict, "campaign.api.conflict", "An email campaign named '" + name + "' exists.");
    }
  }
  const std::string now = formatIso8601(clock_.now());
  const std::string campaign_id = random_.uuid();
  json primary = {{"campaign_activity_id", random_.uuid()}, {"campaign_id", campaign_id}, {"role", "primary_email"},
                  {"contact_list_ids", json::array()}, {"segment_ids", json::array()},
                  {"current_status", "DRAFT"}, {"_history", json::array()}, {"_sent_to", json::array()}};
  applyActivityContent(primary, input, hooks_.default_footer(account));
  json permalink = primary;
  permalink["campaign_activity_id"] = random_.uuid();
  permalink["role"] = "permalink";
  json campaign = {{"campaign_id", campaign_id}, {"name", name}, {"current_status", "Draft"},
                   {"type", "CUSTOM_CODE_EMAIL"}, {"type_code", 26}, {"created_at", now}, {"updated_at", now},
                   {"campaign_activities", {{{"campaign_activity_id", primary["campaign_activity_id"]},
                                             {"role", "primary_email"}},
                                            {{"campaign_activity_id", permalink["campaign_activity_id"]},
                                             {"role", "permalink"}}}}};
  d.activities[primary["campaign_activity_id"]] = primary;
  d.activities[permalink["campaign_activity_id"]] = permalink;
  d.campaigns[campaign_id] = campaign;
  d.order.push_back(campaign_id);
  if (auto saved = save(account, d); !saved) return saved.error();
  return campaign;
}

Result<json> EmailStore::listCampaigns(const std::string& account, const Params& query) {
  auto limit = limitParam(query, cc::constantContact().limits.page_size_default,
                          cc::constantContact().limits.page_size_max, "campaign.api.validation.error");
  if (!limit) return limit.error();
  auto offset = cursorParam(query, "campaign.api.validation.error");
  if (!offset) return offset.error();
  TimePoint before{}, after{};
  const bool has_before = query.has("before_date"), has_after = query.has("after_date");
  if ((has_before && !parseIso8601(query.getOr("before_date"), before)) ||
      (has_after && !parseIso8601(query.getOr("after_date"), after))) {
    return campaignValidation("before_date and after_date must be ISO-8601 date-times.");
  }
  std::lock_guard lock(mutex_);
  AccountEmails& d = data(account);
  if (advance(account, d)) (void)save(account, d);
  json page = json::array();
  size_t matched = 0;
  bool more = false;
  for (const auto& id : d.order) {
    json campaign = d.campaigns[id];
    campaign.erase("campaign_activities");
    TimePoint updated;
    parseIso8601(campaign["updated_at"].get<std::string>(), updated);
    if ((has_before && updated >= before) || (has_after && updated <= after)) continue;
    if (matched++ < *offset) continue;
    if (page.size() == static_cast<size_t>(*limit)) {
      more = true;
      break;
    }
    page.push_back(campaign);
  }
  json out = {{"campaigns", page}, {"_links", json::object()}};
  if (more) out["_links"]["next"] = {{"href", nextLink("/v3/emails", query, *offset + *limit)}};
  return out;
}

Result<json> EmailStore::getCampaign(const std::string& account, const std::string& id) {
  std::lock_guard lock(mutex_);
  AccountEmails& d = data(account);
  if (advance(account, d)) (void)save(account, d);
  auto it = d.campaigns.find(id);
  if (it == d.campaigns.end()) return campaignNotFound("Email campaign");
  return it->second;
}

Result<json> EmailStore::renameCampaign(const std::string& account, const std::string& id, const json& body) {
  if (auto status = validateCampaignName(body); !status) return status.error();
  std::lock_guard lock(mutex_);
  AccountEmails& d = data(account);
  auto it = d.campaigns.find(id);
  if (it == d.campaigns.end()) return campaignNotFound("Email campaign");
  if (it->second["current_status"] == "Removed") return campaignValidation("A removed email campaign cannot be renamed.");
  const std::string name = body["name"];
  for (const auto& [other_id, c] : d.campaigns) {
    if (other_id != id && toLower(c["name"].get<std::string>()) == toLower(name)) {
      return makeError(ErrorCode::Conflict, "campaign.api.conflict", "An email campaign named '" + name + "' exists.");
    }
  }
  it->second["name"] = name;
  it->second["updated_at"] = formatIso8601(clock_.now());
  if (auto saved = save(account, d); !saved) return saved.error();
  return it->second;
}

Status EmailStore::deleteCampaign(const std::string& account, const std::string& id) {
  std::lock_guard lock(mutex_);
  AccountEmails& d = data(account);
  advance(account, d);
  auto it = d.campaigns.find(id);
  if (it == d.campaigns.end() || it->second["current_status"] == "Removed") return campaignNotFound("Email campaign");
  const std::string status = it->second["current_status"];
  if (status == "Scheduled" || status == "Executing") {
    return campaignValidation("A scheduled or sending email campaign cannot be deleted; unschedule it first.");
  }
  for (const auto& ref : it->second["campaign_activities"]) {
    d.activities[ref["campaign_activity_id"].get<std::string>()]["current_status"] = "REMOVED";
  }
  it->second["current_status"] = "Removed";
  it->second["updated_at"] = formatIso8601(clock_.now());
  return save(account, d);
}

Result<json> EmailStore::getActivity(const std::string& account, const std::string& id,
                                     const std::vector<std::string>& include) {
  std::lock_guard lock(mutex_);
  AccountEmails& d = data(account);
  if (advance(account, d)) (void)save(account, d);
  auto it = d.activities.find(id);
  if (it == d.activities.end()) return campaignNotFound("Email campaign activity");
  return presentActivity(publicView(it->second), include);
}

Result<json*> EmailStore::primaryActivity(const std::string& account, AccountEmails& d, const std::string& id) {
  advance(account, d);
  auto it = d.activities.find(id);
  if (it == d.activities.end()) return campaignNotFound("Email campaign activity");
  if (it->second["role"] != "primary_email") {
    return campaignValidation("Only the primary_email activity of a campaign can be changed, scheduled or tested.");
  }
  return &it->second;
}

Result<json> EmailStore::replaceActivity(const std::string& account, const std::string& id, const json& body) {
  if (auto status = validateActivityContent(body, hooks_.confirmed_senders(account)); !status) return status.error();
  if (auto status = validateRecipients(body); !status) return status.error();
  const json lists = body.contains("contact_list_ids") && body["contact_list_ids"].is_array() ? body["contact_list_ids"]
                                                                                             : json::array();
  const json segments = body.contains("segment_ids") && body["segment_ids"].is_array() ? body["segment_ids"]
                                                                                       : json::array();
  if (!segments.empty()) {
    return makeError(ErrorCode::NotFound, "campaign.api.not_found",
                     "Segment " + segments[0].dump() + " not found in the account.");
  }
  if (auto known = hooks_.recipients(account, stringsOf(lists)); !known) return known.error();
  std::lock_guard lock(mutex_);
  AccountEmails& d = data(account);
  auto activity = primaryActivity(account, d, id);
  if (!activity) return activity.error();
  json& stored = **activity;
  const std::string status = stored["current_status"];
  if (status != "DRAFT" && status != "DONE") {
    return campaignValidation("Only a DRAFT or DONE activity can be updated; this one is " + status + ".");
  }
  applyActivityContent(stored, body, hooks_.default_footer(account));
  stored["contact_list_ids"] = lists;
  stored["segment_ids"] = segments;
  syncCampaign(d, stored);
  if (auto saved = save(account, d); !saved) return saved.error();
  return presentActivity(publicView(stored), {"physical_address_in_footer", "permalink_url", "html_content",
                                              "document_properties"});
}

}  // namespace liaison::sandbox
