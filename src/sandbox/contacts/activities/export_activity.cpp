// Bulk activities: contact exports (POST /v3/activities/contact_exports) and the CSV they
// produce (GET /v3/contact_exports/{id}). CC does not document the CSV's columns; the sandbox
// writes the contact's own field names, one column per custom field as cf:<name>.
#include <set>

#include "core/csv.h"
#include "core/encoding.h"
#include "core/json_fields.h"
#include "sandbox/contacts/activities/activity_records.h"
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/contacts/contact_store.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

const std::vector<std::string> kColumns = {
    "contact_id", "email_address", "email_permission", "first_name", "last_name", "job_title", "company_name",
    "birthday_month", "birthday_day", "anniversary", "phone_number", "street", "city", "state", "postal_code",
    "country", "list_memberships", "taggings", "email_optin_source", "email_optin_date", "email_optout_source",
    "email_optout_date", "email_optout_reason", "created_at", "updated_at", "deleted_at"};
const std::set<std::string> kStatuses = {"all", "active", "deleted", "not_set", "pending_confirmation",
                                         "temp_hold", "unsubscribed", "explicit", "implicit"};

Result<std::set<std::string>> ids(const json& body, const char* field, size_t max) {
  std::set<std::string> out;
  if (!body.contains(field) || body[field].is_null()) return out;
  if (!body[field].is_array() || body[field].empty() || body[field].size() > max) {
    return activityValidation(std::string(field) + " must hold 1 to " + std::to_string(max) + " ids.");
  }
  for (const auto& id : body[field]) {
    if (!id.is_string() || !isUuid(id.get<std::string>())) return activityValidation(std::string(field) + " must hold UUIDs.");
    out.insert(id.get<std::string>());
  }
  return out;
}

std::string text(const json& object, const char* field) {
  if (!object.is_object() || !object.contains(field) || object[field].is_null()) return "";
  return object[field].is_string() ? object[field].get<std::string>() : object[field].dump();
}

std::string joined(const json& contact, const char* field) {
  std::string out;
  for (const auto& id : contact.value(field, json::array())) {
    if (!out.empty()) out += ';';
    out += id.get_ref<const std::string&>();
  }
  return out;
}

std::string cell(const json& contact, const std::string& column) {
  const json email = contact.value("email_address", json::object());
  const json phone = contact.contains("phone_numbers") && !contact["phone_numbers"].empty() ? contact["phone_numbers"][0]
                                                                                           : json::object();
  const json address = contact.contains("street_addresses") && !contact["street_addresses"].empty()
                           ? contact["street_addresses"][0]
                           : json::object();
  if (column == "email_address") return text(email, "address");
  if (column == "email_permission") return email.is_object() ? permissionToSend(contact) : "";
  if (column == "phone_number") return text(phone, "phone_number");
  if (column == "street" || column == "city" || column == "state" || column == "postal_code" || column == "country") {
    return text(address, column.c_str());
  }
  if (column == "list_memberships" || column == "taggings") return joined(contact, column.c_str());
  if (column == "email_optin_source") return text(email, "opt_in_source");
  if (column == "email_optin_date") return text(email, "opt_in_date");
  if (column == "email_optout_source") return text(email, "opt_out_source");
  if (column == "email_optout_date") return text(email, "opt_out_date");
  if (column == "email_optout_reason") return text(email, "opt_out_reason");
  return text(contact, column.c_str());
}

// A CSV line whose cells never carry a control character: contact data refuses them on the way
// in, but data stored before that (or restored from a snapshot) may hold some, and spreadsheets
// and the tools reading an export should not meet them.
std::string exportLine(CsvRow cells) {
  for (auto& cell : cells) {
    if (hasControlCharacter(cell)) cell = replaceControlCharacters(cell);
  }
  return csvLine(cells);
}

