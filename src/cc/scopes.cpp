#include "cc/scopes.h"

#include <algorithm>

#include "core/encoding.h"

namespace liaison::cc {

const std::vector<ScopeInfo>& scopeCatalogue() {
  static const std::vector<ScopeInfo> scopes = {
      {"account_read",
       "See your account details: organization name, address, time zone and sender email addresses.",
       "Cannot change any account detail, see your contacts or see your campaigns."},
      {"account_update", "Change your account details and add sender email addresses.",
       "Cannot see or change contacts or campaigns; no scope lets an app change passwords, billing or "
       "users."},
      {"contact_data",
       "See, add, change and delete your contacts, lists, tags and custom fields, and run imports and "
       "exports.",
       "Cannot send email campaigns or change account details, and cannot opt an unsubscribed contact back "
       "in "
       "without that contact confirming by email."},
      {"campaign_data",
       "See, create, schedule and send email campaigns and social posts, and see their reports.",
       "Cannot add, change or delete contacts or lists."},
      {"offline_access", "Keep access when you are not using the app (it receives a refresh token).",
       "Grants nothing on its own: the app can only do what the other scopes allow, until you remove its "
       "access."},
      {"openid", "Confirm who you are to the app (it receives an ID token).",
       "Grants no access to your account's data."},
      {"profile", "See your name and email address.", "Grants no access to your account's data."},
  };
  return scopes;
}

const ScopeInfo* findScope(std::string_view name) {
  for (const auto& s : scopeCatalogue()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Result<std::vector<std::string>> parseScopes(std::string_view text) {
  std::vector<std::string> out;
  for (auto& part : splitString(text, ' ')) {
    if (!findScope(part)) {
      return makeError(ErrorCode::InvalidRequest, "invalid_scope",
                       "The requested scope is invalid, unknown, or malformed: " + part.substr(0, 64));
    }
    if (!hasScope(out, part)) out.push_back(part);
  }
  if (out.empty()) {
    return makeError(ErrorCode::InvalidRequest, "invalid_scope", "The scope parameter is required.");
  }
  return out;
}

std::string joinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

bool hasScope(const std::vector<std::string>& scopes, std::string_view scope) {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

bool isSubset(const std::vector<std::string>& subset, const std::vector<std::string>& of) {
  return std::all_of(subset.begin(), subset.end(), [&](const std::string& s) { return hasScope(of, s); });
}

}  // namespace liaison::cc
