// Contact lists: CRUD, membership counts and the asynchronous-style delete.
#include <set>

#include "sandbox/contacts/contact_rules.h"

#include "core/json_fields.h"
#include "sandbox/contacts/contact_store.h"
#include "sandbox/paging.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

constexpr size_t kMaxLists = 1000;

Error listNotFound(const std::string& id) {
  return makeError(ErrorCode::NotFound, "contact_lists.api.not_found", "List " + id + " not found.");
}

Status validateList(const json& body, bool creating) {
  const JsonFields fields(body, "contact_lists.api.validation.error");
  if (creating || body.contains("name")) {
    if (auto name = fields.requiredString("name", {255, false, false}); !name) return name.error();
  }
  // CC documents no limit for a list's description; it is shown as one paragraph.
  if (auto description = fields.optionalString("description", {2000, true, true}); !description) {
    return description.error();
  }
  if (auto favorite = fields.optionalBool("favorite"); !favorite) return favorite.error();
  return okStatus();
}

bool nameTaken(const std::map<std::string, json>& lists, const std::string& name, const std::string& except) {
  for (const auto& [id, list] : lists) {
    if (id != except && list["name"] == name) return true;
  }
  return false;
}

}  // namespace

Result<std::vector<std::string>> ContactStore::listRecipients(const std::string& account,
                                                              const std::vector<std::string>& list_ids) const {
  std::shared_lock lock(mutex_);
  const AccountData* data = find(account);
  for (const auto& id : list_ids) {
    if (!data || !data->lists.count(id)) return listNotFound(id);
  }
  std::vector<std::string> out;
  if (!data) return out;
  const std::set<std::string> wanted(list_ids.begin(), list_ids.end());
  for (const auto& [seq, contact] : data->contacts) {
    if (contact.deleted()) continue;
    const std::string& permission = contact.permission();
    if (permission != "explicit" && permission != "implicit") continue;  // only these receive campaigns
    for (const auto& l : contact.lists()) {
      if (wanted.count(l)) {
        out.push_back(contact.id());
        break;
      }
    }
  }
  return out;
}

json ContactStore::presentList(const AccountData& data, const json& list, bool counts) const {
  json out = list;
  if (counts) {
    int members = 0;
    const std::string id = list["list_id"];
    for (const auto& [seq, contact] : data.contacts) {
      if (contact.deleted()) continue;
      members += static_cast<int>(std::count(contact.lists().begin(), contact.lists().end(), id));
    }
    out["membership_count"] = members;
  }
  return out;
}

Result<json> ContactStore::createList(const std::string& account, const json& body) {
  if (auto status = validateList(body, true); !status) return status.error();
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  if (d.lists.size() >= kMaxLists) {
    return makeError(ErrorCode::InvalidRequest, "contact_lists.api.validation.error",
                     "An account can have at most 1000 lists.");
  }
  if (nameTaken(d.lists, body["name"], "")) {
    return makeError(ErrorCode::Conflict, "contact_lists.api.conflict", "A list with this name already exists.");
  }
  const std::string stamp = now();
  const JsonFields fields(body, "contact_lists.api.validation.error");
  json list = {{"list_id", random_.uuid()},
               {"name", body["name"]},
               {"description", fields.has("description") ? body["description"] : json()},
               {"favorite", fields.boolOr("favorite", false)},
               {"created_at", stamp},
               {"updated_at", stamp}};
  if (list["description"].is_null()) list.erase("description");
  if (auto status = persist("list", account, list["list_id"], &list); !status) return status.error();
  d.lists[list["list_id"]] = list;
  return list;
}

Result<json> ContactStore::getList(const std::string& account, const std::string& id, bool counts) const {
  std::shared_lock lock(mutex_);
  const AccountData* d = find(account);
  if (!d || !d->lists.count(id)) return listNotFound(id);
  return presentList(*d, d->lists.at(id), counts);
}

Result<json> ContactStore::updateList(const std::string& account, const std::string& id, const json& body) {
  if (auto status = validateList(body, true); !status) return status.error();
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  auto it = d.lists.find(id);
  if (it == d.lists.end()) return listNotFound(id);
  if (nameTaken(d.lists, body["name"], id)) {
    return makeError(ErrorCode::Conflict, "contact_lists.api.conflict", "A list with this name already exists.");
  }
  json list = it->second;
  list["name"] = body["name"];
  if (body.contains("description") && !body["description"].is_null()) list["description"] = body["description"];
  else list.erase("description");
  list["favorite"] = JsonFields(body, "contact_lists.api.validation.error").boolOr("favorite", false);
  list["updated_at"] = now();
  if (auto status = persist("list", account, id, &list); !status) return status.error();
  it->second = list;
  return list;
}

Result<json> ContactStore::deleteList(const std::string& account, const std::string& id) {
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  if (!d.lists.count(id)) return listNotFound(id);
  // Strip memberships first, then the list: a failure part-way leaves no contact in a missing list.
  if (auto status = stripFromContacts(account, d, "list_memberships", id); !status) return status.error();
  if (auto status = persist("list", account, id, nullptr); !status) return status.error();
  d.lists.erase(id);
  return recordDeletionActivity(account, d);
}

Result<json> ContactStore::listLists(const std::string& account, const Params& query) const {
  auto limit_param = limitParam(query, 50, 1000, "contact_lists.api.bad_request");
  if (!limit_param) return limit_param.error();
  auto offset_param = cursorParam(query, "contact_lists.api.bad_request");
  if (!offset_param) return offset_param.error();
  const int limit = *limit_param;
  const size_t offset = *offset_param;
  const std::string status = query.getOr("status", "active");
  if (status != "all" && status != "active" && status != "deleted") {
    return makeError(ErrorCode::InvalidRequest, "contact_lists.api.bad_request", "status must be all, active or deleted.");
  }
  const std::string counts = query.getOr("include_membership_count", "");
  if (!counts.empty() && counts != "all" && counts != "active") {
    return makeError(ErrorCode::InvalidRequest, "contact_lists.api.bad_request",
                     "include_membership_count must be all or active.");
  }
  std::shared_lock lock(mutex_);
  json out = {{"lists", json::array()}};
  const AccountData* d = find(account);
  size_t matched = 0;
  if (d && status != "deleted") {  // deleted lists are gone at once in the sandbox
    const auto name = query.get("name");
    for (const auto& [id, list] : d->lists) {
      if (name && list["name"] != *name) continue;
      if (matched >= offset && out["lists"].size() < static_cast<size_t>(limit)) {
        out["lists"].push_back(presentList(*d, list, !counts.empty()));
      }
      ++matched;
    }
  }
  if (query.getOr("include_count") == "true") out["lists_count"] = matched;
  if (matched > offset + static_cast<size_t>(limit)) {
    out["_links"] = {{"next", {{"href", nextLink("/v3/contact_lists", query, offset + limit)}}}};
  }
  return out;
}

}  // namespace liaison::sandbox