bool statusMatches(const json& contact, const std::string& status) {
  const bool deleted = contact.contains("deleted_at");
  if (status == "all") return true;
  if (status == "deleted") return deleted;
  if (deleted) return false;
  if (status.empty()) return true;
  const std::string permission = permissionToSend(contact);
  if (status == "active") return permission != "unsubscribed";
  return permission == status;
}

}  // namespace

Result<json> ContactStore::exportContacts(const std::string& account, const json& body) {
  auto contact_ids = ids(body, "contact_ids", 500);
  auto list_ids = ids(body, "list_ids", 50);
  auto tag_ids = ids(body, "tag_ids", 50);
  if (!contact_ids) return contact_ids.error();
  if (!list_ids) return list_ids.error();
  if (!tag_ids) return tag_ids.error();
  const JsonFields fields(body, "activities.api.validation.error");
  auto exclude = fields.optionalObject("exclude");
  if (!exclude) return exclude.error();
  auto excluded = ids(*exclude ? **exclude : json::object(), "contact_ids", 50);
  if (!excluded) return excluded.error();
  if (body.contains("segment_id")) {
    return makeError(ErrorCode::NotFound, "activities.api.not_found", "Segments are not emulated; no such segment.");
  }
  auto status_field = fields.optionalString("status", {32});
  if (!status_field) return status_field.error();
  const std::string status = status_field->value_or("");
  if (status_field->has_value() && !kStatuses.count(status))
    return activityValidation("status is not a contact status.");
  auto new_subscriber_field = fields.optionalBool("new_subscriber");
  if (!new_subscriber_field) return new_subscriber_field.error();
  const bool new_subscriber = new_subscriber_field->value_or(false);
  // CC's mutual exclusions between the filters.
  if (!contact_ids->empty() + !list_ids->empty() + !tag_ids->empty() > 1) {
    return activityValidation("Use one of contact_ids, list_ids and tag_ids.");
  }
  if (!tag_ids->empty() && (!status.empty() || new_subscriber || !excluded->empty())) {
    return activityValidation("tag_ids cannot be combined with other filters.");
  }
  if (!contact_ids->empty() && (new_subscriber || !excluded->empty())) {
    return activityValidation("contact_ids can only be combined with status.");
  }
  if (!status.empty() && (new_subscriber || !excluded->empty())) {
    return activityValidation("status can only be combined with contact_ids or list_ids.");
  }
  std::vector<std::string> columns = kColumns;
  auto chosen = fields.optionalStrings("fields", 100, {64});
  if (!chosen) return chosen.error();
  if (*chosen) {
    if ((*chosen)->empty()) return activityValidation("fields must be a non-empty array.");
    columns = **chosen;
    const bool has_email = std::find(columns.begin(), columns.end(), "email_address") != columns.end();
    for (const auto& c : columns) {
      if (c.rfind("email_opt", 0) == 0 && !has_email) {
        return activityValidation(c + " can only be exported together with email_address.");
      }
    }
  }

  // The CSV is taken under the shared lock, so other calls go on while a large export is written;
  // only recording the activity needs the exclusive lock.
  std::string csv;
  size_t count = 0;
  {
    std::shared_lock lock(mutex_);
    const AccountData none;
    const AccountData* found = find(account);
    const AccountData& d = found ? *found : none;
    std::map<std::string, std::string> field_names;  // custom_field_id -> cf:<name>
    for (const auto& [id, field] : d.custom_fields) field_names[id] = "cf:" + field["name"].get<std::string>();
    if (!*chosen) {
      for (const auto& [id, name] : field_names) columns.push_back(name);
    }
    for (const auto& c : columns) {
      const bool custom = c.rfind("cf:", 0) == 0 && std::any_of(field_names.begin(), field_names.end(),
                                                               [&](const auto& f) { return f.second == c; });
      if (!custom && std::find(kColumns.begin(), kColumns.end(), c) == kColumns.end()) {
        return activityValidation("fields: '" + c + "' is not an exportable column.");
      }
    }
    for (const auto& id : *list_ids) {
      if (!d.lists.count(id)) return activityValidation("list_ids names an unknown list: " + id + ".");
    }
    for (const auto& id : *tag_ids) {
      if (!d.tags.count(id)) return activityValidation("tag_ids names an unknown tag: " + id + ".");
    }
    const TimePoint month_ago = clock_.now() - std::chrono::hours(24 * 30);
    csv = exportLine(columns);
    const auto holdsAny = [](const std::vector<std::string>& held, const std::set<std::string>& wanted) {
      return std::any_of(held.begin(), held.end(), [&](const std::string& id) { return wanted.count(id) > 0; });
    };
    for (const auto& entry : d.contacts) {
      const StoredContact& stored = entry.second;
      const std::string& id = stored.id();
      if (!contact_ids->empty() && !contact_ids->count(id)) continue;
      if (excluded->count(id)) continue;
      // The index rules most contacts out without parsing them.
      if (!list_ids->empty() && !holdsAny(stored.lists(), *list_ids)) continue;
      if (!tag_ids->empty() && !holdsAny(stored.tags(), *tag_ids)) continue;
      const json contact = stored.tree();  // a plain variable: the lambda below captures it
      if (!statusMatches(contact, status)) continue;
      auto member = [&](const char* field, const std::set<std::string>& wanted) {
        for (const auto& x : contact.value(field, json::array())) {
          if (wanted.count(x.get<std::string>())) return true;
        }
        return false;
      };
      if (!list_ids->empty() && !member("list_memberships", *list_ids)) continue;
      if (!tag_ids->empty() && !member("taggings", *tag_ids)) continue;
      if (new_subscriber) {
        TimePoint since;
        const json email = contact.value("email_address", json::object());
        if (!parseIso8601(email.value("opt_in_date", contact.value("created_at", "")), since) || since < month_ago) continue;
      }
      CsvRow row;
      for (const auto& c : columns) {
        if (c.rfind("cf:", 0) != 0) {
          row.push_back(cell(contact, c));
          continue;
        }
        std::string value;
        for (const auto& f : contact.value("custom_fields", json::array())) {
          if (field_names[f["custom_field_id"].get<std::string>()] == c) value = f.value("value", "");
        }
        row.push_back(value);
      }
      csv += exportLine(row);
      ++count;
    }
  }
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  if (auto queue = checkActivityQueue(d); !queue) return queue.error();
  json record = newActivity(d, {{"items_total_count", count}, {"items_completed_count", count}}, json::array());
  const std::string activity_id = record["activity_id"];
  record["_links"]["results"] = {{"href", "/v3/contact_exports/" + activity_id}};
  if (store_ && !store_->commit({{"activity", account + "/" + activity_id, record.dump()},
                                 {"export", account + "/" + activity_id, json{{"csv", csv}}.dump()}})) {
    return makeError(ErrorCode::Internal, "server_error", "The export could not be stored.");
  }
  d.activities[activity_id] = record;
  d.exports[activity_id] = std::move(csv);
  return acceptedActivity(record);
}

Result<std::string> ContactStore::exportFile(const std::string& account, const std::string& id) const {
  std::shared_lock lock(mutex_);
  const AccountData* d = find(account);
  if (!d || !d->exports.count(id)) {
    return makeError(ErrorCode::NotFound, "activities.api.not_found", "No contact export " + id + ".");
  }
  int polls = 0;
  {
    std::lock_guard polls_lock(polls_mutex_);
    if (auto it = d->activity_polls.find(id); it != d->activity_polls.end()) polls = it->second;
  }
  if (activityPending(d->activities.at(id), polls, clock_.now())) {
    return makeError(ErrorCode::NotFound, "activities.api.not_found",
                     "The export " + id + " has not finished; poll its activity until it is completed.");
  }
  return d->exports.at(id);
}

}  // namespace liaison::sandbox
