#include "sandbox/contacts/contact_store.h"

#include "cc/provider.h"

#include <set>

#include "core/memory.h"
#include "sandbox/contacts/activities/activity_records.h"
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/paging.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

Error notFound(const std::string& what) {
  return makeError(ErrorCode::NotFound, "contacts.api.not_found", what + " not found.");
}

Error invalidParam(const std::string& message) {
  return makeError(ErrorCode::InvalidRequest, "contacts.api.bad_request", message);
}

const std::set<std::string> kStatuses = {"all", "active", "deleted", "not_set", "pending_confirmation",
                                         "temp_hold", "unsubscribed", "explicit", "implicit"};

bool matchesStatus(const StoredContact& contact, const std::set<std::string>& statuses) {
  if (statuses.count("all")) return true;
  if (contact.deleted()) return statuses.count("deleted") > 0;
  const std::string& permission = contact.permission();
  if (statuses.count(permission)) return true;
  return statuses.count("active") && (permission == "explicit" || permission == "implicit");
}

enum class TimeField { Created, Updated, OptOut };

struct TimeFilter {
  TimeField field;
  bool after;
  TimePoint bound;
};

std::optional<TimePoint> timeOf(const StoredContact& contact, TimeField field) {
  switch (field) {
    case TimeField::Created: return contact.createdAt();
    case TimeField::Updated: return contact.updatedAt();
    case TimeField::OptOut: return contact.optOutDate();
  }
  return std::nullopt;
}

}  // namespace

ContactStore::ContactStore(const Clock& clock, RandomSource& random, storage::DocumentStore* store)
    : clock_(clock), random_(random), store_(store) {
  load();
}

std::string ContactStore::now() const { return formatIso8601(clock_.now()); }

Status ContactStore::persist(const std::string& kind, const std::string& account, const std::string& id,
                             const json* value) {
  if (!store_) return okStatus();
  return persistText(kind, account, id, value ? std::optional<std::string>(value->dump()) : std::nullopt);
}

Status ContactStore::persistText(const std::string& kind, const std::string& account, const std::string& id,
                                 std::optional<std::string> text) {
  if (store_ && !store_->commit({{kind, account + "/" + id, std::move(text)}})) {
    return makeError(ErrorCode::Internal, "server_error", "The change could not be stored.");
  }
  return okStatus();
}

Status ContactStore::saveContact(const std::string& account, AccountData& d, uint64_t seq, StoredContact contact) {
  if (store_) {
    if (auto status = persistText("contact", account, contact.id(), contact.record(seq)); !status) return status;
  }
  d.contacts[seq] = std::move(contact);
  return okStatus();
}

ContactStore::AccountData& ContactStore::data(const std::string& account) {
  ++generation_;  // only writers ask for mutable account data, under the exclusive lock
  return accounts_[account];
}

const ContactStore::AccountData* ContactStore::find(const std::string& account) const {
  auto it = accounts_.find(account);
  return it == accounts_.end() ? nullptr : &it->second;
}

Status ContactStore::checkReferences(const AccountData& data, const json& body) const {
  if (body.contains("list_memberships") && body["list_memberships"].is_array()) {
    for (const auto& id : body["list_memberships"]) {
      if (!data.lists.count(id.get<std::string>())) {
        return contactValidation("list_memberships: the list " + id.get<std::string>() + " does not exist.");
      }
    }
  }
  if (body.contains("taggings") && body["taggings"].is_array()) {
    for (const auto& id : body["taggings"]) {
      if (!data.tags.count(id.get<std::string>())) {
        return contactValidation("taggings: the tag " + id.get<std::string>() + " does not exist.");
      }
    }
  }
  if (body.contains("custom_fields") && body["custom_fields"].is_array()) {
    for (const auto& field : body["custom_fields"]) {
      const std::string id = field.value("custom_field_id", "");
      if (!data.custom_fields.count(id)) {
        return contactValidation("custom_fields: the custom field " + id + " does not exist.");
      }
    }
  }
  return okStatus();
}

