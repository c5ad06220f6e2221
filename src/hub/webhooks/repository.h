#pragma once
// Webhooks and their deliveries in SQLite (tables from schema.h). The delivery queue keeps order
// per connection: a later event for a (webhook, connection) is never handed out while an earlier
// one is still pending, including while it waits for a retry.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "hub/webhooks/webhook.h"

namespace liaison::storage {
class Database;
}

namespace liaison::hub::webhooks {

// How long a claimed delivery is withheld from other claims. Its attempt ends well before (a
// dispatcher sends at most kClaimLease / request timeout of them per claim); after a crash
// mid-attempt the delivery becomes due again when the lease runs out.
inline constexpr std::chrono::milliseconds kClaimLease = std::chrono::minutes(15);

class WebhookRepository {
 public:
  // `db` must have kWebhookSchemaSql applied. `random` mints delivery ids. Every call holds this
  // repository's mutex, so threads may share it (and the one SQLite connection behind it).
  WebhookRepository(storage::Database& db, RandomSource& random);

  // Conflict when the id is taken; InvalidRequest without an id or URL.
  Status create(const Webhook& webhook);
  Result<std::vector<Webhook>> list();         // oldest first
  Result<Webhook> get(const std::string& id);  // NotFound
  // Removes the webhook and every delivery to it, pending ones included: nothing more is sent.
  Status remove(const std::string& id);  // NotFound
  // Key rotation: the same secret sealed again, written only while the row still holds
  // `expected_sealed` (a compare-and-swap, so a row changed or removed meanwhile is never
  // overwritten with what was read before). False when nothing was written.
  Result<bool> resealSecret(const std::string& id, const std::string& expected_sealed,
                            const std::string& sealed);

  // One Pending delivery per active webhook subscribed to the event's type, due at once; the ids
  // of the deliveries made. An event enqueued again adds nothing for webhooks that already have it.
  // InvalidRequest when the event has no id or type, or its payload is not a JSON object.
  Result<std::vector<std::string>> enqueue(const WebhookEvent& event);

  // Newest first, at most `limit` of them (and never more than 1000).
  Result<std::vector<Delivery>> listDeliveries(const std::string& webhook_id, int limit);
  Result<Delivery> getDelivery(const std::string& id);  // NotFound

  // Up to `limit` pending deliveries due at `now`, of active webhooks, each the earliest pending
  // one of its (webhook, connection). Claiming begins an attempt: attempts goes up by one, the
  // first claim sets first_attempt_at, and next_attempt_at moves kClaimLease ahead.
  Result<std::vector<DueDelivery>> claimDue(TimePoint now, int limit);

  // Each ends the attempt of a pending delivery (NotFound when there is none by that id).
  Status markDelivered(const std::string& id, TimePoint delivered_at, int status_code);
  Status markRetry(const std::string& id, TimePoint next_at, std::optional<int> status_code,
                   const std::string& error);
  Status markFailed(const std::string& id, std::optional<int> status_code, const std::string& error);

 private:
  std::mutex mutex_;
  storage::Database& db_;
  RandomSource& random_;
};

}  // namespace liaison::hub::webhooks
