#include "sandbox/campaigns/email_rules.h"

#include "cc/email_address.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/json_fields.h"
#include "sandbox/contacts/contact_rules.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

constexpr size_t kMaxHtml = 150000;
const std::vector<const char*> kFooterFields = {"organization_name", "address_line1", "address_line2",
                                                "address_line3", "address_optional", "city", "postal_code",
                                                "country_code", "state_code", "state_non_us_name"};
const std::vector<std::string> kIncludes = {"physical_address_in_footer", "permalink_url", "html_content",
                                            "document_properties"};

Status checkText(const json& object, const char* field, size_t max, bool required,
                 const std::string& where = "", bool multiline = false) {
  if (!object.contains(field) || object[field].is_null()) {
    return required ? campaignValidation(where + field + " is required.") : okStatus();
  }
  if (!object[field].is_string()) return campaignValidation(where + field + " must be a string.");
  const auto& text = object[field].get_ref<const std::string&>();
  if (auto problem = textProblem(text, TextRule{max, multiline, !required})) {
    return campaignValidation(where + field + " " + *problem);
  }
  return okStatus();
}

// Legacy-format settings: CC ignores them on custom code emails, but still only as text.
Status checkDocumentProperties(const json& properties) {
  if (!properties.is_object()) return campaignValidation("document_properties must be an object.");
  for (const auto& [name, value] : properties.items()) {
    const size_t max = name == "style_content" || name == "text_content" ? kMaxHtml : 1500;
    if (auto status = checkText(properties, name.c_str(), max, false, "document_properties.", true);
        !status) {
      return status;
    }
  }
  return okStatus();
}

Status checkSender(const json& activity, const char* field, const std::set<std::string>& confirmed) {
  if (auto status = checkText(activity, field, 80, true); !status) return status;
  const std::string address = activity[field];
  if (!cc::isEmailAddress(address)) {
    return campaignValidation(std::string(field) + " is not a valid email address.");
  }
  if (!confirmed.count(toLower(address))) {
    return campaignValidation(std::string(field) + " " + address +
                              " is not a confirmed account email address; confirm it first (GET /v3/account/emails).");
  }
  return okStatus();
}

// [[trackingImage]] must sit inside <body> when the HTML has one, anywhere otherwise.
Status checkTrackingImage(const std::string& html) {
  const std::string lower = toLower(html);
  const size_t tag = lower.find("[[trackingimage]]");
  if (tag == std::string::npos) return campaignValidation("html_content must contain [[trackingImage]].");
  const size_t body = lower.find("<body");
  if (body == std::string::npos) return okStatus();
  const size_t end = lower.find("</body", body);
  if (html.find("[[trackingImage]]", body) == std::string::npos ||
      (end != std::string::npos && html.find("[[trackingImage]]", body) > end)) {
    return campaignValidation("html_content must contain [[trackingImage]] inside its <body> element.");
  }
  return okStatus();
}

Status checkFooter(const json& footer) {
  if (!footer.is_object()) return campaignValidation("physical_address_in_footer must be an object.");
  const std::string where = "physical_address_in_footer.";
  for (const char* field : {"organization_name", "address_line1", "country_code"}) {
    if (auto status = checkText(footer, field, 255, true, where); !status) return status;
  }
  for (const char* field : kFooterFields) {
    if (auto status = checkText(footer, field, 255, false, where); !status) return status;
  }
  const std::string country = footer["country_code"];
  if (country.size() != 2) return campaignValidation(where + "country_code must be a two-letter ISO 3166-1 code.");
  if (country == "US" && (!footer.contains("state_code") || !footer["state_code"].is_string())) {
    return campaignValidation(where + "state_code is required when country_code is US.");
  }
  return okStatus();
}

}  // namespace

Error campaignValidation(const std::string& message) {
  return makeError(ErrorCode::InvalidRequest, "campaign.api.validation.error", message);
}

Error campaignNotFound(const std::string& what) {
  return makeError(ErrorCode::NotFound, "campaign.api.not_found", what + " not found.");
}

std::vector<std::string> stringsOf(const json& array) {
  std::vector<std::string> out;
  for (const auto& item : array) out.push_back(item.get<std::string>());
  return out;
}

Status validateCampaignName(const json& body) { return checkText(body, "name", 80, true); }

