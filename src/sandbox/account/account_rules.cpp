#include "sandbox/account/account_rules.h"

#include <array>

#include "cc/email_address.h"
#include "core/json_fields.h"
#include "sandbox/contacts/contact_rules.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<const char*, size_t>, 8> kAddressFields = {{{"address_line1", 80},
                                                                           {"address_line2", 80},
                                                                           {"address_line3", 80},
                                                                           {"city", 80},
                                                                           {"state_code", 2},
                                                                           {"state_name", 80},
                                                                           {"postal_code", 25},
                                                                           {"country_code", 2}}};

}  // namespace

// PUT /v3/account/summary is a partial update of these fields; others are read-only.
Status applySummary(json& summary, const json& body, const std::string& error_key) {
  static const std::vector<std::pair<const char*, size_t>> kFields = {
      {"contact_email", 80},      {"contact_phone", 25},
      {"country_code", 2},        {"first_name", 50},
      {"last_name", 50},          {"organization_name", 100},
      {"organization_phone", 25}, {"state_code", 2},
      {"time_zone_id", 64},       {"website", 255}};
  const JsonFields fields(body, error_key);
  for (const auto& [field, max] : kFields) {
    if (auto value = fields.optionalString(field, {max}); !value) return value.error();
  }
  if (fields.has("contact_email") && !cc::isEmailAddress(body["contact_email"].get<std::string>())) {
    return makeError(ErrorCode::InvalidRequest, error_key, "contact_email is not a valid email address.");
  }
  for (const auto& [field, max] : kFields) {
    if (fields.has(field)) summary[field] = body[field];
  }
  return okStatus();
}

Status validateAddress(const json& body, const std::string& error_key) {
  const JsonFields fields(body, error_key);
  for (const auto& [field, max] : kAddressFields) {
    if (auto value = fields.optionalString(field, {max}); !value) return value.error();
  }
  for (const char* field : {"address_line1", "city", "country_code"}) {
    if (!fields.has(field) || body[field].get_ref<const std::string&>().empty()) {
      return makeError(ErrorCode::InvalidRequest, error_key, std::string(field) + " is required.");
    }
  }
  const std::string country = body["country_code"];
  if ((country == "US" || country == "CA") && !fields.has("state_code")) {
    return makeError(ErrorCode::InvalidRequest, error_key, "state_code is required for US and CA addresses.");
  }
  return okStatus();
}

json addressOf(const json& body) {
  json address = json::object();
  for (const auto& [field, max] : kAddressFields) {
    if (body.contains(field) && !body[field].is_null()) address[field] = body[field];
  }
  return address;
}

}  // namespace liaison::sandbox
