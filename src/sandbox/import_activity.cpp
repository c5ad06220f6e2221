// Bulk activities: the JSON contact import (CC's import semantics) and activity status.
#include <regex>

#include "sandbox/activity_records.h"
#include "sandbox/contact_rules.h"
#include "sandbox/contact_store.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

constexpr size_t kMaxImportRows = 40000;

// A column value as text: imports carry strings, but numbers are accepted for birthdays.
std::optional<std::string> text(const json& row, const std::string& key) {
  if (!row.contains(key) || row[key].is_null()) return std::nullopt;
  if (row[key].is_string()) return row[key].get<std::string>();
  if (row[key].is_number_integer()) return std::to_string(row[key].get<int64_t>());
  return std::nullopt;
}

struct RowOutcome {
  bool ok = true;
  std::string error;
};

// Copies the supplied columns of an import row onto `contact` (only supplied fields change).
RowOutcome applyRow(const json& row, json& contact, const std::map<std::string, std::string>& field_by_name,
                    const std::string& now, const std::function<std::string()>& new_id) {
  for (const char* field : {"first_name", "last_name", "job_title", "company_name"}) {
    if (auto value = text(row, field)) {
      if (value->size() > 50) return {false, std::string(field) + " is longer than 50 characters"};
      contact[field] = *value;
    }
  }
  auto month = text(row, "birthday_month");
  auto day = text(row, "birthday_day");
  if (month || day) {
    static const std::regex digits("[0-9]{1,2}");
    if (!month || !day || !std::regex_match(*month, digits) || !std::regex_match(*day, digits) ||
        std::stoi(*month) < 1 || std::stoi(*month) > 12 || std::stoi(*day) < 1 || std::stoi(*day) > 31) {
      return {false, "birthday_month and birthday_day must be a valid pair"};
    }
    contact["birthday_month"] = std::stoi(*month);
    contact["birthday_day"] = std::stoi(*day);
  }
  if (auto anniversary = text(row, "anniversary")) {
    json probe = {{"create_source", "Account"}, {"first_name", "x"}, {"anniversary", *anniversary}};
    if (!validateContactBody(probe, true)) return {false, "anniversary is not a valid date"};
    contact["anniversary"] = *anniversary;
  }
  for (const auto& [column, kind] : std::vector<std::pair<std::string, std::string>>{
           {"phone", "other"}, {"home_phone", "home"}, {"work_phone", "work"}, {"mobile_phone", "mobile"},
           {"other_phone", "other"}}) {
    auto value = text(row, column);
    if (!value) continue;
    if (value->size() > 50) return {false, column + " is longer than 50 characters"};
    json& phones = contact["phone_numbers"];
    if (!phones.is_array()) phones = json::array();
    const bool known = std::any_of(phones.begin(), phones.end(),
                                   [&](const json& p) { return p.value("phone_number", "") == *value; });
    if (!known && phones.size() < 3) {
      phones.push_back({{"phone_number_id", new_id()}, {"phone_number", *value}, {"kind", kind},
                        {"created_at", now}, {"updated_at", now}});
    }
  }
  for (const auto& [prefix, kind] : std::vector<std::pair<std::string, std::string>>{
           {"", "home"}, {"home_", "home"}, {"work_", "work"}, {"other_", "other"}}) {
    json address = json::object();
    for (const auto& [column, field] : std::vector<std::pair<std::string, std::string>>{
             {"street", "street"}, {"city", "city"}, {"state", "state"}, {"zip", "postal_code"},
             {"country", "country"}}) {
      if (auto value = text(row, prefix + column)) address[field] = *value;
    }
    if (auto street2 = text(row, prefix + "street2"); street2 && address.contains("street")) {
      address["street"] = address["street"].get<std::string>() + " " + *street2;
    }
    if (address.empty()) continue;
    json& addresses = contact["street_addresses"];
    if (!addresses.is_array()) addresses = json::array();
    const std::string& wanted_kind = kind;  // clang 14 cannot capture structured bindings
    auto same_kind = std::find_if(addresses.begin(), addresses.end(),
                                  [&](const json& a) { return a["kind"] == wanted_kind; });
    address["kind"] = kind;
    address["updated_at"] = now;
    if (same_kind != addresses.end()) {
      address["street_address_id"] = (*same_kind)["street_address_id"];
      address["created_at"] = (*same_kind)["created_at"];
      *same_kind = address;
    } else if (addresses.size() < 3) {
      address["street_address_id"] = new_id();
      address["created_at"] = now;
      addresses.push_back(address);
    }
  }
  for (const auto& [key, value] : row.items()) {
    if (key.rfind("cf:", 0) != 0) continue;
    auto field = field_by_name.find(key.substr(3));
    if (field == field_by_name.end()) return {false, "custom field '" + key.substr(3) + "' does not exist"};
    if (!value.is_string() || value.get<std::string>().size() > 255) {
      return {false, key + " must be a string of at most 255 characters"};
    }
    json& fields = contact["custom_fields"];
    if (!fields.is_array()) fields = json::array();
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const json& f) { return f["custom_field_id"] == field->second; });
    if (it != fields.end()) (*it)["value"] = value;
    else fields.push_back({{"custom_field_id", field->second}, {"value", value}});
  }
  return {};
}

}  // namespace