Status ContactStore::stripFromContacts(const std::string& account, AccountData& d, const char* field,
                                       const std::string& id) {
  const std::string name = field;
  for (auto& [seq, stored] : d.contacts) {
    // Lists and tags are indexed: only the contacts that hold the id are parsed.
    if (name == "list_memberships" && std::find(stored.lists().begin(), stored.lists().end(), id) == stored.lists().end()) continue;
    if (name == "taggings" && std::find(stored.tags().begin(), stored.tags().end(), id) == stored.tags().end()) continue;
    json contact = stored.tree();
    if (!contact.contains(field)) continue;
    auto& items = contact[field];
    const auto before = items.size();
    items.erase(std::remove_if(items.begin(), items.end(),
                               [&](const json& item) {
                                 return item.is_string() ? item == id : item.value("custom_field_id", "") == id;
                               }),
                items.end());
    if (items.size() == before) continue;
    if (auto status = saveContact(account, d, seq, StoredContact(std::move(contact))); !status) return status;
  }
  return okStatus();
}

Result<json> ContactStore::recordDeletionActivity(const std::string& account, AccountData& d) {
  json record =
      completedActivity(random_.uuid(), now(), {{"items_total_count", 1}, {"items_completed_count", 1}});
  const std::string id = record["activity_id"];
  if (auto status = persist("activity", account, id, &record); !status) return status.error();
  d.activities[id] = record;
  return record;
}

json ContactStore::newActivity(const AccountData& d, const json& counters, const json& errors) const {
  json record = completedActivity(random_.uuid(), now(), counters, errors);
  const json progress = d.quirks.value("activity_progress", json("at_once"));
  if (progress != "at_once") record["_progress"] = progress;
  return record;
}

Status ContactStore::checkActivityQueue(const AccountData& d) const {
  const TimePoint at = clock_.now();
  size_t pending = 0;
  std::lock_guard polls_lock(polls_mutex_);
  for (const auto& [id, record] : d.activities) {
    auto polls = d.activity_polls.find(id);
    pending += activityPending(record, polls == d.activity_polls.end() ? 0 : polls->second, at);
  }
  if (pending >= kMaxQueuedActivities) {
    return makeError(ErrorCode::TooManyRequests, "activities.api.too_many_requests",
                     "The account has 1,000 activities waiting; poll them to completion before starting more.");
  }
  return okStatus();
}

Result<json> ContactStore::createContact(const std::string& account, const json& body) {
  if (auto status = validateContactBody(body, true); !status) return status.error();
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  if (auto status = checkReferences(d, body); !status) return status.error();
  std::string email;
  if (body.contains("email_address") && !body["email_address"].is_null()) {
    email = toLower(body["email_address"]["address"].get<std::string>());
    if (auto it = d.by_email.find(email); it != d.by_email.end()) {
      // Deleted contacts keep their address: CC answers 409 for them too.
      return makeError(ErrorCode::Conflict, "contacts.api.conflict",
                       "Validation failed: Email already exists for contact " + d.contacts.at(it->second).id());
    }
  }
  const std::string id = random_.uuid();
  json contact = buildContact(body, nullptr, id, now(), [this] { return random_.uuid(); });
  const uint64_t seq = d.next_seq;
  if (auto status = saveContact(account, d, seq, StoredContact(contact)); !status) return status.error();
  ++d.next_seq;
  d.contact_seq[id] = seq;
  if (!email.empty()) d.by_email[email] = seq;
  return contact;
}

Result<json> ContactStore::getContact(const std::string& account, const std::string& id,
                                      const std::vector<std::string>& include) const {
  std::shared_lock lock(mutex_);
  const AccountData* d = find(account);
  if (!d || !d->contact_seq.count(id)) return notFound("Contact " + id);
  return presentContact(d->contacts.at(d->contact_seq.at(id)).tree(), include);
}

