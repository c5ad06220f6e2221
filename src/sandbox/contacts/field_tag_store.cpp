// Custom fields and tags of an account: CRUD with CC's limits, and their removal from contacts.
#include <set>

#include "sandbox/contacts/contact_rules.h"

#include "cc/provider.h"
#include "core/json_fields.h"
#include "sandbox/contacts/contact_store.h"
#include "sandbox/paging.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

constexpr size_t kMaxCustomFields = 100;
const std::vector<std::string_view> kFieldTypes = {"string",        "date",         "number",
                                                   "currency",      "text_area",    "boolean",
                                                   "single_select", "multi_select", "datetime"};

Error invalid(const char* key, const std::string& message) {
  return makeError(ErrorCode::InvalidRequest, key, message);
}

// CC derives a custom field's name from its label: blanks become underscores.
std::string nameFromLabel(const std::string& label) {
  std::string name = label;
  for (auto& c : name) {
    if (c == ' ') c = '_';
  }
  return name;
}

Status validateLabel(const json& body) {
  const JsonFields fields(body, "custom_fields.api.validation.error");
  if (auto label = fields.requiredString("label", {50, false, false}); !label) return label.error();
  return okStatus();
}

Status validateTagName(const json& body) {
  const JsonFields fields(body, "tags.api.validation.error");
  if (auto name = fields.requiredString("name", {255, false, false}); !name) return name.error();
  // CC documents no limit for tag_source; it names an integration ("ESTY"), so a name's length.
  if (auto source = fields.optionalString("tag_source", {255, false, false}); !source) return source.error();
  return okStatus();
}

}  // namespace

Result<json> ContactStore::createCustomField(const std::string& account, const json& body) {
  if (auto status = validateLabel(body); !status) return status.error();
  const JsonFields fields(body, "custom_fields.api.validation.error");
  if (auto type = fields.optionalEnum("type", kFieldTypes); !type || !*type) {
    return type ? fields.invalid("type", "is required.") : type.error();
  }
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  if (d.custom_fields.size() >= kMaxCustomFields) {
    return invalid("custom_fields.api.limit_exceeded", "An account can have at most 100 custom fields.");
  }
  for (const auto& [id, field] : d.custom_fields) {
    if (field["label"] == body["label"]) {
      return makeError(ErrorCode::Conflict, "custom_fields.api.conflict", "A custom field with this label exists.");
    }
  }
  const std::string stamp = now();
  json field = {{"custom_field_id", random_.uuid()},
                {"label", body["label"]},
                {"name", nameFromLabel(body["label"])},
                {"type", body["type"]},
                {"created_at", stamp},
                {"updated_at", stamp}};
  if (auto status = persist("custom_field", account, field["custom_field_id"], &field); !status) return status.error();
  d.custom_fields[field["custom_field_id"]] = field;
  return field;
}

Result<json> ContactStore::getCustomField(const std::string& account, const std::string& id) const {
  std::shared_lock lock(mutex_);
  const AccountData* d = find(account);
  if (!d || !d->custom_fields.count(id)) {
    return makeError(ErrorCode::NotFound, "custom_fields.api.not_found", "Custom field " + id + " not found.");
  }
  return d->custom_fields.at(id);
}

Result<json> ContactStore::updateCustomField(const std::string& account, const std::string& id, const json& body) {
  if (auto status = validateLabel(body); !status) return status.error();
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  auto it = d.custom_fields.find(id);
  if (it == d.custom_fields.end()) {
    return makeError(ErrorCode::NotFound, "custom_fields.api.not_found", "Custom field " + id + " not found.");
  }
  if (body.contains("type") && body["type"] != it->second["type"]) {
    return invalid("custom_fields.api.validation.error", "A custom field's type cannot be changed.");
  }
  for (const auto& [other, field] : d.custom_fields) {
    if (other != id && field["label"] == body["label"]) {
      return makeError(ErrorCode::Conflict, "custom_fields.api.conflict", "A custom field with this label exists.");
    }
  }
  json field = it->second;
  field["label"] = body["label"];
  field["name"] = nameFromLabel(body["label"]);
  field["updated_at"] = now();
  if (auto status = persist("custom_field", account, id, &field); !status) return status.error();
  it->second = field;
  return field;
}

Status ContactStore::deleteCustomField(const std::string& account, const std::string& id) {
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  if (!d.custom_fields.count(id)) {
    return makeError(ErrorCode::NotFound, "custom_fields.api.not_found", "Custom field " + id + " not found.");
  }
  if (auto status = stripFromContacts(account, d, "custom_fields", id); !status) return status;
  if (auto status = persist("custom_field", account, id, nullptr); !status) return status;
  d.custom_fields.erase(id);
  return okStatus();
}

