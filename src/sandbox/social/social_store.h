#pragma once
// Social links behind each account: connections to networks (with CC's connection_status
// health fields), the profiles they own, hashtag groups, and posts that run on the virtual
// clock. Link events from the control API (token expired, scopes removed, rate limited, user
// deactivated, error, reconnect) change connections, profiles and the fate of scheduled posts
// together.
#include <nlohmann/json.hpp>

#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "storage/document_store.h"

namespace liaison::sandbox {

class SocialStore {
 public:
  SocialStore(const Clock& clock, RandomSource& random, storage::DocumentStore* store);
  void reset();
  std::vector<storage::Document> documents();
  void restoreDocuments(const std::vector<storage::Document>& docs);

  nlohmann::json connections(const std::string& account);
  // The serialized GET /v3/social/connections body, kept until the account's links change.
  std::string connectionsBody(const std::string& account);
  nlohmann::json profiles(const std::string& account, bool include_accessible);
  Result<nlohmann::json> hashtagGroups(const std::string& account, int limit, int page);
  Result<nlohmann::json> createPost(const std::string& account, const nlohmann::json& body);

  // Control API.
  nlohmann::json posts(const std::string& account);
  // A CC user was (de)activated: the links they connected show it in is_active_user, and posts
  // to them fail while the user is inactive.
  Status userChanged(const std::string& account, const std::string& email, bool active);
  Result<nlohmann::json> applyEvent(const std::string& account, const std::string& network_account_id,
                                    const nlohmann::json& event);

 private:
  // Runs scheduled posts whose time has come; expects mutex_ held.
  void runDuePosts(nlohmann::json& state);
  nlohmann::json& state(const std::string& account);  // created (demo seed) on first use
  Status save(const std::string& account);

  const Clock& clock_;
  RandomSource& random_;
  storage::DocumentStore* store_;
  std::mutex mutex_;
  std::unordered_map<std::string, nlohmann::json> accounts_;
  std::unordered_map<std::string, std::string> connections_body_;  // cleared whenever state changes
};

}  // namespace liaison::sandbox
