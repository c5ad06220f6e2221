#include "sandbox/contacts/contact_rules.h"

#include <algorithm>
#include <set>

#include "cc/contact_limits.h"
#include "cc/email_address.h"
#include "core/encoding.h"
#include "core/json_fields.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

namespace limits = cc::contact;

const std::set<std::string> kSources(limits::kSources.begin(), limits::kSources.end());
const std::set<std::string> kPermissions(limits::kPermissions.begin(), limits::kPermissions.end());
const std::set<std::string> kPhoneKinds(limits::kPhoneKinds.begin(), limits::kPhoneKinds.end());
const std::set<std::string> kAddressKinds(limits::kAddressKinds.begin(), limits::kAddressKinds.end());
const std::vector<std::string> kSubResources(limits::kSubResources.begin(), limits::kSubResources.end());
const std::vector<std::string> kTopLevel(limits::kTopLevelFields.begin(), limits::kTopLevelFields.end());

// Contact fields hold no control characters (CC refuses them; exports and the hub would carry them
// on), except the line breaks and tabs `multiline` fields such as notes allow.
Status checkString(const json& object, const char* field, size_t max, bool required, const std::string& where,
                   bool multiline = false) {
  if (!object.contains(field) || object[field].is_null()) {
    if (required) return contactValidation(where + field + " is required.");
    return okStatus();
  }
  if (!object[field].is_string()) return contactValidation(where + field + " must be a string.");
  if (auto problem =
          textProblem(object[field].get_ref<const std::string&>(), TextRule{max, multiline, true})) {
    return contactValidation(where + field + " " + *problem);
  }
  return okStatus();
}

Status checkEnum(const json& object, const char* field, const std::set<std::string>& allowed, bool required,
                 const std::string& where) {
  if (auto status = checkString(object, field, 64, required, where); !status) return status;
  if (object.contains(field) && object[field].is_string() && !allowed.count(object[field].get<std::string>())) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return contactValidation(where + field + " must be one of: " + list + ".");
  }
  return okStatus();
}

Status checkArray(const json& body, const char* field, size_t max) {
  if (!body.contains(field) || body[field].is_null()) return okStatus();
  if (!body[field].is_array()) return contactValidation(std::string(field) + " must be an array.");
  if (body[field].size() > max) {
    return contactValidation(std::string(field) + " allows at most " + std::to_string(max) + " entries.");
  }
  return okStatus();
}

bool isDigits(std::string_view text, size_t min, size_t max) {
  if (text.size() < min || text.size() > max) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Three runs of digits joined by one separator, '/' or '-' throughout: the year of four digits
// first or last, the month and day of one or two (11/15/2006, 2006/11/15, 2006-11-15, 11-15-2006).
// A sub-resource array already checked by checkArray, or an empty one.
const json& arrayOrEmpty(const json& body, const char* field) {
  static const json empty = json::array();
  return body.contains(field) && body[field].is_array() ? body[field] : empty;
}

bool validAnniversary(std::string_view text) {
  for (char separator : {'/', '-'}) {
    const size_t first = text.find(separator);
    if (first == std::string_view::npos) continue;
    const size_t second = text.find(separator, first + 1);
    if (second == std::string_view::npos) return false;
    const auto a = text.substr(0, first);
    const auto b = text.substr(first + 1, second - first - 1);
    const auto c = text.substr(second + 1);
    return isDigits(b, 1, 2) &&
           ((isDigits(a, 1, 2) && isDigits(c, 4, 4)) || (isDigits(a, 4, 4) && isDigits(c, 1, 2)));
  }
  return false;
}

Status checkSubResources(const json& body) {
  for (const auto& field : kSubResources) {
    if (auto status = checkArray(body, field.c_str(), limits::subResourceMax(field)); !status) return status;
  }
  for (const char* field : {"list_memberships", "taggings"}) {
    if (!body.contains(field) || body[field].is_null()) continue;
    for (const auto& id : body[field]) {
      if (!id.is_string() || !isUuid(id.get<std::string>())) {
        return contactValidation(std::string(field) + " must hold UUIDs.");
      }
    }
  }
  for (const auto& item : arrayOrEmpty(body, "custom_fields")) {
    if (!item.is_object()) return contactValidation("custom_fields entries must be objects.");
    if (!item.contains("custom_field_id") || !item["custom_field_id"].is_string() ||
        !isUuid(item["custom_field_id"].get<std::string>())) {
      return contactValidation("custom_fields[].custom_field_id must be a UUID.");
    }
    if (auto status = checkString(item, "value", limits::kCustomFieldValueMax, false, "custom_fields[].");
        !status)
      return status;
  }
  for (const auto& item : arrayOrEmpty(body, "phone_numbers")) {
    if (!item.is_object()) return contactValidation("phone_numbers entries must be objects.");
    if (auto s = checkString(item, "phone_number", limits::kPhoneNumberMax, true, "phone_numbers[]."); !s)
      return s;
    if (auto s = checkEnum(item, "kind", kPhoneKinds, false, "phone_numbers[]."); !s) return s;
  }
  for (const auto& item : arrayOrEmpty(body, "street_addresses")) {
    if (!item.is_object()) return contactValidation("street_addresses entries must be objects.");
    if (auto s = checkEnum(item, "kind", kAddressKinds, true, "street_addresses[]."); !s) return s;
    if (auto s = checkString(item, "street", limits::kStreetMax, false, "street_addresses[]."); !s) return s;
    for (const char* field : {"city", "state", "postal_code", "country"}) {
      if (auto s = checkString(item, field, limits::kAddressPartMax, false, "street_addresses[]."); !s)
        return s;
    }
  }
  for (const auto& item : arrayOrEmpty(body, "notes")) {
    if (!item.is_object()) return contactValidation("notes entries must be objects.");
    if (auto s = checkString(item, "content", limits::kNoteMax, true, "notes[].", true); !s) return s;
  }
  return okStatus();
}

}  // namespace

