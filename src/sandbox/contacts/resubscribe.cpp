// PUT /v3/contacts/resubscribe/{contact_id}: CC emails an unsubscribed contact once, asking them
// to confirm; only their confirmation (the control API stands in for the click) opts them back
// in and adds them to the lists named in the request.
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/contacts/contact_store.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

Error notFound(const std::string& id) {
  return makeError(ErrorCode::NotFound, "contacts.api.not_found", "Contact " + id + " not found.");
}

}  // namespace

Status ContactStore::requestResubscribe(const std::string& account, const std::string& id, const json& body) {
  if (!body.contains("list_ids") || !body["list_ids"].is_array() || body["list_ids"].empty() ||
      body["list_ids"].size() > 50) {
    return contactValidation("list_ids must name 1 to 50 lists.");
  }
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  for (const auto& list : body["list_ids"]) {
    if (!list.is_string() || !d.lists.count(list.get<std::string>())) {
      return contactValidation("list_ids: " + list.dump() + " is not a list of this account.");
    }
  }
  auto seq = d.contact_seq.find(id);
  if (seq == d.contact_seq.end() || d.contacts.at(seq->second).deleted()) return notFound(id);
  json contact = d.contacts.at(seq->second).tree();
  if (permissionToSend(contact) != "unsubscribed") {
    return contactValidation("Only an unsubscribed contact can be asked to resubscribe.");
  }
  if (contact.contains("_resubscribe")) {
    return makeError(ErrorCode::Conflict, "contacts.api.conflict",
                     "A resubscribe email has already been sent to this contact; CC sends it only once.");
  }
  contact["_resubscribe"] = {{"list_ids", body["list_ids"]}, {"requested_at", now()}, {"confirmed", false}};
  return saveContact(account, d, seq->second, StoredContact(std::move(contact)));
}

Result<json> ContactStore::confirmResubscribe(const std::string& account, const std::string& id) {
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  auto seq = d.contact_seq.find(id);
  if (seq == d.contact_seq.end()) return notFound(id);
  json contact = d.contacts.at(seq->second).tree();
  if (!contact.contains("_resubscribe") || contact["_resubscribe"].value("confirmed", false)) {
    return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error", "No resubscribe email is waiting for this contact.");
  }
  const std::string stamp = now();
  json& email = contact["email_address"];
  email["permission_to_send"] = "explicit";
  email["opt_in_source"] = "Contact";
  email["opt_in_date"] = stamp;
  email["updated_at"] = stamp;
  for (const char* field : {"opt_out_source", "opt_out_date", "opt_out_reason"}) email.erase(field);
  json& lists = contact["list_memberships"];
  if (!lists.is_array()) lists = json::array();
  for (const auto& list : contact["_resubscribe"]["list_ids"]) {
    if (d.lists.count(list.get<std::string>()) && std::find(lists.begin(), lists.end(), list) == lists.end() &&
        lists.size() < 50) {
      lists.push_back(list);
    }
  }
  contact["_resubscribe"]["confirmed"] = true;  // the one email has been used
  contact["updated_at"] = stamp;
  if (auto status = saveContact(account, d, seq->second, StoredContact(contact)); !status) return status.error();
  return presentContact(contact, {"list_memberships"});
}

}  // namespace liaison::sandbox
