#pragma once
// CC user privileges and the roles that bundle them. CC does not publish its role matrix; the
// bundles below follow its knowledge base (a Campaign Creator cannot send, delete campaigns,
// touch contacts or see reports) and any user can be given an explicit list instead.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace liaison::cc {

struct PrivilegeInfo {
  int id;
  std::string_view name;
};

const std::vector<PrivilegeInfo>& privilegeCatalogue();
const PrivilegeInfo* findPrivilege(std::string_view name);

const std::vector<std::string_view>& roleNames();
bool isKnownRole(std::string_view role);
std::vector<std::string> privilegesForRole(std::string_view role);
// Whether `role` bundles `privilege` (what every API call asks; builds no list).
bool roleGrants(std::string_view role, std::string_view privilege);
// The privilege names in CC's answer to GET /v3/account/user/privileges (an array of
// {privilege_name, …}); nullopt when the body is not that shape.
std::optional<std::vector<std::string>> parseUserPrivileges(std::string_view body);

}  // namespace liaison::cc
