#pragma once
// A CC account's lists, tags and custom fields: names to ids and back. Records hold names (what
// people see and what the other side stores); CC's contacts and bulk calls hold ids.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "sync/connectors/cc_client.h"
#include "sync/mapping/catalog.h"

namespace liaison::sync {

// A list or tag made sure of: its id, or why it could not be had (a refused create).
struct Resolved {
  std::string id;
  std::string failure;
};

class CcCatalogue {
 public:
  // Reads every list, tag and custom field (one call per 500 lists or tags, per 100 fields).
  Status load(CcClient& client);

  // The id of the list named `name_or_id`, or `name_or_id` itself when it is a list's id (a
  // sync's filter may name lists by id); "" when there is no such list.
  std::string listId(std::string_view name_or_id) const;
  std::string listName(const std::string& id) const;  // "" when unknown
  std::string tagId(std::string_view name_or_id) const;
  std::string tagName(const std::string& id) const;
  std::string fieldId(std::string_view name) const;
  std::string fieldName(const std::string& id) const;
  const std::vector<CcCustomField>& customFields() const { return fields_; }

  // The list (tag) of that name or id, created when there is none.
  Result<Resolved> ensureList(CcClient& client, const std::string& name);
  Result<Resolved> ensureTag(CcClient& client, const std::string& name);

 private:
  struct Names {
    std::map<std::string, std::string, std::less<>> by_name;  // name → id
    std::map<std::string, std::string, std::less<>> by_id;    // id → name
    std::string idOf(std::string_view name_or_id) const;
    std::string nameOf(const std::string& id) const;
  };
  Status loadNames(CcClient& client, const char* target, const char* field, const char* id_key, Names& names);
  Result<Resolved> ensure(CcClient& client, const std::string& name, const char* path, const char* field,
                          const char* id_key, Names& names);

  Names lists_, tags_, custom_;
  std::vector<CcCustomField> fields_;
};

}  // namespace liaison::sync
