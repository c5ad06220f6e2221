#pragma once
// CC's email campaign rules (EmailCampaignComplete, EmailCampaignActivityInput and
// EmailCampaignActivity of the v3 document): field limits, the custom-code format, the
// [[trackingImage]] rule and the confirmed-sender rule. Pure functions on JSON.
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace liaison::sandbox {

// 400 campaign.api.validation.error with a message naming the field.
Error campaignValidation(const std::string& message);
// 404 campaign.api.not_found for `what` ("Email campaign", "Email campaign activity").
Error campaignNotFound(const std::string& what);
// The strings of a JSON array of strings (list ids, recipients).
std::vector<std::string> stringsOf(const nlohmann::json& array);

// Campaign names: a string of 1 to 80 characters.
Status validateCampaignName(const nlohmann::json& body);

// The writable content of an activity (POST /emails' one activity, or PUT of an activity):
// format_type, from_name/from_email/reply_to_email (senders must be CONFIRMED account emails,
// lower-case in `confirmed_senders`), subject, html_content (with [[trackingImage]] in its
// body), preheader and physical_address_in_footer.
Status validateActivityContent(const nlohmann::json& activity, const std::set<std::string>& confirmed_senders);

// Copies the writable content into `stored`. Any legacy format_type is stored as 5 (custom
// code), as CC converts it. `default_footer` is used when the body has no physical address.
void applyActivityContent(nlohmann::json& stored, const nlohmann::json& activity,
                          const nlohmann::json& default_footer);

// Recipients of a PUT activity: contact_list_ids (list ids) or segment_ids (at most one),
// never both.
Status validateRecipients(const nlohmann::json& activity);

// include= values of GET /emails/activities/{id}.
Result<std::vector<std::string>> activityIncludes(const std::string& include);
// What GET returns: the heavy fields only when included.
nlohmann::json presentActivity(const nlohmann::json& stored, const std::vector<std::string>& include);

// scheduled_date: "0" (now), an ISO-8601 date (midnight UTC) or date-time. Sets `immediate`.
Result<std::string> scheduledDate(const nlohmann::json& body, bool& immediate);

}  // namespace liaison::sandbox
