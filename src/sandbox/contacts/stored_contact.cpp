#include "sandbox/contacts/stored_contact.h"

#include <algorithm>

#include "core/encoding.h"
#include "sandbox/contacts/contact_rules.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

TimePoint timeField(const json& object, const char* field) {
  auto it = object.find(field);
  TimePoint t;
  if (it == object.end() || !it->is_string() || !parseIso8601(it->get_ref<const std::string&>(), t)) {
    return TimePoint::min();
  }
  return t;
}

std::vector<std::string> stringsOf(const json& object, const char* field) {
  std::vector<std::string> out;
  auto it = object.find(field);
  if (it == object.end() || !it->is_array()) return out;
  out.reserve(it->size());
  for (const auto& item : *it) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

const std::string kPermissionNames[] = {"not_set",   "explicit",    "implicit", "pending_confirmation",
                                        "temp_hold", "unsubscribed"};

uint8_t permissionIndex(const std::string& name) {
  for (uint8_t i = 0; i < std::size(kPermissionNames); ++i) {
    if (kPermissionNames[i] == name) return i;
  }
  return 0;
}

std::string stringField(const json& object, const char* field) {
  auto it = object.find(field);  // find() on a non-object finds nothing
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool anyOf(const std::vector<std::string>& held, const std::vector<std::string>& wanted) {
  return std::any_of(held.begin(), held.end(),
                     [&](const std::string& id) { return std::find(wanted.begin(), wanted.end(), id) != wanted.end(); });
}

// The default view leaves out the sub-resources (include=) and the internal `_` fields, as
// presentContact does.
bool inDefaultView(const std::string& key) { return key.empty() || (key[0] != '_' && !isContactInclude(key)); }

std::string compactText(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

StoredContact::StoredContact(json contact)
    : id_(stringField(contact, "contact_id")),

      lists_(stringsOf(contact, "list_memberships")),
      tags_(stringsOf(contact, "taggings")),
      created_at_(timeField(contact, "created_at")),
      updated_at_(timeField(contact, "updated_at")),
      permission_(permissionIndex(permissionToSend(contact))),
      deleted_(contact.contains("deleted_at")) {
  if (auto email = contact.find("email_address"); email != contact.end() && email->is_object()) {
    opt_out_date_ = timeField(*email, "opt_out_date");
  }
  json view = json::object();
  json extra = json::object();
  if (contact.is_object()) {
    for (auto& [key, value] : contact.get_ref<json::object_t&>()) {
      (inDefaultView(key) ? view : extra)[key] = std::move(value);
    }
  }
  view_ = compactText(view);
  view_.shrink_to_fit();
  if (!extra.empty()) {
    extra_ = compactText(extra);
    extra_.shrink_to_fit();
  }
}

std::string StoredContact::record(uint64_t seq) const {
  std::string contact = view_;
  if (!extra_.empty()) {
    // Two JSON objects joined into one: "{a}" + "{b}" -> "{a,b}" (the view is never empty: it
    // holds at least contact_id, and the keys of the two parts are disjoint).
    contact.pop_back();
    if (contact.size() > 1) contact += ',';
    contact.append(extra_, 1, std::string::npos);
  }
  return "{\"contact\":" + contact + ",\"seq\":" + std::to_string(seq) + "}";
}

json StoredContact::tree() const {
  json contact = view_.empty() ? json::object() : json::parse(view_);
  if (!extra_.empty()) {
    json extra = json::parse(extra_);
    for (auto& [key, value] : extra.get_ref<json::object_t&>()) contact[key] = std::move(value);
  }
  return contact;
}

bool StoredContact::textContains(const std::string& needle) const {
  return view_.find(needle) != std::string::npos || extra_.find(needle) != std::string::npos;
}

const std::string& StoredContact::permission() const { return kPermissionNames[permission_]; }

std::string emailKeyOf(const json& contact) {
  auto email = contact.find("email_address");
  if (email == contact.end() || !email->is_object()) return "";
  return toLower(stringField(*email, "address"));
}

bool StoredContact::inAnyList(const std::vector<std::string>& ids) const { return anyOf(lists_, ids); }

bool StoredContact::hasAnyTag(const std::vector<std::string>& ids) const { return anyOf(tags_, ids); }

std::optional<TimePoint> StoredContact::optionalTime(TimePoint t) {
  if (t == TimePoint::min()) return std::nullopt;
  return t;
}

}  // namespace liaison::sandbox
