#include "cc/features.h"

#include "cc/privileges.h"

namespace liaison::cc {

const std::vector<Feature>& featureCatalogue() {
  static const std::vector<Feature> features = {
      {"read_contacts", "Read contacts, lists and tags", "contact_data", "contacts:read"},
      {"write_contacts", "Create, change and delete contacts", "contact_data", "contacts:write"},
      {"sync_contacts", "Keep contacts in sync with another system", "contact_data", "contacts:write"},
      {"send_email_campaigns", "Create and send email campaigns", "campaign_data", "campaign:send"},
      {"schedule_social_posts", "Schedule posts to the account's social networks", "campaign_data",
       "campaign:write"},
      {"read_account", "Read the account's details", "account_read", "account:read"},
      {"change_account", "Change the account's details", "account_update", "account:update"},
  };
  return features;
}

std::string_view leastRoleWith(std::string_view privilege) {
  const auto& roles = roleNames();
  for (auto it = roles.rbegin(); it != roles.rend(); ++it) {
    if (roleGrants(*it, privilege)) return *it;
  }
  return "Account Owner";
}

}  // namespace liaison::cc
