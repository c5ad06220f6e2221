#include "app/demo_sync.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/hub_runtime_parts.h"
#include "storage/database.h"
#include "sync/model/definition_json.h"

namespace liaison::app {
namespace {

// The app's own users: two new to CC, one who opted out in the app, one without an address.
constexpr const char* kDemoTable = R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT,
  full_name TEXT,
  unsubscribed INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT,
  updated_at TEXT
);
INSERT INTO users (email, full_name, unsubscribed, updated_at) VALUES
  ('ada.lovelace@app.example', 'Ada Lovelace', 0, '2026-01-05 09:00:00'),
  ('grace.hopper@app.example', 'Grace Brewster Hopper', 0, '2026-01-06 10:30:00'),
  ('alan.turing@app.example', 'Alan Turing', 1, '2026-01-07 11:15:00'),
  (NULL, 'Guest Without Email', 0, '2026-01-08 12:00:00');
)sql";

}  // namespace

std::string addDemoSync(HubRuntime& hub, const std::string& data_dir, const std::string& app_id,
                        const std::string& connection_id) {
  auto& store = *hub.parts().sync_store;
  auto existing = store.list(app_id);
  if (existing && !existing->empty()) return existing->front().id;
  const std::string table_file = (std::filesystem::path(data_dir) / "demo-app.db").string();
  try {
    if (!std::filesystem::exists(table_file)) {
      storage::Database app_db(table_file, {});
      app_db.exec(kDemoTable);
    }
  } catch (const std::exception& e) {
    spdlog::error("demo sync: the app's table could not be made: {}", e.what());
    return {};
  }
  nlohmann::json definition = {
      {"name", "Demo app users"},
      {"a", {{"type", "cc"}, {"connection_id", connection_id}, {"filter", {{"all", true}}}}},
      {"b", {{"type", "sql"}, {"url", table_file}, {"table", "users"}, {"key", "id"}, {"updated_at", "updated_at"}}},
      {"unsubscribes", {{"column", "unsubscribed"}, {"format", "boolean"}}},
      {"deletions", {{"from_a", "soft_delete"}, {"from_b", "soft_delete"}, {"column", "deleted_at"}}},
      {"interval", "15m"},
  };
  auto parsed = sync::parseDefinition(definition);
  if (!std::holds_alternative<sync::SyncDefinition>(parsed)) {
    spdlog::error("demo sync: definition refused: {}", std::get<sync::Problems>(parsed).front().why);
    return {};
  }
  auto created = store.create(app_id, std::get<sync::SyncDefinition>(parsed));
  if (!created) {
    spdlog::error("demo sync: not stored: {}", created.error().message);
    return {};
  }
  // Paused until a person runs it: the banner says how to preview and run it first.
  (void)store.setPaused(app_id, created->id, true);
  return created->id;
}

}  // namespace liaison::app
