#include "sync/connectors/cc_catalogue.h"

namespace liaison::sync {

using nlohmann::json;

std::string CcCatalogue::Names::idOf(std::string_view name_or_id) const {
  if (auto it = by_name.find(name_or_id); it != by_name.end()) return it->second;
  if (by_id.find(name_or_id) != by_id.end()) return std::string(name_or_id);
  return "";
}

std::string CcCatalogue::Names::nameOf(const std::string& id) const {
  auto it = by_id.find(id);
  return it == by_id.end() ? "" : it->second;
}

Status CcCatalogue::loadNames(CcClient& client, const char* target, const char* field, const char* id_key,
                              Names& names) {
  Names loaded;
  auto status = client.drain(target, field, [&](json& item) {
    const std::string& id = jsonText(item, id_key);
    const std::string& name = jsonText(item, "name");
    if (id.empty()) return;
    loaded.by_id[id] = name;
    loaded.by_name[name] = id;
  });
  if (!status) return status;
  names = std::move(loaded);
  return okStatus();
}

Status CcCatalogue::load(CcClient& client) {
  // CC's documented page caps: 500 lists or tags, 100 custom fields.
  if (auto s = loadNames(client, "/v3/contact_lists?limit=500", "lists", "list_id", lists_); !s) return s;
  if (auto s = loadNames(client, "/v3/contact_tags?limit=500", "tags", "tag_id", tags_); !s) return s;
  std::vector<CcCustomField> fields;
  Names custom;
  auto status = client.drain("/v3/contact_custom_fields?limit=100", "custom_fields", [&](json& item) {
    const std::string& id = jsonText(item, "custom_field_id");
    const std::string& name = jsonText(item, "name");
    if (id.empty() || name.empty()) return;
    custom.by_id[id] = name;
    custom.by_name[name] = id;
    fields.push_back({name, jsonText(item, "type")});
  });
  if (!status) return status;
  custom_ = std::move(custom);
  fields_ = std::move(fields);
  return okStatus();
}

std::string CcCatalogue::listId(std::string_view name_or_id) const { return lists_.idOf(name_or_id); }
std::string CcCatalogue::listName(const std::string& id) const { return lists_.nameOf(id); }
std::string CcCatalogue::tagId(std::string_view name_or_id) const { return tags_.idOf(name_or_id); }
std::string CcCatalogue::tagName(const std::string& id) const { return tags_.nameOf(id); }
std::string CcCatalogue::fieldName(const std::string& id) const { return custom_.nameOf(id); }

std::string CcCatalogue::fieldId(std::string_view name) const {
  auto it = custom_.by_name.find(name);
  return it == custom_.by_name.end() ? "" : it->second;
}

Result<Resolved> CcCatalogue::ensure(CcClient& client, const std::string& name, const char* path,
                                     const char* field, const char* id_key, Names& names) {
  if (std::string id = names.idOf(name); !id.empty()) return Resolved{id, ""};
  auto answer = client.send("POST", path, json{{"name", name}}.dump());
  if (!answer) return answer.error();
  if (answer->status == 201 || answer->status == 200) {
    const std::string id = jsonText(json::parse(answer->body, nullptr, false), id_key);
    if (!id.empty()) {
      names.by_id[id] = name;
      names.by_name[name] = id;
      return Resolved{id, ""};
    }
  }
  if (answer->status == 409) {
    // Made by someone else since the catalogue was read: read the names again.
    if (auto s = loadNames(client, (std::string(path) + "?limit=500").c_str(), field, id_key, names); !s) {
      return s.error();
    }
    if (std::string id = names.idOf(name); !id.empty()) return Resolved{id, ""};
  }
  return Resolved{"", "creating " + std::string(field == std::string("lists") ? "list" : "tag") + " '" +
                          name + "': " + answerReason(*answer)};
}

Result<Resolved> CcCatalogue::ensureList(CcClient& client, const std::string& name) {
  return ensure(client, name, "/v3/contact_lists", "lists", "list_id", lists_);
}

Result<Resolved> CcCatalogue::ensureTag(CcClient& client, const std::string& name) {
  return ensure(client, name, "/v3/contact_tags", "tags", "tag_id", tags_);
}

}  // namespace liaison::sync
