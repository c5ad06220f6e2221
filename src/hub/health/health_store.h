#pragma once
// Where health lives in the hub's store: the last report per connection (health_reports), the
// last seen status of each social link (social_links) and every change of it (social_history).
#include <optional>
#include <string>
#include <vector>

#include "hub/health/health_report.h"
#include "hub/store/hub_database.h"

namespace liaison::hub {

// A link whose connection_status or health is not what the store last saw.
struct SocialChange {
  SocialLinkHealth link;
  std::string previous_status_json;
};

struct SocialHistoryEntry {
  std::string status_json;
  bool healthy = false;
  TimePoint at{};
};

// Hub migration 7: connections.health_claim_until (claimDueForCheck).
extern const storage::Migration kHealthClaimMigration;

class HealthStore {
 public:
  explicit HealthStore(HubDatabase& db) : db_(db) {}

  // The last stored report; nullopt when there is none or it no longer reads (a fresh check
  // then replaces it).
  Result<std::optional<HealthReport>> loadReport(const std::string& connection_id);
  Status saveReport(const HealthReport& report);

  // Stores what CC shows for each link now, in one transaction. A link seen for the first
  // time is stored with its first history entry and is not a change; a link whose status
  // (compared as JSON, not as text) or health differs gets a history entry and is returned.
  Result<std::vector<SocialChange>> recordSocialLinks(const std::string& connection_id,
                                                      const std::vector<SocialLinkHealth>& links,
                                                      TimePoint now);
  // Oldest first.
  Result<std::vector<SocialHistoryEntry>> socialHistory(const std::string& connection_id,
                                                        const std::string& network_account_id);

  // Claims up to `limit` active connections without a report or whose report was made at or
  // before `checked_before` (never checked first, then the oldest report first) until
  // `claim_until`: another hub process on the store passes over them meanwhile (on PostgreSQL
  // `FOR UPDATE SKIP LOCKED`, so concurrent claimers never wait for or take the same rows). A
  // process that dies mid-check leaves its claim to run out, and then the connection is due
  // for the others again.
  Result<std::vector<std::string>> claimDueForCheck(TimePoint checked_before, TimePoint now,
                                                    TimePoint claim_until, int limit);
  // Hands claimed connections back unchecked (the budget refused the check).
  Status releaseCheckClaims(const std::vector<std::string>& connection_ids);

 private:
  HubDatabase& db_;
};

}  // namespace liaison::hub
