#include "hub/webhooks/repository.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "storage/database.h"

namespace liaison::hub::webhooks {

namespace {

using storage::Statement;

int64_t toMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint fromMillis(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

using storage::Transaction;

// Statement throws on a database failure; callers of the repository get it as a value.
template <typename F>
auto guarded(const char* operation, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    spdlog::error("webhook storage: {} failed: {}", operation, e.what());
    return internalError("storage", "The webhook data could not be saved or read.", e.what());
  }
}

Error webhookNotFound() {
  return makeError(ErrorCode::NotFound, "webhook.not_found", "No webhook has that id.");
}
Error deliveryNotFound() {
  return makeError(ErrorCode::NotFound, "delivery.not_found", "No pending delivery has that id.");
}

constexpr const char* kWebhookColumns =
    "w.id, w.url, w.event_types, w.sealed_secret, w.created_at_ms, w.active";
constexpr int kWebhookColumnCount = 6;

Webhook readWebhook(const Statement& row, int at) {
  Webhook webhook;
  webhook.id = row.columnText(at);
  webhook.url = row.columnText(at + 1);
  webhook.event_types = nlohmann::json::parse(row.columnText(at + 2)).get<std::vector<std::string>>();
  webhook.sealed_secret = row.columnText(at + 3);
  webhook.created_at = fromMillis(row.columnInt(at + 4));
  webhook.active = row.columnInt(at + 5) != 0;
  return webhook;
}

// Statement reads no NULLs, so each nullable column comes with an IS NOT NULL flag before it.
constexpr const char* kDeliveryColumns =
    "d.id, d.webhook_id, d.event_id, d.connection_id, d.attempts, d.status, d.next_attempt_at_ms, "
    "d.first_attempt_at_ms, d.last_status_code IS NOT NULL, COALESCE(d.last_status_code, 0), d.last_error, "
    "d.delivered_at_ms IS NOT NULL, COALESCE(d.delivered_at_ms, 0)";
constexpr int kDeliveryColumnCount = 13;

DeliveryStatus parseStatus(const std::string& text) {
  if (text == "pending") return DeliveryStatus::Pending;
  if (text == "delivered") return DeliveryStatus::Delivered;
  if (text == "failed") return DeliveryStatus::Failed;
  throw std::runtime_error("unknown delivery status " + text);
}

Delivery readDelivery(const Statement& row) {
  Delivery delivery;
  delivery.id = row.columnText(0);
  delivery.webhook_id = row.columnText(1);
  delivery.event_id = row.columnText(2);
  delivery.connection_id = row.columnText(3);
  delivery.attempts = static_cast<int>(row.columnInt(4));
  delivery.status = parseStatus(row.columnText(5));
  delivery.next_attempt_at = fromMillis(row.columnInt(6));
  delivery.first_attempt_at = fromMillis(row.columnInt(7));
  if (row.columnInt(8) != 0) delivery.last_status_code = static_cast<int>(row.columnInt(9));
  delivery.last_error = row.columnText(10);
  if (row.columnInt(11) != 0) delivery.delivered_at = fromMillis(row.columnInt(12));
  return delivery;
}

Status checkWebhook(const Webhook& webhook) {
  if (webhook.id.empty() || webhook.url.empty()) {
    return makeError(ErrorCode::InvalidRequest, "webhook.invalid", "A webhook needs an id and a URL.");
  }
  return okStatus();
}

Status checkEvent(const WebhookEvent& event) {
  const auto payload = nlohmann::json::parse(event.payload_json, nullptr, /*allow_exceptions=*/false);
  if (event.id.empty() || event.type.empty() || !payload.is_object()) {
    return makeError(ErrorCode::InvalidRequest, "webhook_event.invalid",
                     "An event needs an id, a type and a JSON object as its data.");
  }
  return okStatus();
}

void bindOptional(Statement& statement, int index, std::optional<int> value) {
  if (value) {
    statement.bind(index, int64_t{*value});
  } else {
    statement.bindNull(index);
  }
}

}  // namespace

WebhookRepository::WebhookRepository(storage::Database& db, RandomSource& random)
    : db_(db), random_(random) {}

Status WebhookRepository::create(const Webhook& webhook) {
  if (auto valid = checkWebhook(webhook); !valid) return valid;
  std::lock_guard lock(mutex_);
  return guarded("create", [&]() -> Status {
    Statement insert(db_,
                     "INSERT INTO webhooks(id, url, event_types, sealed_secret, created_at_ms, active) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO NOTHING RETURNING id");
    insert.bind(1, webhook.id)
        .bind(2, webhook.url)
        .bind(3, nlohmann::json(webhook.event_types).dump())
        .bind(4, webhook.sealed_secret)
        .bind(5, toMillis(webhook.created_at))
        .bind(6, int64_t{webhook.active ? 1 : 0});
    if (!insert.step()) return makeError(ErrorCode::Conflict, "webhook.conflict", "A webhook has that id.");
    return okStatus();
  });
}

Result<std::vector<Webhook>> WebhookRepository::list() {
  std::lock_guard lock(mutex_);
  return guarded("list", [&]() -> Result<std::vector<Webhook>> {
    Statement select(
        db_, std::string("SELECT ") + kWebhookColumns + " FROM webhooks w ORDER BY w.created_at_ms, w.id");
    std::vector<Webhook> out;
    while (select.step()) out.push_back(readWebhook(select, 0));
    return out;
  });
}

Result<Webhook> WebhookRepository::get(const std::string& id) {
  std::lock_guard lock(mutex_);
  return guarded("get", [&]() -> Result<Webhook> {
    Statement select(db_, std::string("SELECT ") + kWebhookColumns + " FROM webhooks w WHERE w.id = ?1");
    select.bind(1, id);
    if (!select.step()) return webhookNotFound();
    return readWebhook(select, 0);
  });
}

Status WebhookRepository::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  return guarded("remove", [&]() -> Status {
    Transaction transaction(db_);
    Statement deliveries(db_, "DELETE FROM webhook_deliveries WHERE webhook_id = ?1");
    deliveries.bind(1, id);
    deliveries.step();
    Statement webhook(db_, "DELETE FROM webhooks WHERE id = ?1 RETURNING id");
    webhook.bind(1, id);
    if (!webhook.step()) return webhookNotFound();
    webhook.reset();
    transaction.commit();
    return okStatus();
  });
}

