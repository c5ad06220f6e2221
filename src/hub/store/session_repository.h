#pragma once
// Connect sessions as rows. The redirect flow's `state` is found by its hash and consumed in
// the same transaction that reads it, so a replayed state finds nothing.
#include <optional>
#include <string>
#include <vector>

#include "hub/store/hub_database.h"
#include "hub/store/model.h"

namespace liaison::hub {

class SessionRepository {
 public:
  explicit SessionRepository(HubDatabase& db) : db_(db) {}

  Status insert(const ConnectSession& session);
  Result<std::optional<ConnectSession>> find(const std::string& id);
  // Finds the pending redirect session whose state hashes to `state_hash` and clears the hash
  // so the state can never be used again.
  Result<std::optional<ConnectSession>> consumeState(const std::string& state_hash);
  // Ends a pending session (connected/denied/expired/failed); false when it had already ended.
  Result<bool> finish(const std::string& id, SessionStatus status, const std::string& connection_id,
                      const std::string& error);
  // Device sessions pending whose next poll is due.
  Result<std::vector<ConnectSession>> dueDevicePolls(TimePoint now, int limit);
  // A redirect session's state hash and sealed PKCE verifier, replacing earlier ones.
  Status setAuthorization(const std::string& id, const std::string& state_hash,
                          const std::string& sealed_verifier);
  Status setNextPoll(const std::string& id, TimePoint next_poll_at, int interval_s);
  // Every sealed value sessions still hold (verifiers, device codes of pending sessions): key
  // rotation must not retire a key one of them needs.
  Result<std::vector<std::string>> sealedValues();
  // Erases what pending sessions past expiry still hold (verifier, device code) and marks them expired.
  Result<std::vector<ConnectSession>> expirePending(TimePoint now);

 private:
  HubDatabase& db_;
};

}  // namespace liaison::hub
