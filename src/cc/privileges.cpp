#include "cc/privileges.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace liaison::cc {

const std::vector<PrivilegeInfo>& privilegeCatalogue() {
  // Ids are stable: clients may store them. 30 = campaign:create as in CC's documentation.
  static const std::vector<PrivilegeInfo> catalogue = {
      {1, "account:read"},
      {2, "account:update"},
      {10, "contacts:read"},
      {11, "contacts:write"},
      {12, "contacts:lists:read"},
      {13, "contacts:lists:write"},
      {14, "contacts:signuptools:create"},
      {20, "campaign:read"},
      {21, "campaign:write"},
      {22, "campaign:send"},
      {23, "campaign:delete"},
      {30, "campaign:create"},
      {31, "campaign:list"},
      {32, "campaign:activate"},
      {33, "campaign:stop"},
      {40, "ui:campaign:metrics"},
      {50, "mylibrary:create"},
      {51, "mylibrary:read"},
      {52, "mylibrary:update"},
      {53, "mylibrary:delete"},
      {60, "customer-journey:read"},
      {61, "customer-journey:create"},
      {62, "customer-journey:update"},
  };
  return catalogue;
}

const PrivilegeInfo* findPrivilege(std::string_view name) {
  for (const auto& p : privilegeCatalogue()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const std::vector<std::string_view>& roleNames() {
  static const std::vector<std::string_view> names = {"Account Owner", "Account Manager", "Campaign Creator"};
  return names;
}

bool isKnownRole(std::string_view role) {
  const auto& names = roleNames();
  return std::find(names.begin(), names.end(), role) != names.end();
}

namespace {

constexpr std::string_view kCampaignCreator[] = {"account:read",     "campaign:read",  "campaign:write",
                                                 "campaign:create",  "campaign:list",  "contacts:lists:read",
                                                 "mylibrary:create", "mylibrary:read", "mylibrary:update"};

}  // namespace

bool roleGrants(std::string_view role, std::string_view privilege) {
  if (role == "Account Owner") return findPrivilege(privilege) != nullptr;
  // An Account Manager has everything but changing the account itself.
  if (role == "Account Manager") return privilege != "account:update" && findPrivilege(privilege) != nullptr;
  if (role == "Campaign Creator") {
    return std::find(std::begin(kCampaignCreator), std::end(kCampaignCreator), privilege) !=
           std::end(kCampaignCreator);
  }
  return false;
}

std::vector<std::string> privilegesForRole(std::string_view role) {
  std::vector<std::string> out;
  for (const auto& p : privilegeCatalogue()) {
    if (roleGrants(role, p.name)) out.emplace_back(p.name);
  }
  return out;
}

std::optional<std::vector<std::string>> parseUserPrivileges(std::string_view body) {
  const auto list = nlohmann::json::parse(body, nullptr, false);
  if (!list.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& p : list) {
    if (p.is_object() && p.contains("privilege_name") && p["privilege_name"].is_string()) {
      out.push_back(p["privilege_name"].get<std::string>());
    }
  }
  return out;
}

}  // namespace liaison::cc
