// Bulk activities other than import: deletes and list/tag membership changes over a source
// (contact ids, lists, tags or all active contacts). Each runs at once in one transaction.
#include <set>

#include "core/json_fields.h"
#include "sandbox/contacts/activities/activity_records.h"
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/contacts/contact_store.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

Result<std::vector<std::string>> idList(const json& body, const char* field, size_t max, bool required) {
  if (!body.contains(field) || body[field].is_null()) {
    if (required) return activityValidation(std::string(field) + " is required.");
    return std::vector<std::string>{};
  }
  if (!body[field].is_array() || body[field].empty() || body[field].size() > max) {
    return activityValidation(std::string(field) + " must hold 1 to " + std::to_string(max) + " ids.");
  }
  std::vector<std::string> ids;
  for (const auto& id : body[field]) {
    if (!id.is_string() || !isUuid(id.get<std::string>())) return activityValidation(std::string(field) + " must hold UUIDs.");
    ids.push_back(id.get<std::string>());
  }
  return ids;
}

bool active(const StoredContact& contact) { return !contact.deleted() && contact.permission() != "unsubscribed"; }

bool holds(const StoredContact& contact, bool lists, const std::string& id) {
  const auto& held = lists ? contact.lists() : contact.tags();
  return std::find(held.begin(), held.end(), id) != held.end();
}

}  // namespace

Result<std::vector<uint64_t>> ContactStore::resolveSource(const AccountData& d, const json& body) const {
  const JsonFields fields(body, "activities.api.validation.error");
  auto source_field = fields.optionalObject("source");
  if (!source_field) return source_field.error();
  if (!*source_field) return activityValidation("source is required.");
  const json& source = **source_field;
  int kinds = 0;
  for (const char* k : {"contact_ids", "list_ids", "tag_ids", "all_active_contacts"}) {
    kinds += source.contains(k) && !source[k].is_null();
  }
  if (kinds != 1) return activityValidation("source takes exactly one of contact_ids, list_ids, tag_ids, all_active_contacts.");
  std::set<uint64_t> excluded;
  auto exclude = fields.optionalObject("exclude");
  if (!exclude) return exclude.error();
  if (*exclude) {
    auto ids = idList(**exclude, "contact_ids", 500, false);
    if (!ids) return ids.error();
    for (const auto& id : *ids) {
      if (auto it = d.contact_seq.find(id); it != d.contact_seq.end()) excluded.insert(it->second);
    }
  }
  std::vector<uint64_t> out;
  auto take = [&](uint64_t seq) {
    if (!excluded.count(seq)) out.push_back(seq);
  };
  if (source.contains("contact_ids") && !source["contact_ids"].is_null()) {
    auto ids = idList(source, "contact_ids", 500, true);
    if (!ids) return ids.error();
    for (const auto& id : *ids) {
      auto it = d.contact_seq.find(id);
      if (it != d.contact_seq.end() && !d.contacts.at(it->second).deleted()) take(it->second);
    }
    return out;
  }
  if (source.contains("all_active_contacts") && !source["all_active_contacts"].is_null()) {
    if (source["all_active_contacts"] != true) return activityValidation("all_active_contacts must be true.");
    for (const auto& [seq, contact] : d.contacts) {
      if (active(contact)) take(seq);
    }
    return out;
  }
  const bool lists = source.contains("list_ids") && !source["list_ids"].is_null();
  auto ids = idList(source, lists ? "list_ids" : "tag_ids", 50, true);
  if (!ids) return ids.error();
  for (const auto& id : *ids) {
    if (lists ? !d.lists.count(id) : !d.tags.count(id)) return activityValidation("source names an unknown " + std::string(lists ? "list" : "tag") + ".");
  }
  for (const auto& [seq, contact] : d.contacts) {
    if (contact.deleted()) continue;
    for (const auto& id : *ids) {
      if (holds(contact, lists, id)) {
        take(seq);
        break;
      }
    }
  }
  return out;
}

Result<json> ContactStore::finishActivity(const std::string& account, AccountData& d, std::map<uint64_t, json>& staged,
                                          std::vector<storage::Write> extra, const json& counters) {
  json record = newActivity(d, counters, json::array());
  const std::string id = record["activity_id"];
  if (store_) {
    for (const auto& [seq, contact] : staged) {
      extra.push_back({"contact", account + "/" + contact["contact_id"].get<std::string>(),
                       json{{"seq", seq}, {"contact", contact}}.dump()});
    }
    extra.push_back({"activity", account + "/" + id, record.dump()});
    if (!store_->commit(extra)) return makeError(ErrorCode::Internal, "server_error", "The activity could not be stored.");
  }
  for (const auto& [seq, contact] : staged) d.contacts[seq] = StoredContact(contact);
  d.activities[id] = record;
  return acceptedActivity(record);
}

