#pragma once
// POSTs the host app marks with an Idempotency-Key: the first answer is kept for 24 hours and a
// second POST with the same key gets that answer again instead of creating a second contact or
// campaign at CC. The answer is sealed in the vault (it may hold contact data); the key is kept
// only as a hash. A key reused for a different request is refused.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "hub/store/hub_database.h"
#include "hub/vault/vault.h"

namespace liaison::hub::proxy {

extern const char* const kIdempotencySchemaSql;

struct StoredAnswer {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

enum class ClaimState {
  Fresh,       // first use: send the request, then finish() or abandon()
  Replay,      // answered before: `answer` holds it
  InProgress,  // the first request with this key is still being answered
  Mismatch     // the key was used for a different request
};

struct Claim {
  ClaimState state = ClaimState::Fresh;
  StoredAnswer answer;  // for Replay
};

class IdempotencyStore {
 public:
  IdempotencyStore(HubDatabase& db, Vault& vault, const Clock& clock,
                   std::chrono::seconds window = std::chrono::hours(24));

  // `fingerprint` identifies the request (method, target, connection, body hash).
  Result<Claim> begin(const std::string& app_id, const std::string& key, const std::string& fingerprint);
  Status finish(const std::string& app_id, const std::string& key, const StoredAnswer& answer);
  // No answer worth keeping (CC could not be reached): the key may be used again.
  Status abandon(const std::string& app_id, const std::string& key);
  // Removes answers older than the window; returns how many.
  Result<int64_t> purgeExpired();
  // Every sealed answer kept, for key rotation's count of what each data key still seals.
  Result<std::vector<std::string>> sealedValues();

 private:
  HubDatabase& db_;
  Vault& vault_;
  const Clock& clock_;
  std::chrono::seconds window_;
};

}  // namespace liaison::hub::proxy
