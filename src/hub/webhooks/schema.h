#pragma once
// The SQLite tables behind WebhookRepository. The hub appends this to its numbered migrations
// (storage::Migration), so it is plain CREATE statements, applied exactly once.
namespace liaison::hub::webhooks {

extern const char* const kWebhookSchemaSql;

}  // namespace liaison::hub::webhooks
