// Email sends: schedules that run on the virtual clock (SCHEDULED -> EXECUTING -> DONE/ERROR),
// send history, and test sends with CC's limits.
#include "cc/email_address.h"
#include "sandbox/campaigns/email_rules.h"

#include "core/json_fields.h"
#include "sandbox/campaigns/email_store.h"
#include "sandbox/contacts/contact_rules.h"

namespace liaison::sandbox {

using nlohmann::json;

void EmailStore::finishSend(const std::string& account, json& activity, TimePoint at) {
  const auto lists = stringsOf(activity["contact_list_ids"]);
  // Lists deleted since the activity named them are skipped; the send fails when none is left.
  std::vector<std::string> members;
  bool any_list = false;
  for (const auto& list : lists) {
    if (auto reached = hooks_.recipients(account, {list})) {
      any_list = true;
      members.insert(members.end(), reached->begin(), reached->end());
    }
  }
  json& history = activity["_history"];
  json entry = {{"send_id", static_cast<int>(history.size()) + 1}, {"contact_list_ids", lists},
                {"segment_ids", activity["segment_ids"]}, {"run_date", formatIso8601(at)}};
  if (!any_list) {
    // Every list it was to reach is gone: CC reports an errored send (reason 1).
    entry.update({{"count", 0}, {"send_status", "ERRORED"}, {"reason_code", 1}});
    activity["current_status"] = "ERROR";
  } else {
    std::set<std::string> sent = activity["_sent_to"].get<std::set<std::string>>();
    int count = 0;
    for (const auto& id : members) count += sent.insert(id).second ? 1 : 0;
    activity["_sent_to"] = sent;
    entry.update({{"count", count}, {"send_status", "COMPLETED"}, {"reason_code", 0}});
    activity["current_status"] = "DONE";
    activity["permalink_url"] = "https://myemail.sandbox.test/" + activity["campaign_id"].get<std::string>() + ".html";
  }
  history.push_back(entry);
  activity.erase("_scheduled_date");
  activity.erase("_send_started");
}

bool EmailStore::advance(const std::string& account, AccountEmails& d) {
  const TimePoint now = clock_.now();
  bool any = false;
  for (auto& [id, activity] : d.activities) {
    bool moved = false;
    TimePoint at;
    if (activity["current_status"] == "SCHEDULED" &&
        parseIso8601(activity["_scheduled_date"].get<std::string>(), at) && at <= now) {
      activity["current_status"] = "EXECUTING";
      activity["_send_started"] = formatIso8601(at);
      moved = true;
    }
    if (activity["current_status"] == "EXECUTING" &&
        parseIso8601(activity["_send_started"].get<std::string>(), at) && at + kSendDuration <= now) {
      finishSend(account, activity, at + kSendDuration);
      moved = true;
    }
    if (moved) syncCampaign(d, activity);
    any = any || moved;
  }
  return any;
}

Result<json> EmailStore::schedule(const std::string& account, const std::string& id, const json& body) {
  bool immediate = false;
  auto date = scheduledDate(body, immediate);
  if (!date) return date.error();
  const TimePoint now = clock_.now();
  TimePoint when = now;
  if (!immediate && parseIso8601(*date, when) && when <= now) {
    return campaignValidation("scheduled_date must be in the future; use \"0\" to send now.");
  }
  std::lock_guard lock(mutex_);
  AccountEmails& d = data(account);
  auto activity = primaryActivity(account, d, id);
  if (!activity) return activity.error();
  json& stored = **activity;
  const std::string status = stored["current_status"];
  if (status != "DRAFT" && status != "DONE" && status != "ERROR") {
    return campaignValidation("Only a DRAFT, DONE or ERROR activity can be scheduled; this one is " + status + ".");
  }
  if (stored["contact_list_ids"].empty() && stored["segment_ids"].empty()) {
    return campaignValidation("Add recipients first: PUT the activity with contact_list_ids or segment_ids.");
  }
  stored["_previous_status"] = status;
  stored["_scheduled_date"] = immediate ? formatIso8601(now) : *date;
  stored["current_status"] = "SCHEDULED";
  advance(account, d);  // "0" starts sending at once
  syncCampaign(d, stored);
  if (auto saved = save(account, d); !saved) return saved.error();
  return immediate ? json::array() : json::array({{{"scheduled_date", *date}}});
}

Result<json> EmailStore::schedules(const std::string& account, const std::string& id) {
  std::lock_guard lock(mutex_);
  AccountEmails& d = data(account);
  if (advance(account, d)) (void)save(account, d);
  auto it = d.activities.find(id);
  if (it == d.activities.end()) return campaignNotFound("Email campaign activity");
  if (it->second["current_status"] != "SCHEDULED") return json::array();
  return json::array({{{"scheduled_date", it->second["_scheduled_date"]}}});
}

Status EmailStore::unschedule(const std::string& account, const std::string& id) {
  std::lock_guard lock(mutex_);
  AccountEmails& d = data(account);
  auto activity = primaryActivity(account, d, id);
  if (!activity) return activity.error();
  json& stored = **activity;
  if (stored["current_status"] != "SCHEDULED") {
    return campaignValidation("The activity is not scheduled; it is " + stored["current_status"].get<std::string>() + ".");
  }
  stored["current_status"] = stored.value("_previous_status", "DRAFT");
  stored.erase("_scheduled_date");
  syncCampaign(d, stored);
  return save(account, d);
}

Result<json> EmailStore::sendHistory(const std::string& account, const std::string& id) {
  std::lock_guard lock(mutex_);
  AccountEmails& d = data(account);
  if (advance(account, d)) (void)save(account, d);
  auto it = d.activities.find(id);
  if (it == d.activities.end()) return campaignNotFound("Email campaign activity");
  return it->second.value("_history", json::array());
}

Status EmailStore::testSend(const std::string& account, const std::string& id, const json& body) {
  if (!body.contains("email_addresses") || !body["email_addresses"].is_array() || body["email_addresses"].empty()) {
    return campaignValidation("email_addresses is required: 1 to 5 email addresses.");
  }
  const json& addresses = body["email_addresses"];
  if (addresses.size() > 5) return campaignValidation("email_addresses accepts at most 5 addresses.");
  for (const auto& address : addresses) {
    if (!address.is_string() || !cc::isEmailAddress(address.get<std::string>())) {
      return campaignValidation("email_addresses must contain valid email addresses.");
    }
  }
  // CC documents no limit for the personal message; it precedes the email, like a preheader
  // with room for a paragraph.
  const JsonFields fields(body, "campaign.api.validation.error");
  if (auto message = fields.optionalString("personal_message", {1000, true}); !message)
    return message.error();
  std::lock_guard lock(mutex_);
  AccountEmails& d = data(account);
  auto activity = primaryActivity(account, d, id);
  if (!activity) return activity.error();
  if ((**activity)["current_status"] == "REMOVED") return campaignValidation("The campaign has been removed.");
  const std::string now = formatIso8601(clock_.now());
  const std::string today = now.substr(0, 10);
  size_t sent_today = 0;
  for (const auto& test : d.tests) {
    if (test["sent_at"].get<std::string>().rfind(today, 0) == 0) sent_today += test["email_addresses"].size();
  }
  if (sent_today + addresses.size() > kTestRecipientsPerDay) {
    return makeError(ErrorCode::TooManyRequests, "campaign.api.rate_limit",
                     "Test sends reach at most 50 recipients a day; " + std::to_string(sent_today) +
                         " have been sent today (UTC).");
  }
  d.tests.push_back({{"campaign_activity_id", id},
                     {"email_addresses", addresses},
                     {"personal_message", fields.stringOr("personal_message", "")},
                     {"sent_at", now},
                     {"subject", (**activity)["subject"]}});
  return save(account, d);
}

json EmailStore::testSends(const std::string& account) {
  std::lock_guard lock(mutex_);
  return data(account).tests;
}

}  // namespace liaison::sandbox