Error contactValidation(const std::string& message) {
  return makeError(ErrorCode::InvalidRequest, "contacts.api.validation.error", message);
}

Error badRequestBody(const std::string& message) {
  return makeError(ErrorCode::InvalidRequest, "http.status.bad_request", message);
}

Error activityValidation(const std::string& message) {
  return makeError(ErrorCode::InvalidRequest, "activities.api.validation.error", message);
}

bool isUuid(const std::string& text) {
  // 8-4-4-4-12 hexadecimal digits, in either case.
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (hyphen ? c != '-' : !hex) return false;
  }
  return true;
}

Result<json> parseJsonObject(const std::string& content_type, const std::string& body) {
  if (toLower(content_type).rfind("application/json", 0) != 0) {
    return makeError(ErrorCode::UnsupportedMediaType, "http.status.unsupported_media_type",
                     "The body must be application/json.");
  }
  if (!isValidUtf8(body)) return badRequestBody("The body is not valid UTF-8.");
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return badRequestBody("The body is not valid JSON.");
  if (!parsed.is_object()) return badRequestBody("The body must be a JSON object.");
  return parsed;
}

Status validateContactBody(const json& body, bool creating) {
  const char* source = creating ? "create_source" : "update_source";
  if (auto s = checkEnum(body, source, kSources, true, ""); !s) return s;
  for (const char* field : {"first_name", "last_name", "job_title", "company_name"}) {
    if (auto s = checkString(body, field, limits::kNameMax, false, ""); !s) return s;
  }
  if (auto s = checkString(body, "anniversary", limits::kAnniversaryMax, false, ""); !s) return s;
  if (body.contains("anniversary") && body["anniversary"].is_string() &&
      !validAnniversary(body["anniversary"].get<std::string>())) {
    return contactValidation("anniversary must be a date such as 2006-11-15 or 11/15/2006.");
  }
  const bool has_month = body.contains("birthday_month") && !body["birthday_month"].is_null();
  const bool has_day = body.contains("birthday_day") && !body["birthday_day"].is_null();
  if (has_month != has_day) return contactValidation("birthday_month and birthday_day go together.");
  if (has_month) {
    if (!body["birthday_month"].is_number_integer() || !body["birthday_day"].is_number_integer()) {
      return contactValidation("birthday_month and birthday_day must be integers.");
    }
    const int month = body["birthday_month"].get<int>();
    const int day = body["birthday_day"].get<int>();
    if (month < 1 || month > 12) return contactValidation("birthday_month must be 1-12.");
    if (day < 1 || day > 31) return contactValidation("birthday_day must be 1-31.");
  }
  if (body.contains("email_address") && !body["email_address"].is_null()) {
    const auto& email = body["email_address"];
    if (!email.is_object()) return contactValidation("email_address must be an object.");
    if (auto s = checkString(email, "address", limits::kEmailAddressMax, true, "email_address."); !s)
      return s;
    if (!cc::isEmailAddress(email["address"].get<std::string>())) {
      return contactValidation("email_address.address is not a valid email address.");
    }
    if (auto s = checkEnum(email, "permission_to_send", kPermissions, false, "email_address."); !s) return s;
    if (auto s = checkString(email, "opt_out_reason", limits::kOptOutReasonMax, false, "email_address."); !s)
      return s;
  }
  if (creating) {
    bool any = false;
    for (const char* field : {"first_name", "last_name", "email_address", "sms_channel"}) {
      any = any || (body.contains(field) && !body[field].is_null());
    }
    if (!any) {
      return contactValidation("A contact needs at least one of email_address, first_name, last_name, sms_channel.");
    }
  }
  return checkSubResources(body);
}