Result<bool> WebhookRepository::resealSecret(const std::string& id, const std::string& expected_sealed,
                                             const std::string& sealed) {
  std::lock_guard lock(mutex_);
  return guarded("resealSecret", [&]() -> Result<bool> {
    // One statement: SQLite applies it whole or not at all, so a kill leaves the old or the new value.
    Statement update(
        db_, "UPDATE webhooks SET sealed_secret = ?3 WHERE id = ?1 AND sealed_secret = ?2 RETURNING id");
    update.bind(1, id).bind(2, expected_sealed).bind(3, sealed);
    const bool written = update.step();
    update.reset();
    return written;
  });
}

Result<std::vector<std::string>> WebhookRepository::enqueue(const WebhookEvent& event) {
  if (auto valid = checkEvent(event); !valid) return valid.error();
  std::lock_guard lock(mutex_);
  return guarded("enqueue", [&]() -> Result<std::vector<std::string>> {
    Transaction transaction(db_);
    std::vector<std::string> subscribers;
    {
      Statement select(db_, std::string("SELECT ") + kWebhookColumns +
                                " FROM webhooks w WHERE w.active = 1 ORDER BY w.created_at_ms, w.id");
      while (select.step()) {
        Webhook webhook = readWebhook(select, 0);
        if (subscribesTo(webhook, event.type)) subscribers.push_back(std::move(webhook.id));
      }
    }
    // Due at once; first_attempt_at holds the same time until the first attempt sets it.
    Statement insert(db_,
                     "INSERT INTO webhook_deliveries(id, webhook_id, event_id, event_type, connection_id, "
                     "  event_created_at_ms, payload_json, status, attempts, next_attempt_at_ms, "
                     "  first_attempt_at_ms, last_error) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?6, ?6, '') "
                     "ON CONFLICT(webhook_id, event_id) DO NOTHING RETURNING id");
    std::vector<std::string> created;
    for (const auto& webhook_id : subscribers) {
      insert.reset();
      insert.bind(1, "dlv_" + random_.token(16))
          .bind(2, webhook_id)
          .bind(3, event.id)
          .bind(4, event.type)
          .bind(5, event.connection_id)
          .bind(6, toMillis(event.created_at))
          .bind(7, event.payload_json);
      if (insert.step()) created.push_back(insert.columnText(0));
    }
    insert.reset();
    transaction.commit();
    return created;
  });
}

Result<std::vector<Delivery>> WebhookRepository::listDeliveries(const std::string& webhook_id, int limit) {
  std::lock_guard lock(mutex_);
  return guarded("listDeliveries", [&]() -> Result<std::vector<Delivery>> {
    Statement select(db_, std::string("SELECT ") + kDeliveryColumns +
                              " FROM webhook_deliveries d WHERE d.webhook_id = ?1"
                              " ORDER BY d.seq DESC LIMIT ?2");
    select.bind(1, webhook_id).bind(2, int64_t{std::clamp(limit, 0, 1000)});
    std::vector<Delivery> out;
    while (select.step()) out.push_back(readDelivery(select));
    return out;
  });
}

Result<Delivery> WebhookRepository::getDelivery(const std::string& id) {
  std::lock_guard lock(mutex_);
  return guarded("getDelivery", [&]() -> Result<Delivery> {
    Statement select(
        db_, std::string("SELECT ") + kDeliveryColumns + " FROM webhook_deliveries d WHERE d.id = ?1");
    select.bind(1, id);
    if (!select.step()) {
      return makeError(ErrorCode::NotFound, "delivery.not_found", "No delivery has that id.");
    }
    return readDelivery(select);
  });
}