Result<json> ContactStore::listCustomFields(const std::string& account, const Params& query) const {
  auto limit = limitParam(query, 50, 100, "custom_fields.api.bad_request");
  if (!limit) return limit.error();
  auto offset = cursorParam(query, "custom_fields.api.bad_request");
  if (!offset) return offset.error();
  std::shared_lock lock(mutex_);
  json out = {{"custom_fields", json::array()}};
  const AccountData* d = find(account);
  size_t index = 0;
  if (d) {
    for (const auto& [id, field] : d->custom_fields) {
      if (index >= *offset && out["custom_fields"].size() < static_cast<size_t>(*limit)) {
        out["custom_fields"].push_back(field);
      }
      ++index;
    }
  }
  if (index > *offset + *limit) {
    out["_links"] = {{"next", {{"href", nextLink("/v3/contact_custom_fields", query, *offset + *limit)}}}};
  }
  return out;
}

Result<json> ContactStore::createTag(const std::string& account, const json& body) {
  if (auto status = validateTagName(body); !status) return status.error();
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  for (const auto& [id, tag] : d.tags) {
    if (tag["name"] == body["name"]) {
      return makeError(ErrorCode::Conflict, "tags.api.conflict", "A tag with this name already exists.");
    }
  }
  const std::string stamp = now();
  json tag = {{"tag_id", random_.uuid()},
              {"name", body["name"]},
              {"tag_source", JsonFields(body, "tags.api.validation.error").stringOr("tag_source", "Contact")},
              {"created_at", stamp},
              {"updated_at", stamp}};
  if (auto status = persist("tag", account, tag["tag_id"], &tag); !status) return status.error();
  d.tags[tag["tag_id"]] = tag;
  return tag;
}

Result<json> ContactStore::getTag(const std::string& account, const std::string& id, bool count) const {
  std::shared_lock lock(mutex_);
  const AccountData* d = find(account);
  if (!d || !d->tags.count(id)) return makeError(ErrorCode::NotFound, "tags.api.not_found", "Tag " + id + " not found.");
  json tag = d->tags.at(id);
  if (count) {
    int tagged = 0;
    for (const auto& [seq, contact] : d->contacts) {
      if (contact.deleted()) continue;
      tagged += static_cast<int>(std::count(contact.tags().begin(), contact.tags().end(), id));
    }
    tag["contacts_count"] = tagged;
  }
  return tag;
}

Result<json> ContactStore::renameTag(const std::string& account, const std::string& id, const json& body) {
  if (auto status = validateTagName(body); !status) return status.error();
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  auto it = d.tags.find(id);
  if (it == d.tags.end()) return makeError(ErrorCode::NotFound, "tags.api.not_found", "Tag " + id + " not found.");
  for (const auto& [other, tag] : d.tags) {
    if (other != id && tag["name"] == body["name"]) {
      return makeError(ErrorCode::Conflict, "tags.api.conflict", "A tag with this name already exists.");
    }
  }
  json tag = it->second;
  tag["name"] = body["name"];
  tag["updated_at"] = now();
  if (auto status = persist("tag", account, id, &tag); !status) return status.error();
  it->second = tag;
  return tag;
}

Result<json> ContactStore::deleteTag(const std::string& account, const std::string& id) {
  std::unique_lock lock(mutex_);
  AccountData& d = data(account);
  if (!d.tags.count(id)) return makeError(ErrorCode::NotFound, "tags.api.not_found", "Tag " + id + " not found.");
  if (auto status = stripFromContacts(account, d, "taggings", id); !status) return status.error();
  if (auto status = persist("tag", account, id, nullptr); !status) return status.error();
  d.tags.erase(id);
  return recordDeletionActivity(account, d);
}

Result<json> ContactStore::listTags(const std::string& account, const Params& query) const {
  auto limit = limitParam(query, cc::constantContact().limits.page_size_default,
                          cc::constantContact().limits.page_size_max, "tags.api.bad_request");
  if (!limit) return limit.error();
  auto offset = cursorParam(query, "tags.api.bad_request");
  if (!offset) return offset.error();
  const bool count = query.getOr("include_count") == "true";
  json out = {{"tags", json::array()}};
  std::vector<std::string> ids;
  size_t total = 0;
  {
    std::shared_lock lock(mutex_);
    const AccountData* d = find(account);
    if (d) {
      for (const auto& [id, tag] : d->tags) {
        if (total >= *offset && ids.size() < static_cast<size_t>(*limit)) ids.push_back(id);
        ++total;
      }
    }
  }
  for (const auto& id : ids) {
    auto tag = getTag(account, id, count);
    if (tag) out["tags"].push_back(*tag);
  }
  if (total > *offset + *limit) {
    out["_links"] = {{"next", {{"href", nextLink("/v3/contact_tags", query, *offset + *limit)}}}};
  }
  return out;
}

}  // namespace liaison::sandbox
