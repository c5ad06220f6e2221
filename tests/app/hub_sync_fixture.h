#pragma once
// A hub with the sandbox's demo account connected and a sync between it and an app's SQLite
// table (users: email, full_name, unsubscribed, deleted_at), run by hand.
#include <gtest/gtest.h>

#include "app/hub_runtime_parts.h"
#include "hub_proxy_fixture.h"
#include "storage/database.h"
#include "sync/model/definition_json.h"

namespace liaison::testing {

using nlohmann::json;

class HubSyncFixture : public ProxyFixture {
 protected:
  void SetUp() override {
    ProxyFixture::SetUp();
    connection_ = connectByDevice("sync-user");
    table_ = (dir_.path() / "app.db").string();
    app_db_ = std::make_unique<storage::Database>(table_, std::span<const storage::Migration>{});
    app_db_->exec(
        "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT, full_name TEXT,"
        " unsubscribed INTEGER NOT NULL DEFAULT 0, deleted_at TEXT);"
        "INSERT INTO users (email, full_name) VALUES ('ada@app.example', 'Ada Lovelace'),"
        " ('grace@app.example', 'Grace Brewster Hopper');"
        "INSERT INTO users (email, full_name, unsubscribed) VALUES ('alan@app.example', 'Alan Turing', 1);");
    auto parsed = sync::parseDefinition(json{
        {"name", "App users"},
        {"a", {{"type", "cc"}, {"connection_id", connection_}}},
        {"b", {{"type", "sql"}, {"url", table_}, {"table", "users"}}},
        {"unsubscribes", {{"column", "unsubscribed"}}},
        {"deletions", {{"from_a", "soft_delete"}, {"from_b", "soft_delete"}, {"column", "deleted_at"}}}});
    ASSERT_TRUE(std::holds_alternative<sync::SyncDefinition>(parsed));
    auto created = parts().sync_store->create("hub-app", std::get<sync::SyncDefinition>(parsed));
    ASSERT_TRUE(created.ok());
    sync_id_ = created->id;
  }

  app::HubRuntime::Parts& parts() { return hub_->parts(); }
  json run(bool approved = false) {
    auto sync = parts().sync_store->get("hub-app", sync_id_);
    EXPECT_TRUE(sync.ok());
    auto run = parts().sync_runner->run(*sync, "manual", approved);
    EXPECT_TRUE(run.ok()) << (run.ok() ? "" : run.error().message);
    clock_.advance(std::chrono::minutes(1));
    json report = json::parse(run->report_json);
    report["state"] = sync::toString(run->state);
    return report;
  }
  std::string column(const std::string& email, const std::string& name) {
    storage::Statement q(*app_db_, "SELECT COALESCE(" + name + ", '') FROM users WHERE email = ?1");
    q.bind(1, email);
    return q.step() ? q.columnText(0) : "<no row>";
  }
  int64_t rows() {
    storage::Statement q(*app_db_, "SELECT COUNT(*) FROM users");
    q.step();
    return q.columnInt(0);
  }
  json contactByEmail(const std::string& email) {
    std::string query = email;
    query.replace(query.find('@'), 1, "%40");
    auto found = proxy("GET", "/proxy/v3/contacts?status=all&email=" + query, connection_);
    EXPECT_EQ(found.status, 200) << found.body.dump();
    return found.body["contacts"].empty() ? json() : found.body["contacts"][0];
  }

  std::string connection_, table_, sync_id_;
  std::unique_ptr<storage::Database> app_db_;
  // Every contact of the account (deleted ones too), by walking the pages.
  std::vector<json> allContacts() {
    std::vector<json> out;
    std::string target = "/proxy/v3/contacts?status=all&limit=500";
    while (!target.empty()) {
      auto page = proxy("GET", target, connection_);
      EXPECT_EQ(page.status, 200) << page.body.dump();
      if (page.status != 200) break;
      for (const auto& c : page.body["contacts"]) out.push_back(c);
      target.clear();
      if (page.body.contains("_links") && page.body["_links"].contains("next")) {
        target = "/proxy" + page.body["_links"]["next"]["href"].get<std::string>();
      }
    }
    return out;
  }
};

}  // namespace liaison::testing
