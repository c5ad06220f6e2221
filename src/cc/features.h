#pragma once
// What an app can do through a CC connection, and what each needs: an OAuth scope granted to
// the app and a privilege of the CC user who authorized it. The hub's permission explainer
// reads this table.
#include <string_view>
#include <vector>

namespace liaison::cc {

struct Feature {
  std::string_view id;           // read_contacts, …
  std::string_view description;  // in plain words
  std::string_view scope;
  std::string_view privilege;
};

const std::vector<Feature>& featureCatalogue();
// The least role that grants `privilege` (Campaign Creator before Account Manager before Owner).
std::string_view leastRoleWith(std::string_view privilege);

}  // namespace liaison::cc