json buildContact(const json& body, const json* existing, const std::string& contact_id, const std::string& now,
                  const std::function<std::string()>& new_id) {
  json contact = json::object();
  contact["contact_id"] = contact_id;
  for (const auto& field : kTopLevel) {
    if (body.contains(field) && !body[field].is_null()) contact[field] = body[field];
  }
  if (existing) {
    contact["create_source"] = (*existing)["create_source"];
    contact["created_at"] = (*existing)["created_at"];
    contact["update_source"] = body["update_source"];
    for (const auto& field : kSubResources) {
      if (!body.contains(field) && existing->contains(field)) contact[field] = (*existing)[field];
    }
  } else {
    contact["create_source"] = body["create_source"];
    contact["created_at"] = now;
  }
  contact["updated_at"] = now;
  if (body.contains("email_address") && !body["email_address"].is_null()) {
    const auto& in = body["email_address"];
    const json* before = existing && existing->contains("email_address") ? &(*existing)["email_address"] : nullptr;
    json email = before ? *before : json::object();
    const bool same_address = before && toLower((*before)["address"].get<std::string>()) ==
                                            toLower(in["address"].get<std::string>());
    if (!same_address) {
      email = json::object();
      email["created_at"] = now;
      email["opt_in_source"] = existing ? body["update_source"] : body["create_source"];
    }
    email["address"] = in["address"];
    const std::string previous = email.value("permission_to_send", "");
    const std::string permission =
        JsonFields(in, "contacts.api.validation.error")
            .stringOr("permission_to_send", previous.empty() ? "implicit" : previous);
    email["permission_to_send"] = permission;
    email["confirm_status"] = email.value("confirm_status", "off");
    if (permission == "unsubscribed" && previous != "unsubscribed") {
      email["opt_out_source"] = existing ? body["update_source"] : body["create_source"];
      email["opt_out_date"] = now;
      if (in.contains("opt_out_reason")) email["opt_out_reason"] = in["opt_out_reason"];
    } else if (permission != "unsubscribed") {
      email.erase("opt_out_source");
      email.erase("opt_out_date");
      email.erase("opt_out_reason");
      if (previous != permission && (permission == "explicit" || permission == "implicit")) email["opt_in_date"] = now;
    }
    email["updated_at"] = now;
    contact["email_address"] = email;
  }
  for (const auto& field : kSubResources) {
    if (!body.contains(field) || body[field].is_null()) continue;
    json items = body[field];
    if (field == "phone_numbers" || field == "street_addresses" || field == "notes") {
      const char* id_field = field == "phone_numbers" ? "phone_number_id"
                             : field == "street_addresses" ? "street_address_id" : "note_id";
      for (auto& item : items) {
        if (!item.contains(id_field)) item[id_field] = new_id();
        if (!item.contains("created_at")) item["created_at"] = now;
        if (field != "notes") item["updated_at"] = now;
      }
    }
    contact[field] = items;
  }
  return contact;
}

json presentContact(const json& stored, const std::vector<std::string>& include) {
  json out = stored;
  out.erase("_left_lists");   // internal: lists the contact was removed from
  out.erase("_resubscribe");  // internal: the resubscribe email and its confirmation
  for (const auto& field : kSubResources) {
    if (std::find(include.begin(), include.end(), field) == include.end()) out.erase(field);
  }
  return out;
}

std::string permissionToSend(const json& contact) {
  if (!contact.contains("email_address")) return "not_set";
  return contact["email_address"].value("permission_to_send", "not_set");
}

bool isContactInclude(const std::string& value) {
  return std::find(kSubResources.begin(), kSubResources.end(), value) != kSubResources.end();
}

}  // namespace liaison::sandbox