Status validateActivityContent(const json& activity, const std::set<std::string>& confirmed_senders) {
  if (!activity.is_object()) return campaignValidation("An email campaign activity must be an object.");
  if (!activity.contains("format_type") || !activity["format_type"].is_number_integer()) {
    return campaignValidation("format_type is required and must be an integer.");
  }
  const int format = activity["format_type"];
  if (format < 1 || format > 5) return campaignValidation("format_type must be 5 (custom code email).");
  if (auto status = checkText(activity, "from_name", 100, true); !status) return status;
  if (auto status = checkSender(activity, "from_email", confirmed_senders); !status) return status;
  if (auto status = checkSender(activity, "reply_to_email", confirmed_senders); !status) return status;
  if (auto status = checkText(activity, "subject", 1000, true); !status) return status;
  if (auto status = checkText(activity, "preheader", 200, false); !status) return status;
  if (auto status = checkText(activity, "html_content", kMaxHtml, true, "", true); !status) return status;
  if (auto status = checkTrackingImage(activity["html_content"]); !status) return status;
  if (activity.contains("physical_address_in_footer") && !activity["physical_address_in_footer"].is_null()) {
    if (auto status = checkFooter(activity["physical_address_in_footer"]); !status) return status;
  }
  if (activity.contains("document_properties") && !activity["document_properties"].is_null()) {
    if (auto status = checkDocumentProperties(activity["document_properties"]); !status) return status;
  }
  return okStatus();
}

void applyActivityContent(json& stored, const json& activity, const json& default_footer) {
  stored["format_type"] = 5;
  for (const char* field : {"from_name", "from_email", "reply_to_email", "subject", "html_content"}) {
    stored[field] = activity[field];
  }
  if (activity.contains("preheader") && activity["preheader"].is_string()) {
    stored["preheader"] = activity["preheader"];
  } else {
    stored.erase("preheader");
  }
  json footer = json::object();
  const json& source = activity.contains("physical_address_in_footer") &&
                               activity["physical_address_in_footer"].is_object()
                           ? activity["physical_address_in_footer"]
                           : default_footer;
  for (const char* field : kFooterFields) {
    if (source.contains(field) && source[field].is_string()) footer[field] = source[field];
  }
  if (footer.value("country_code", "") == "US") footer["country_name"] = "United States";
  if (footer.value("country_code", "") == "CA") footer["country_name"] = "Canada";
  stored["physical_address_in_footer"] = footer;
  // Only format 1 uses document properties; CC ignores them on custom code emails.
  stored["document_properties"] = json::object();
}

Status validateRecipients(const json& activity) {
  const bool has_lists = activity.contains("contact_list_ids") && !activity["contact_list_ids"].is_null();
  const bool has_segments = activity.contains("segment_ids") && !activity["segment_ids"].is_null();
  if (has_lists) {
    const json& lists = activity["contact_list_ids"];
    if (!lists.is_array()) return campaignValidation("contact_list_ids must be an array of list ids.");
    for (const auto& id : lists) {
      if (!id.is_string() || !isUuid(id.get<std::string>())) {
        return campaignValidation("contact_list_ids must contain list ids (UUIDs).");
      }
    }
  }
  if (has_segments) {
    const json& segments = activity["segment_ids"];
    if (!segments.is_array()) return campaignValidation("segment_ids must be an array of segment ids.");
    if (segments.size() > 1) return campaignValidation("segment_ids accepts a single segment.");
    for (const auto& id : segments) {
      if (!id.is_number_integer()) return campaignValidation("segment_ids must contain integer segment ids.");
    }
  }
  if (has_lists && has_segments && !activity["contact_list_ids"].empty() && !activity["segment_ids"].empty()) {
    return campaignValidation("Use contact_list_ids or segment_ids, not both.");
  }
  return okStatus();
}

Result<std::vector<std::string>> activityIncludes(const std::string& include) {
  std::vector<std::string> out;
  if (include.empty()) return out;
  for (const auto& part : splitString(include, ',')) {
    if (std::find(kIncludes.begin(), kIncludes.end(), part) == kIncludes.end()) {
      return campaignValidation("include accepts physical_address_in_footer, permalink_url, html_content and "
                                "document_properties.");
    }
    out.push_back(part);
  }
  return out;
}

json presentActivity(const json& stored, const std::vector<std::string>& include) {
  json out = stored;
  for (const auto& field : kIncludes) {
    if (std::find(include.begin(), include.end(), field) == include.end()) out.erase(field);
  }
  return out;
}

Result<std::string> scheduledDate(const json& body, bool& immediate) {
  immediate = false;
  if (!body.contains("scheduled_date") || !body["scheduled_date"].is_string()) {
    return campaignValidation("scheduled_date is required: an ISO-8601 date or date-time, or \"0\" to send now.");
  }
  const std::string text = body["scheduled_date"];
  if (text == "0") {
    immediate = true;
    return std::string();
  }
  TimePoint when;
  const std::string full = text.size() == 10 ? text + "T00:00:00Z" : text;
  if (!parseIso8601(full, when)) {
    return campaignValidation("scheduled_date must be an ISO-8601 date or date-time, or \"0\" to send now.");
  }
  return formatIso8601(when);
}

}  // namespace liaison::sandbox
