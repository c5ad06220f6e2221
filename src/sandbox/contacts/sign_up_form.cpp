// POST /v3/contacts/sign_up_form: create-or-update keyed by email, with append semantics for
// lists and custom fields; it revives deleted contacts and opts the address in.
#include "core/encoding.h"
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/contacts/contact_store.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

Status validateSignUp(const json& body) {
  if (!body.contains("email_address") || !body["email_address"].is_string()) {
    return contactValidation("email_address is required (this sandbox does not emulate SMS sign-ups).");
  }
  if (!body.contains("list_memberships") || !body["list_memberships"].is_array() ||
      body["list_memberships"].empty() || body["list_memberships"].size() > 50) {
    return contactValidation("list_memberships must name 1 to 50 lists.");
  }
  if (body.contains("custom_fields") && (!body["custom_fields"].is_array() || body["custom_fields"].size() > 50)) {
    return contactValidation("custom_fields allows at most 50 entries.");
  }
  if (body.contains("phone_number") && (!body["phone_number"].is_string() || body["phone_number"].get<std::string>().size() > 25)) {
    return contactValidation("phone_number must be a string of at most 25 characters.");
  }
  if (body.contains("phone_number") && hasControlCharacter(body["phone_number"].get<std::string>())) {
    return contactValidation("phone_number must not contain control characters.");
  }
  if (body.contains("street_address") && !body["street_address"].is_object()) {
    return contactValidation("street_address must be an object.");
  }
  // The remaining fields share the contact rules: check them in the contact shape.
  json shaped = {{"create_source", "Contact"}, {"email_address", {{"address", body["email_address"]}}},
                 {"list_memberships", body["list_memberships"]}};
  for (const char* field : {"first_name", "last_name", "job_title", "company_name", "anniversary",
                            "birthday_month", "birthday_day", "custom_fields"}) {
    if (body.contains(field)) shaped[field] = body[field];
  }
  if (body.contains("street_address")) shaped["street_addresses"] = json::array({body["street_address"]});
  return validateContactBody(shaped, true);
}

void appendUnique(json& target, const json& items, const char* key) {
  if (!target.is_array()) target = json::array();
  for (const auto& item : items) {
    auto same = [&](const json& existing) {
      return key ? existing.value(key, "") == item.value(key, "") : existing == item;
    };
    auto it = std::find_if(target.begin(), target.end(), same);
    if (it == target.end()) target.push_back(item);
    else if (key) *it = item;  // a custom field sent again takes the new value
  }
}

}  // namespace

Result<std::pair<json, bool>> ContactStore::signUp(const std::string& account, const json& body) {
  if (auto status = validateSignUp(body); !status) return status.error();
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  json refs = {{"list_memberships", body["list_memberships"]}};
  if (body.contains("custom_fields")) refs["custom_fields"] = body["custom_fields"];
  if (auto status = checkReferences(d, refs); !status) return status.error();
  const std::string email = toLower(body["email_address"].get<std::string>());
  const std::string stamp = now();
  auto owner = d.by_email.find(email);
  const bool created = owner == d.by_email.end();
  uint64_t seq = 0;
  json contact;
  if (created) {
    seq = d.next_seq;
    contact = {{"contact_id", random_.uuid()}, {"create_source", "Contact"}, {"created_at", stamp},
               {"email_address", {{"address", body["email_address"]}, {"created_at", stamp}}}};
  } else {
    seq = owner->second;
    contact = d.contacts.at(seq).tree();
    contact.erase("deleted_at");  // signing up again revives a deleted contact
    contact["update_source"] = "Contact";
  }
  for (const char* field : {"first_name", "last_name", "job_title", "company_name", "anniversary",
                            "birthday_month", "birthday_day"}) {
    if (body.contains(field) && !body[field].is_null()) contact[field] = body[field];
  }
  auto& address = contact["email_address"];
  if (address.value("permission_to_send", "") != "explicit") {
    address["permission_to_send"] = "explicit";
    address["opt_in_source"] = "Contact";
    address["opt_in_date"] = stamp;
    address.erase("opt_out_source");
    address.erase("opt_out_date");
    address.erase("opt_out_reason");
  }
  address["confirm_status"] = address.value("confirm_status", "off");
  address["updated_at"] = stamp;
  appendUnique(contact["list_memberships"], body["list_memberships"], nullptr);
  if (body.contains("custom_fields")) appendUnique(contact["custom_fields"], body["custom_fields"], "custom_field_id");
  if (body.contains("phone_number")) {
    json& phones = contact["phone_numbers"];
    if (!phones.is_array()) phones = json::array();
    const bool known = std::any_of(phones.begin(), phones.end(),
                                   [&](const json& p) { return p.value("phone_number", "") == body["phone_number"]; });
    if (!known && phones.size() < 3) {
      phones.push_back({{"phone_number_id", random_.uuid()}, {"phone_number", body["phone_number"]},
                        {"kind", "other"}, {"created_at", stamp}, {"updated_at", stamp}});
    }
  }
  if (body.contains("street_address")) {
    json street = body["street_address"];
    street["street_address_id"] = random_.uuid();
    street["created_at"] = stamp;
    street["updated_at"] = stamp;
    contact["street_addresses"] = json::array({street});
  }
  contact["updated_at"] = stamp;
  if (auto status = saveContact(account, d, seq, StoredContact(contact)); !status) return status.error();
  if (created) {
    ++d.next_seq;
    d.contact_seq[contact["contact_id"]] = seq;
    d.by_email[email] = seq;
  }
  return std::make_pair(json{{"contact_id", contact["contact_id"]}, {"action", created ? "created" : "updated"}},
                        created);
}

}  // namespace liaison::sandbox
