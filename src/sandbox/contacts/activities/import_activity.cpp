// Bulk activities: the JSON contact import (CC's import semantics) and activity status.

#include "sandbox/contacts/activities/activity_records.h"

#include "cc/email_address.h"
#include "cc/provider.h"
#include "core/encoding.h"
#include "core/json_fields.h"
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/contacts/contact_store.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

// A column value as text: imports carry strings, but numbers are accepted for birthdays.
std::optional<std::string> text(const json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return std::nullopt;
}

struct PhoneColumn {
  const char* column;
  const char* kind;
};
constexpr PhoneColumn kPhoneColumns[] = {
    {"phone", "other"}, {"home_phone", "home"}, {"work_phone", "work"}, {"mobile_phone", "mobile"}, {"other_phone", "other"}};

// The address columns of one kind: street, street2, city, state, zip, country, with a prefix.
struct AddressColumns {
  const char* kind;
  const char* street;
  const char* street2;
  const char* fields[4][2];  // column -> field of the street address
};
constexpr AddressColumns kAddressColumns[] = {
    {"home", "street", "street2", {{"city", "city"}, {"state", "state"}, {"zip", "postal_code"}, {"country", "country"}}},
    {"home", "home_street", "home_street2",
     {{"home_city", "city"}, {"home_state", "state"}, {"home_zip", "postal_code"}, {"home_country", "country"}}},
    {"work", "work_street", "work_street2",
     {{"work_city", "city"}, {"work_state", "state"}, {"work_zip", "postal_code"}, {"work_country", "country"}}},
    {"other", "other_street", "other_street2",
     {{"other_city", "city"}, {"other_state", "state"}, {"other_zip", "postal_code"}, {"other_country", "country"}}}};

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
    const auto digits = [](const std::string& value) {
      return !value.empty() && value.size() <= 2 &&
             std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!month || !day || !digits(*month) || !digits(*day) || std::stoi(*month) < 1 ||
        std::stoi(*month) > 12 || std::stoi(*day) < 1 || std::stoi(*day) > 31) {
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
  for (const auto& [column, kind] : kPhoneColumns) {
    auto value = text(row, column);
    if (!value) continue;
    if (value->size() > 50) return {false, std::string(column) + " is longer than 50 characters"};
    json& phones = contact["phone_numbers"];
    if (!phones.is_array()) phones = json::array();
    const bool known = std::any_of(phones.begin(), phones.end(),
                                   [&](const json& p) { return p.value("phone_number", "") == *value; });
    if (!known && phones.size() < 3) {
      phones.push_back({{"phone_number_id", new_id()}, {"phone_number", *value}, {"kind", kind},
                        {"created_at", now}, {"updated_at", now}});
    }
  }
  for (const auto& columns : kAddressColumns) {
    const std::string kind = columns.kind;
    json address = json::object();
    if (auto street = text(row, columns.street)) {
      auto street2 = text(row, columns.street2);
      address["street"] = street2 ? *street + " " + *street2 : *street;
    }
    for (const auto& [column, field] : columns.fields) {
      if (auto value = text(row, column)) address[field] = *value;
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
  // Keys are sorted: the cf: columns are one run.
  const auto& columns = row.get_ref<const json::object_t&>();
  for (auto column = columns.lower_bound("cf:"); column != columns.end() && column->first.rfind("cf:", 0) == 0;
       ++column) {
    const std::string& key = column->first;
    const json& value = column->second;
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

// A contact an import creates: implicit permission, sourced from the account. Built field by
// field (an initializer list copies every value once more, 40,000 times per import).
json newImportedContact(std::string id, const std::string& email, const std::string& stamp) {
  json address = json::object();
  address["address"] = email;
  address["permission_to_send"] = "implicit";
  address["opt_in_source"] = "Account";
  address["opt_in_date"] = stamp;
  address["created_at"] = stamp;
  address["updated_at"] = stamp;
  address["confirm_status"] = "off";
  json contact = json::object();
  contact["contact_id"] = std::move(id);
  contact["create_source"] = "Account";
  contact["created_at"] = stamp;
  contact["email_address"] = std::move(address);
  return contact;
}

}  // namespace

Result<ContactStore::ImportPlan> ContactStore::planImport(const AccountData& d, const json& body) const {
  for (const auto& id : body["list_ids"]) {
    if (!id.is_string() || !d.lists.count(id.get<std::string>())) {
      return activityValidation("list_ids: " + id.dump() + " is not a list of this account.");
    }
  }
  std::map<std::string, std::string> field_by_name;
  for (const auto& [id, field] : d.custom_fields) field_by_name[field["name"]] = id;

  const std::string stamp = now();
  const auto new_id = [this] {
    std::lock_guard ids_lock(ids_mutex_);  // plans run side by side under the shared lock
    return random_.uuid();
  };
  ImportPlan plan;
  auto& [staged, staged_emails, next_seq, errors, imported, correctable, cannot_add] = plan;
  staged_emails.reserve(body["import_data"].size());
  const bool readd = d.quirks.value("import_readds_left_lists", true);
  next_seq = d.next_seq;
  for (size_t i = 0; i < body["import_data"].size(); ++i) {
    const json& row = body["import_data"][i];
    auto email = row.is_object() ? text(row, "email") : std::nullopt;
    if (!email || !cc::isEmailAddress(*email)) {
      ++correctable;
      if (errors.size() < 100) errors.push_back("Row " + std::to_string(i + 1) + ": a valid email is required.");
      continue;
    }
    const std::string key = toLower(*email);
    uint64_t seq = 0;
    json contact;
    if (auto s = staged_emails.find(key); s != staged_emails.end()) {
      seq = s->second;
      contact = staged.at(seq).tree();
    } else if (auto owner = d.by_email.find(key); owner != d.by_email.end()) {
      seq = owner->second;
      contact = d.contacts.at(seq).tree();
      contact.erase("deleted_at");  // importing a deleted contact brings it back
    } else {
      seq = next_seq++;
      contact = newImportedContact(new_id(), *email, stamp);
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
      const json* left = nullptr;
      if (auto it = updated.find("_left_lists"); !readd && it != updated.end() && it->is_array()) left = &*it;
      for (const auto& id : body["list_ids"]) {
        if (left && std::find(left->begin(), left->end(), id) != left->end()) continue;
        if (std::find(lists.begin(), lists.end(), id) == lists.end() && lists.size() < 50) lists.push_back(id);
      }
    }
    updated["updated_at"] = stamp;
    staged[seq] = StoredContact(std::move(updated));
    staged_emails[key] = seq;
    ++imported;
  }
  return plan;
}

namespace {

// What makes the whole request a 400 rather than row errors in the finished activity: a row that
// is not an object, or a value that is not text (or a whole number, for birthdays), or is longer
// than any column CC accepts (255 characters). A control character in a column's name or value
// refuses the whole import too, as on every other way in for contact data: it marks a broken
// file or request, not a value to correct.
Status checkImportRows(const json& rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string where = "import_data[" + std::to_string(i) + "]";
    if (!rows[i].is_object()) return activityValidation(where + " must be an object.");
    for (const auto& [column, value] : rows[i].items()) {
      if (hasControlCharacter(column))
        return activityValidation(where + ": a column name holds a control character.");
      if (value.is_null() || value.is_number_integer()) continue;
      if (!value.is_string()) return activityValidation(where + "." + column + " must be a string.");
      if (auto problem = textProblem(value.get_ref<const std::string&>(), {255})) {
        return activityValidation(where + "." + column + " " + *problem);
      }
    }
  }
  return okStatus();
}

}  // namespace

Result<json> ContactStore::importContacts(const std::string& account, const json& body) {
  if (!body.contains("import_data") || !body["import_data"].is_array() || body["import_data"].empty()) {
    return activityValidation("import_data must be a non-empty array of contacts.");
  }
  if (auto rows = checkImportRows(body["import_data"]); !rows) return rows.error();
  if (body["import_data"].size() > cc::constantContact().limits.import_rows_max) {
    return activityValidation("import_data allows at most 40,000 contacts.");
  }
  if (!body.contains("list_ids") || !body["list_ids"].is_array() || body["list_ids"].empty() ||
      body["list_ids"].size() > 50) {
    return activityValidation("list_ids must name 1 to 50 lists.");
  }
  for (const auto& id : body["list_ids"]) {
    if (!id.is_string() || !isUuid(id.get<std::string>()))
      return activityValidation("list_ids must hold list ids.");
  }
  // The rows are worked out under the shared lock, so reads go on during a large import; the
  // plan is applied under the exclusive lock if no write came in between, else worked out again.
  Result<ImportPlan> plan = activityValidation("not planned");
  uint64_t planned_at = 0;
  {
    std::shared_lock lock(mutex_);
    if (const AccountData* existing = find(account)) {
      planned_at = generation_;
      plan = planImport(*existing, body);
    }
  }
  if (auto hook = import_planned_) hook();  // a copy: the hook may replace itself
  std::unique_lock lock(mutex_);
  const bool stale = planned_at == 0 || planned_at != generation_;
  AccountData& d = data(account);
  if (stale) plan = planImport(d, body);
  if (!plan) return plan.error();
  if (auto queue = checkActivityQueue(d); !queue) return queue.error();
  auto& [staged, staged_emails, next_seq, errors, imported, correctable, cannot_add] = *plan;

  json activity = newActivity(d,
                              {{"items_total_count", body["import_data"].size()}, {"person_count", imported},
                               {"error_count", 0}, {"correctable_count", correctable},
                               {"cannot_add_to_list_count", cannot_add}},
                              errors);
  const std::string activity_id = activity["activity_id"];
  if (store_) {
    std::vector<storage::Write> writes;
    writes.reserve(staged.size() + 1);
    for (const auto& [seq, contact] : staged) {
      writes.push_back({"contact", account + "/" + contact.id(), contact.record(seq)});
    }
    writes.push_back({"activity", account + "/" + activity_id, activity.dump()});
    if (!store_->commit(writes)) {
      return makeError(ErrorCode::Internal, "server_error", "The import could not be stored.");
    }
  }
  d.contact_seq.reserve(d.contact_seq.size() + staged.size());
  d.by_email.reserve(d.by_email.size() + staged_emails.size());
  for (auto& [seq, contact] : staged) {
    d.contact_seq[contact.id()] = seq;
    d.contacts[seq] = std::move(contact);
  }
  for (auto& [key, seq] : staged_emails) d.by_email[key] = seq;
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
    std::lock_guard polls_lock(polls_mutex_);
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
  std::lock_guard polls_lock(polls_mutex_);
  for (const auto& [id, record] : d->activities) {
    auto polls = d->activity_polls.find(id);
    json reported = reportActivity(record, polls == d->activity_polls.end() ? 0 : polls->second, at);
    if (!state.empty() && reported["state"] != state) continue;
    out["activities"].push_back(std::move(reported));
  }
  return out;
}

}  // namespace liaison::sandbox