Result<std::vector<DueDelivery>> WebhookRepository::claimDue(TimePoint now, int limit) {
  std::lock_guard lock(mutex_);
  return guarded("claimDue", [&]() -> Result<std::vector<DueDelivery>> {
    Transaction transaction(db_);
    std::vector<DueDelivery> due;
    std::vector<int64_t> sequence;
    {
      // The NOT EXISTS is the order rule: only the earliest pending delivery of a (webhook,
      // connection) may go, even while it waits for its next attempt.
      Statement select(db_,
                       std::string("SELECT ") + kDeliveryColumns + ", " + kWebhookColumns +
                           ", d.event_type, d.event_created_at_ms, d.payload_json, d.seq"
                           " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id"
                           " WHERE d.status = 'pending' AND d.next_attempt_at_ms <= ?1 AND w.active = 1"
                           "   AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p"
                           "     WHERE p.webhook_id = d.webhook_id AND p.connection_id = d.connection_id"
                           "       AND p.status = 'pending' AND p.seq < d.seq)"
                           " ORDER BY d.next_attempt_at_ms, d.seq LIMIT ?2" +
                           // Concurrent claimers lock the delivery rows they take and pass over the others'
                           // (not the webhook rows: that would hold up every delivery of the webhook).
                           storage::forUpdateOfSkipLocked(db_, "d"));
      select.bind(1, toMillis(now)).bind(2, int64_t{std::max(limit, 0)});
      while (select.step()) {
        DueDelivery item;
        item.delivery = readDelivery(select);
        item.webhook = readWebhook(select, kDeliveryColumnCount);
        constexpr int kEvent = kDeliveryColumnCount + kWebhookColumnCount;
        item.event.id = item.delivery.event_id;
        item.event.connection_id = item.delivery.connection_id;
        item.event.type = select.columnText(kEvent);
        item.event.created_at = fromMillis(select.columnInt(kEvent + 1));
        item.event.payload_json = select.columnText(kEvent + 2);
        sequence.push_back(select.columnInt(kEvent + 3));
        due.push_back(std::move(item));
      }
    }
    const TimePoint lease_end = now + kClaimLease;
    // Right-hand sides read the row as it was: the first claim (attempts = 0) sets first_attempt_at.
    Statement claim(db_,
                    "UPDATE webhook_deliveries SET attempts = attempts + 1,"
                    "  first_attempt_at_ms = CASE WHEN attempts = 0 THEN ?1 ELSE first_attempt_at_ms END,"
                    "  next_attempt_at_ms = ?2 WHERE seq = ?3");
    for (size_t i = 0; i < due.size(); ++i) {
      claim.reset();
      claim.bind(1, toMillis(now)).bind(2, toMillis(lease_end)).bind(3, sequence[i]);
      claim.step();
      Delivery& delivery = due[i].delivery;
      if (delivery.attempts == 0) delivery.first_attempt_at = fromMillis(toMillis(now));
      delivery.attempts += 1;
      delivery.next_attempt_at = fromMillis(toMillis(lease_end));
    }
    transaction.commit();
    return due;
  });
}

Status WebhookRepository::markDelivered(const std::string& id, TimePoint delivered_at, int status_code) {
  std::lock_guard lock(mutex_);
  return guarded("markDelivered", [&]() -> Status {
    Statement update(
        db_,
        "UPDATE webhook_deliveries SET status = 'delivered', delivered_at_ms = ?2,"
        "  last_status_code = ?3, last_error = '' WHERE id = ?1 AND status = 'pending' RETURNING id");
    update.bind(1, id).bind(2, toMillis(delivered_at)).bind(3, int64_t{status_code});
    if (!update.step()) return deliveryNotFound();
    return okStatus();
  });
}

Status WebhookRepository::markRetry(const std::string& id, TimePoint next_at, std::optional<int> status_code,
                                    const std::string& error) {
  std::lock_guard lock(mutex_);
  return guarded("markRetry", [&]() -> Status {
    Statement update(db_,
                     "UPDATE webhook_deliveries SET next_attempt_at_ms = ?2, last_status_code = ?3,"
                     "  last_error = ?4 WHERE id = ?1 AND status = 'pending' RETURNING id");
    update.bind(1, id).bind(2, toMillis(next_at)).bind(4, error);
    bindOptional(update, 3, status_code);
    if (!update.step()) return deliveryNotFound();
    return okStatus();
  });
}

Status WebhookRepository::markFailed(const std::string& id, std::optional<int> status_code,
                                     const std::string& error) {
  std::lock_guard lock(mutex_);
  return guarded("markFailed", [&]() -> Status {
    Statement update(db_,
                     "UPDATE webhook_deliveries SET status = 'failed', last_status_code = ?2, last_error = ?3"
                     "  WHERE id = ?1 AND status = 'pending' RETURNING id");
    update.bind(1, id).bind(3, error);
    bindOptional(update, 2, status_code);
    if (!update.step()) return deliveryNotFound();
    return okStatus();
  });
}

}  // namespace liaison::hub::webhooks