Result<json> ContactStore::replaceContact(const std::string& account, const std::string& id, const json& body) {
  if (auto status = validateContactBody(body, false); !status) return status.error();
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  auto seq_it = d.contact_seq.find(id);
  if (seq_it == d.contact_seq.end()) return notFound("Contact " + id);
  if (auto status = checkReferences(d, body); !status) return status.error();
  const json existing = d.contacts.at(seq_it->second).tree();
  std::string old_email = existing.contains("email_address")
                              ? toLower(existing["email_address"]["address"].get<std::string>()) : "";
  std::string new_email = old_email;
  if (body.contains("email_address") && !body["email_address"].is_null()) {
    new_email = toLower(body["email_address"]["address"].get<std::string>());
    auto owner = d.by_email.find(new_email);
    if (owner != d.by_email.end() && owner->second != seq_it->second) {
      return makeError(ErrorCode::Conflict, "contacts.api.conflict",
                       "Validation failed: Email already exists for contact " + d.contacts.at(owner->second).id());
    }
  }
  json contact = buildContact(body, &existing, id, now(), [this] { return random_.uuid(); });
  if (!contact.contains("email_address") && existing.contains("email_address")) {
    contact["email_address"] = existing["email_address"];  // an address cannot be removed by omission
  }
  // Unsubscribing leaves updated_at alone: CC support says unsubscribes do not show under
  // updated_after (clients use optout_after).
  if (permissionToSend(contact) == "unsubscribed" && permissionToSend(existing) != "unsubscribed" &&
      !d.quirks.value("unsubscribe_updates_updated_at", false)) {
    contact["updated_at"] = existing["updated_at"];
  }
  // Remember lists the contact was taken off (the import_readds_left_lists quirk reads them).
  if (existing.contains("_left_lists")) contact["_left_lists"] = existing["_left_lists"];
  if (existing.contains("_resubscribe")) contact["_resubscribe"] = existing["_resubscribe"];
  if (existing.contains("list_memberships") && body.contains("list_memberships")) {
    for (const auto& list : existing["list_memberships"]) {
      const auto& now_in = contact["list_memberships"];
      if (std::find(now_in.begin(), now_in.end(), list) != now_in.end()) continue;
      if (!contact["_left_lists"].is_array()) contact["_left_lists"] = json::array();
      contact["_left_lists"].push_back(list);
    }
  }
  // Updating a deleted contact revives it (deleted_at is not carried over).
  if (auto status = saveContact(account, d, seq_it->second, StoredContact(contact)); !status) return status.error();
  if (new_email != old_email) {
    d.by_email.erase(old_email);
    d.by_email[new_email] = seq_it->second;
  }
  d.contacts[seq_it->second] = StoredContact(contact);
  return presentContact(contact, {"custom_fields", "phone_numbers", "street_addresses", "list_memberships",
                                  "taggings", "notes"});
}

Status ContactStore::deleteContact(const std::string& account, const std::string& id) {
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  auto seq_it = d.contact_seq.find(id);
  if (seq_it == d.contact_seq.end()) return notFound("Contact " + id);
  if (d.contacts.at(seq_it->second).deleted()) return notFound("Contact " + id);
  json contact = d.contacts.at(seq_it->second).tree();
  // Soft delete: the contact stays (reporting, compliance), loses its lists, is not unsubscribed.
  contact["deleted_at"] = now().substr(0, 10);
  contact.erase("list_memberships");
  if (d.quirks.value("delete_updates_updated_at", false)) contact["updated_at"] = now();
  return saveContact(account, d, seq_it->second, StoredContact(std::move(contact)));
}

