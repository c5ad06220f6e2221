#pragma once
// The OAuth2 scopes Constant Contact defines, with what each lets an app do and what it does not,
// in the plain words a consent page or permission explainer shows to the account's owner.
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace liaison::cc {

struct ScopeInfo {
  std::string_view name;
  std::string_view description;  // what the scope lets an app do
  std::string_view not_allowed;  // what it does not let the app do (read with the description)
};

const std::vector<ScopeInfo>& scopeCatalogue();
const ScopeInfo* findScope(std::string_view name);

// Parses a space-delimited scope list (RFC 6749 §3.3; '+' arrives already decoded as a space).
// Unknown scopes fail with invalid_scope; duplicates are collapsed; order is kept.
Result<std::vector<std::string>> parseScopes(std::string_view text);
std::string joinScopes(const std::vector<std::string>& scopes);
bool hasScope(const std::vector<std::string>& scopes, std::string_view scope);
bool isSubset(const std::vector<std::string>& subset, const std::vector<std::string>& of);

}  // namespace liaison::cc