Result<json> ContactStore::bulkActivity(const std::string& account, const std::string& kind, const json& body) {
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  if (auto queue = checkActivityQueue(d); !queue) return queue.error();
  std::map<uint64_t, json> staged;
  std::vector<storage::Write> extra;
  auto edit = [&](uint64_t seq) -> json& {
    if (!staged.count(seq)) staged[seq] = d.contacts.at(seq).tree();
    return staged[seq];
  };
  size_t total = 0;

  if (kind == "contact_delete") {
    const bool by_list = body.contains("list_ids");
    if (by_list == body.contains("contact_ids")) return activityValidation("Send contact_ids or list_ids, not both.");
    std::vector<uint64_t> targets;
    if (by_list) {
      auto r = resolveSource(d, json{{"source", {{"list_ids", body["list_ids"]}}}});
      if (!r) return r.error();
      targets = *r;
    } else {
      auto r = resolveSource(d, json{{"source", {{"contact_ids", body["contact_ids"]}}}});
      if (!r) return r.error();
      targets = *r;
    }
    for (uint64_t seq : targets) {
      json& c = edit(seq);
      c["deleted_at"] = now().substr(0, 10);
      c.erase("list_memberships");
      if (d.quirks.value("delete_updates_updated_at", false)) c["updated_at"] = now();
    }
    total = targets.size();
  } else if (kind == "add_list_memberships" || kind == "remove_list_memberships" ||
             kind == "contacts_taggings_add" || kind == "contacts_taggings_remove") {
    const bool lists = kind.find("list") != std::string::npos;
    const bool add = kind.find("add") != std::string::npos;
    const char* field = lists ? "list_memberships" : "taggings";
    auto targets_ids = idList(body, lists ? "list_ids" : "tag_ids", 50, true);
    if (!targets_ids) return targets_ids.error();
    for (const auto& id : *targets_ids) {
      if (lists ? !d.lists.count(id) : !d.tags.count(id)) return activityValidation(std::string(lists ? "list_ids" : "tag_ids") + " names an unknown id.");
    }
    auto source = resolveSource(d, body);
    if (!source) return source.error();
    for (uint64_t seq : *source) {
      const StoredContact& current = d.contacts.at(seq);
      // Unsubscribed contacts are never added to lists.
      if (add && lists && !active(current)) continue;
      for (const auto& id : *targets_ids) {
        if (add == holds(current, lists, id)) continue;
        json& c = edit(seq);
        if (add) {
          if (!c[field].is_array()) c[field] = json::array();
          if (c[field].size() < 50) c[field].push_back(id);
        } else {
          c[field].erase(std::remove(c[field].begin(), c[field].end(), json(id)), c[field].end());
          if (lists) {
            if (!c["_left_lists"].is_array()) c["_left_lists"] = json::array();
            c["_left_lists"].push_back(id);
          }
        }
      }
    }
    total = source->size();
  } else if (kind == "list_delete" || kind == "contacts_tags_delete" || kind == "custom_fields_delete") {
    const char* field = kind == "list_delete" ? "list_ids" : kind == "contacts_tags_delete" ? "tag_ids" : "custom_field_ids";
    const size_t max = kind == "list_delete" ? 100 : kind == "contacts_tags_delete" ? 500 : 100;
    auto ids = idList(body, field, max, true);
    if (!ids) return ids.error();
    auto& things = kind == "list_delete" ? d.lists : kind == "contacts_tags_delete" ? d.tags : d.custom_fields;
    const char* contact_field = kind == "list_delete" ? "list_memberships" : kind == "contacts_tags_delete" ? "taggings" : "custom_fields";
    const char* doc_kind = kind == "list_delete" ? "list" : kind == "contacts_tags_delete" ? "tag" : "custom_field";
    for (const auto& id : *ids) {
      if (!things.count(id)) return activityValidation(std::string(field) + " names an unknown id: " + id + ".");
    }
    for (const auto& entry : d.contacts) {
      const uint64_t seq = entry.first;
      const StoredContact& stored = entry.second;  // a plain reference: clang 14 cannot capture bindings
      // Ids are UUIDs: a contact whose text does not hold one cannot refer to it.
      if (std::none_of(ids->begin(), ids->end(), [&](const std::string& id) { return stored.textContains(id); })) continue;
      const json contact = stored.tree();
      if (!contact.contains(contact_field)) continue;
      for (const auto& id : *ids) {
        const auto& items = contact[contact_field];
        const bool present = std::any_of(items.begin(), items.end(), [&](const json& item) {
          return item.is_string() ? item == id : item.value("custom_field_id", "") == id;
        });
        if (!present) continue;
        json& c = edit(seq);
        auto& edited = c[contact_field];
        edited.erase(std::remove_if(edited.begin(), edited.end(), [&](const json& item) {
                       return item.is_string() ? item == id : item.value("custom_field_id", "") == id;
                     }), edited.end());
      }
    }
    for (const auto& id : *ids) extra.push_back({doc_kind, account + "/" + id, std::nullopt});
    total = ids->size();
    auto result = finishActivity(account, d, staged, extra,
                                 {{"items_total_count", total}, {"items_completed_count", total}});
    if (result) for (const auto& id : *ids) things.erase(id);
    return result;
  } else {
    return makeError(ErrorCode::NotFound, "activities.api.not_found", "No such activity type.");
  }
  return finishActivity(account, d, staged, std::move(extra),
                        {{"items_total_count", total}, {"items_completed_count", total}});
}

}  // namespace liaison::sandbox
