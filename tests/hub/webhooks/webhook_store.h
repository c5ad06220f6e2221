#pragma once
// A webhook repository over a fresh store (SQLite file or PostgreSQL database, support/test_store.h), with
// the hub's schema applied, and helpers to make webhooks and events.
#include <memory>
#include <string>
#include <vector>

#include "core/random.h"
#include "hub/webhooks/repository.h"
#include "hub/webhooks/schema.h"
#include "storage/database.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace liaison::hub::webhooks::testing {

inline const TimePoint kStart = fromUnixSeconds(1'700'000'000);

class WebhookStore {
 public:
  WebhookStore()
      : location_(liaison::testing::testStoreLocation(dir_.file("hub.db"))),
        db_(std::make_unique<storage::Database>(location_, migrations())),
        repository_(*db_, random_) {}

  WebhookRepository& repository() { return repository_; }
  storage::Database& db() { return *db_; }
  // A SQLite file, or a PostgreSQL URL (support/test_store.h).
  const std::string& location() const { return location_; }

  static std::vector<storage::Migration> migrations() { return {{1, kWebhookSchemaSql}}; }

 private:
  liaison::testing::TempDir dir_;
  std::string location_;
  SeededRandom random_{42};
  std::unique_ptr<storage::Database> db_;
  WebhookRepository repository_;
};

inline Webhook makeWebhook(std::string id, std::vector<std::string> event_types = {}, bool active = true) {
  Webhook webhook;
  webhook.id = std::move(id);
  webhook.url = "https://host.example/hooks/" + webhook.id;
  webhook.event_types = std::move(event_types);
  webhook.sealed_secret = "sealed:" + webhook.id;
  webhook.created_at = kStart;
  webhook.active = active;
  return webhook;
}

inline WebhookEvent makeEvent(std::string id, std::string connection_id,
                              std::string type = "connection.created", TimePoint at = kStart) {
  WebhookEvent event;
  event.id = std::move(id);
  event.type = std::move(type);
  event.connection_id = std::move(connection_id);
  event.created_at = at;
  event.payload_json = R"({"connection_id":")" + event.connection_id + R"(","account":"acme"})";
  return event;
}

}  // namespace liaison::hub::webhooks::testing