Result<json> ContactStore::importContacts(const std::string& account, const json& body) {
  if (!body.contains("import_data") || !body["import_data"].is_array() || body["import_data"].empty()) {
    return activityValidation("import_data must be a non-empty array of contacts.");
  }
  if (body["import_data"].size() > kMaxImportRows) {
    return activityValidation("import_data allows at most 40,000 contacts.");
  }
  if (!body.contains("list_ids") || !body["list_ids"].is_array() || body["list_ids"].empty() ||
      body["list_ids"].size() > 50) {
    return activityValidation("list_ids must name 1 to 50 lists.");
  }
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  if (auto queue = checkActivityQueue(d); !queue) return queue.error();
  for (const auto& id : body["list_ids"]) {
    if (!id.is_string() || !d.lists.count(id.get<std::string>())) {
      return activityValidation("list_ids: " + id.dump() + " is not a list of this account.");
    }
  }
  std::map<std::string, std::string> field_by_name;
  for (const auto& [id, field] : d.custom_fields) field_by_name[field["name"]] = id;

  const std::string stamp = now();
  const auto new_id = [this] { return random_.uuid(); };
  std::map<uint64_t, json> staged;  // seq -> contact after this import
  std::map<std::string, uint64_t> staged_emails;
  uint64_t next_seq = d.next_seq;
  json errors = json::array();
  int imported = 0, correctable = 0, cannot_add = 0;
  for (size_t i = 0; i < body["import_data"].size(); ++i) {
    const json& row = body["import_data"][i];
    auto email = row.is_object() ? text(row, "email") : std::nullopt;
    if (!email || email->size() > 80 || !isValidUtf8(*email) || !isEmailAddress(*email)) {
      ++correctable;
      if (errors.size() < 100) errors.push_back("Row " + std::to_string(i + 1) + ": a valid email is required.");
      continue;
    }
    const std::string key = toLower(*email);
    uint64_t seq = 0;
    json contact;
    if (auto s = staged_emails.find(key); s != staged_emails.end()) {
      seq = s->second;
      contact = staged[seq];
    } else if (auto owner = d.by_email.find(key); owner != d.by_email.end()) {
      seq = d.contact_seq.at(owner->second);
      contact = d.contacts.at(seq);
      contact.erase("deleted_at");  // importing a deleted contact brings it back
    } else {
      seq = next_seq++;
      contact = {{"contact_id", new_id()}, {"create_source", "Account"}, {"created_at", stamp},
                 {"email_address", {{"address", *email}, {"permission_to_send", "implicit"},
                                    {"opt_in_source", "Account"}, {"opt_in_date", stamp}, {"created_at", stamp},
                                    {"updated_at", stamp}, {"confirm_status", "off"}}}};
    }
    json updated = std::move(contact);  // already a copy: a failed row changes nothing
    auto outcome = applyRow(row, updated, field_by_name, stamp, new_id);
    if (!outcome.ok) {
      ++correctable;
      if (errors.size() < 100) errors.push_back("Row " + std::to_string(i + 1) + ": " + outcome.error + ".");
      if (seq >= d.next_seq && !staged.count(seq)) --next_seq;  // a new contact that never was
      continue;
    }
    // Imports only add list memberships, and never to a contact who unsubscribed.
    if (updated["email_address"].value("permission_to_send", "") == "unsubscribed") {
      ++cannot_add;
    } else {
      json& lists = updated["list_memberships"];
      if (!lists.is_array()) lists = json::array();
      const bool readd = d.quirks.value("import_readds_left_lists", true);
      const json left = updated.value("_left_lists", json::array());
      for (const auto& id : body["list_ids"]) {
        if (!readd && std::find(left.begin(), left.end(), id) != left.end()) continue;
        if (std::find(lists.begin(), lists.end(), id) == lists.end() && lists.size() < 50) lists.push_back(id);
      }
    }
    updated["updated_at"] = stamp;
    staged[seq] = std::move(updated);
    staged_emails[key] = seq;
    ++imported;
  }

  json activity = newActivity(d,
                              {{"items_total_count", body["import_data"].size()}, {"person_count", imported},
                               {"error_count", 0}, {"correctable_count", correctable},
                               {"cannot_add_to_list_count", cannot_add}},
                              errors);
  const std::string activity_id = activity["activity_id"];
  if (store_) {
    std::vector<storage::Write> writes;
    for (const auto& [seq, contact] : staged) {
      writes.push_back({"contact", account + "/" + contact["contact_id"].get<std::string>(),
                        json{{"seq", seq}, {"contact", contact}}.dump()});
    }
    writes.push_back({"activity", account + "/" + activity_id, activity.dump()});
    if (!store_->commit(writes)) {
      return makeError(ErrorCode::Internal, "server_error", "The import could not be stored.");
    }
  }
  for (auto& [seq, contact] : staged) {
    const std::string id = contact["contact_id"];
    d.contact_seq[id] = seq;
    d.by_email[toLower(contact["email_address"]["address"].get<std::string>())] = id;
    d.contacts[seq] = std::move(contact);
  }
  d.next_seq = std::max(d.next_seq, next_seq);
  d.activities[activity_id] = activity;
  return acceptedActivity(activity);
}

Result<json> ContactStore::getActivity(const std::string& account, const std::string& id) const {
  std::shared_lock lock(mutex_);
  const AccountData* d = find(account);
  if (!d || !d->activities.count(id)) {
    return makeError(ErrorCode::NotFound, "activities.api.not_found", "Activity " + id + " not found.");
  }
  int polls = 0;
  {
    std::lock_guard polls_lock(render_mutex_);
    polls = ++d->activity_polls[id];
  }
  return reportActivity(d->activities.at(id), polls, clock_.now());
}

Result<json> ContactStore::listActivities(const std::string& account, const Params& query) const {
  const std::string state = query.getOr("state");
  std::shared_lock lock(mutex_);
  json out = {{"activities", json::array()}};
  const AccountData* d = find(account);
  if (!d) return out;
  const TimePoint at = clock_.now();
  std::lock_guard polls_lock(render_mutex_);
  for (const auto& [id, record] : d->activities) {
    auto polls = d->activity_polls.find(id);
    json reported = reportActivity(record, polls == d->activity_polls.end() ? 0 : polls->second, at);
    if (!state.empty() && reported["state"] != state) continue;
    out["activities"].push_back(std::move(reported));
  }
  return out;
}

}  // namespace liaison::sandbox
