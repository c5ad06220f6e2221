#include "hub/webhooks/schema.h"

namespace liaison::hub::webhooks {

// Times are unix milliseconds. A delivery row carries its event (type, time, payload), so it can
// be sent, and retried, without the event living anywhere else.
const char* const kWebhookSchemaSql =
    "CREATE TABLE webhooks ("
    "  id TEXT PRIMARY KEY,"
    "  url TEXT NOT NULL,"
    "  event_types TEXT NOT NULL,"  // JSON array of type names; [] = every type
    "  sealed_secret TEXT NOT NULL,"
    "  created_at_ms INTEGER NOT NULL,"
    "  active INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE webhook_deliveries ("
    // Enqueue order: deliveries for one (webhook, connection) go out in this order.
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  id TEXT NOT NULL UNIQUE,"
    "  webhook_id TEXT NOT NULL REFERENCES webhooks(id),"
    "  event_id TEXT NOT NULL,"
    "  event_type TEXT NOT NULL,"
    "  connection_id TEXT NOT NULL,"
    "  event_created_at_ms INTEGER NOT NULL,"
    "  payload_json TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),"
    "  attempts INTEGER NOT NULL,"
    "  next_attempt_at_ms INTEGER NOT NULL,"
    "  first_attempt_at_ms INTEGER NOT NULL,"
    "  last_status_code INTEGER,"
    "  last_error TEXT NOT NULL,"
    "  delivered_at_ms INTEGER,"
    // An event enqueued twice (a retried publish) makes one delivery per webhook.
    "  UNIQUE (webhook_id, event_id)"
    ");"
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at_ms)"
    "  WHERE status = 'pending';"
    "CREATE INDEX webhook_deliveries_in_order ON webhook_deliveries(webhook_id, connection_id, seq)"
    "  WHERE status = 'pending';"
    "CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(webhook_id, seq);";

}  // namespace liaison::hub::webhooks