Result<std::string> ContactStore::listContacts(const std::string& account, const Params& raw_query) const {
  // A cursor carries the query it continues and the position after the last contact returned.
  Params query = raw_query;
  uint64_t after = 0;
  if (auto cursor = raw_query.get("cursor")) {
    auto decoded = base64UrlDecode(*cursor);
    json state = decoded ? json::parse(*decoded, nullptr, false) : json();
    if (!state.is_object() || !state.contains("q") || !state["q"].is_string() || !state.contains("after") ||
        !state["after"].is_number_unsigned()) {
      return invalidParam("The cursor is invalid.");
    }
    auto inner = Params::parse(state["q"].get<std::string>());
    if (!inner) return invalidParam("The cursor is invalid.");
    query = *inner;
    after = state["after"].get<uint64_t>();
  }
  auto limit_param = limitParam(query, cc::constantContact().limits.page_size_default,
                                cc::constantContact().limits.page_size_max, "contacts.api.bad_request");
  if (!limit_param) return limit_param.error();
  const int limit = *limit_param;
  std::set<std::string> statuses;
  for (const auto& s : splitString(query.getOr("status"), ',')) {
    if (!kStatuses.count(s)) return invalidParam("status '" + s + "' is not a contact status.");
    statuses.insert(s);
  }
  if (statuses.empty()) statuses = {"explicit", "implicit", "not_set", "pending_confirmation", "temp_hold", "unsubscribed"};
  std::vector<std::string> include = splitString(query.getOr("include"), ',');
  for (const auto& i : include) {
    if (!isContactInclude(i)) return invalidParam("include '" + i + "' is not supported.");
  }
  const auto lists = splitString(query.getOr("lists"), ',');
  const auto tags = splitString(query.getOr("tags"), ',');
  if (lists.size() > 25) return invalidParam("lists accepts at most 25 list ids.");
  if (tags.size() > 50) return invalidParam("tags accepts at most 50 tag ids.");
  for (const auto& id : lists) if (!isUuid(id)) return invalidParam("lists must hold list ids (UUIDs).");
  for (const auto& id : tags) if (!isUuid(id)) return invalidParam("tags must hold tag ids (UUIDs).");
  std::vector<TimeFilter> times;
  for (const auto& [param, field, is_after] : std::vector<std::tuple<const char*, TimeField, bool>>{
           {"updated_after", TimeField::Updated, true}, {"updated_before", TimeField::Updated, false},
           {"created_after", TimeField::Created, true}, {"created_before", TimeField::Created, false},
           {"optout_after", TimeField::OptOut, true}, {"optout_before", TimeField::OptOut, false}}) {
    if (auto text = query.get(param)) {
      TimePoint bound;
      if (!parseIso8601(*text, bound)) return invalidParam(std::string(param) + " must be an ISO-8601 date-time.");
      times.push_back({field, is_after, bound});
    }
  }
  const std::string email = toLower(query.getOr("email"));
  const std::string count_flag = query.getOr("include_count", "false");
  if (count_flag != "true" && count_flag != "false") return invalidParam("include_count must be true or false.");

  std::shared_lock lock(mutex_);
  // The body is assembled as text: each contact's default rendering is kept with the contact
  // until it changes, so a page is mostly string concatenation.
  std::string body;
  body.reserve(static_cast<size_t>(limit) * 512 + 512);  // one allocation for a typical page
  body = "{\"contacts\":[";
  size_t returned = 0;
  const AccountData* d = find(account);
  size_t total = 0;
  uint64_t last = after;
  bool more = false;
  if (d) {
    const bool counting = count_flag == "true";
    // Without a count only the page (and one more match, to know there is a next page) is
    // needed, starting after the cursor: a page costs O(limit), not O(contacts).
    auto first = counting ? d->contacts.begin() : d->contacts.upper_bound(after);
    auto stop = d->contacts.end();
    if (!email.empty()) {
      // With email= at most one contact can match: the index names it, and only it is visited
      // (with or without a count or cursor), so the filter costs the same at any account size.
      auto owner = d->by_email.find(email);
      first = owner == d->by_email.end() ? d->contacts.end() : d->contacts.find(owner->second);
      stop = first == d->contacts.end() ? first : std::next(first);
    }
    for (auto it = first; it != stop; ++it) {
      const auto& [seq, contact] = *it;
      if (!counting && more) break;
      if (!matchesStatus(contact, statuses)) continue;
      if (!lists.empty() && !contact.inAnyList(lists)) continue;
      if (!tags.empty() && !contact.hasAnyTag(tags)) continue;
      bool in_range = true;
      for (const auto& f : times) {
        auto t = timeOf(contact, f.field);
        in_range = in_range && t && (f.after ? *t > f.bound : *t < f.bound);
      }
      if (!in_range) continue;
      ++total;
      if (seq <= after) continue;
      if (returned < static_cast<size_t>(limit)) {
        if (returned++ > 0) body += ',';
        if (include.empty()) {
          body += contact.defaultView();
        } else {
          body += presentContact(contact.tree(), include).dump();
        }
        last = seq;
      } else {
        more = true;
      }
    }
  }
  body += ']';
  if (count_flag == "true") body += ",\"contacts_count\":" + std::to_string(total);
  if (more) {
    json state = {{"q", query.encode()}, {"after", last}};
    json links = {{"next", {{"href", "/v3/contacts?cursor=" + base64UrlEncode(state.dump())}}}};
    body += ",\"_links\":" + links.dump();
  }
  body += '}';
  return body;
}

}  // namespace liaison::sandbox
