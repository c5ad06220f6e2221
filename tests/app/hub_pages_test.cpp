// GET /api/v1/connections a page at a time: newest first by (created_at, id), `limit` per page,
// `next_after` while more follow; no row repeats or goes missing, even when connections are
// created between pages; bad limits and cursors are refused in the hub's error format. The
// paging indexes arrive by a migration numbered after the webhook tables.
#include <algorithm>
#include <filesystem>
#include <set>

#include "app/hub_fixture.h"
#include "core/encoding.h"
#include "hub/webhooks/schema.h"

namespace liaison::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class HubPagesTest : public HubFixture {
 protected:
  // A row as bench/hub_seed.cpp writes it, without tokens: listing never reads them.
  hub::Connection insert(const std::string& id, const std::string& end_user, TimePoint created_at) {
    hub::Connection c;
    c.id = id;
    c.app_id = "hub-app";
    c.end_user_id = end_user;
    c.account_id = "acct-" + id;
    c.organization_name = "Business " + id;
    c.user_login = "owner";
    c.scopes = {"account_read", "offline_access"};
    c.created_at = c.updated_at = c.refresh_token_used_at = created_at;
    c.access_expires_at = created_at + 24h;
    EXPECT_TRUE(hub_->parts().connections.insert(c).ok()) << id;
    inserted_.push_back(c);
    return c;
  }

  // 250 connections, three to a millisecond (so ids decide between them), every fifth of
  // end user "user-a", inserted in no particular order of id.
  void insertMany() {
    for (int i = 0; i < 250; ++i) {
      const int scrambled = (i * 97) % 250;
      insert("conn_" + std::to_string(1000 + scrambled), i % 5 == 0 ? "user-a" : "user-" + std::to_string(i),
             clock_.now() - std::chrono::milliseconds(1000 - i / 3));
    }
  }

  // The ids of `end_user` (all when empty) in the documented order: created_at, then id, descending.
  std::vector<std::string> expectedOrder(const std::string& end_user = "") const {
    std::vector<hub::Connection> rows;
    for (const auto& c : inserted_) {
      if (end_user.empty() || c.end_user_id == end_user) rows.push_back(c);
    }
    std::sort(rows.begin(), rows.end(), [](const hub::Connection& a, const hub::Connection& b) {
      return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id;
    });
    std::vector<std::string> out;
    for (const auto& c : rows) out.push_back(c.id);
    return out;
  }

  // Pages through `query` ("limit=…&…"); returns each page's ids.
  std::vector<std::vector<std::string>> pages(const std::string& query) {
    std::vector<std::vector<std::string>> out;
    std::string after;
    for (int guard = 0; guard < 100; ++guard) {
      auto page = hubCall("GET", "/api/v1/connections?" + query + (after.empty() ? "" : "&after=" + after));
      EXPECT_EQ(page.status, 200) << page.body.dump();
      if (page.status != 200) break;
      out.emplace_back();
      for (const auto& c : page.body["connections"]) out.back().push_back(c["id"].get<std::string>());
      if (!page.body.contains("next_after")) break;
      after = percentEncode(page.body["next_after"].get<std::string>());
    }
    return out;
  }

  static std::vector<std::string> flattened(const std::vector<std::vector<std::string>>& pages) {
    std::vector<std::string> out;
    for (const auto& page : pages) out.insert(out.end(), page.begin(), page.end());
    return out;
  }

  void expectRefused(const std::string& query, const std::string& about) {
    auto answer = hubCall("GET", "/api/v1/connections?" + query);
    EXPECT_EQ(answer.status, 400) << query;
    ASSERT_TRUE(answer.body.is_object()) << query;
    EXPECT_EQ(answer.body.size(), 1u) << answer.body.dump();
    EXPECT_EQ(answer.body["error"]["code"], "invalid_request") << query;
    EXPECT_NE(answer.body["error"].value("message", "").find(about), std::string::npos) << answer.body.dump();
  }

  std::vector<hub::Connection> inserted_;
};

TEST_F(HubPagesTest, TwoHundredFiftyConnectionsComeInPagesOfAHundredNewestFirst) {
  insertMany();
  const auto got = pages("limit=100");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].size(), 100u);
  EXPECT_EQ(got[1].size(), 100u);
  EXPECT_EQ(got[2].size(), 50u);
  EXPECT_EQ(flattened(got), expectedOrder()) << "every row once, in order";
  // Without limit a page holds 100; a limit at least as large as the list gives one last page.
  auto first = hubCall("GET", "/api/v1/connections");
  EXPECT_EQ(first.body["connections"].size(), 100u);
  EXPECT_TRUE(first.body["next_after"].is_string());
  auto whole = hubCall("GET", "/api/v1/connections?limit=1000");
  EXPECT_EQ(whole.body["connections"].size(), 250u);
  EXPECT_FALSE(whole.body.contains("next_after"));
  EXPECT_EQ(pages("limit=250").size(), 1u) << "no empty page after an exactly full one";
  // Items keep the fields the unpaged list had.
  const auto& item = first.body["connections"][0];
  EXPECT_EQ(item["id"], expectedOrder().front());
  EXPECT_TRUE(item.contains("account") && item.contains("created_at") && item.contains("status"));
}

TEST_F(HubPagesTest, AnEndUserFilterPagesThroughThatEndUsersConnectionsOnly) {
  insertMany();
  const auto got = pages("limit=20&end_user_id=user-a");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].size(), 20u);
  EXPECT_EQ(got[2].size(), 10u);
  EXPECT_EQ(flattened(got), expectedOrder("user-a"));
  EXPECT_EQ(pages("limit=20&end_user_id=nobody"), std::vector<std::vector<std::string>>{{}});
}

TEST_F(HubPagesTest, ConnectionsCreatedBetweenPagesMakeNoRowRepeatOrGoMissing) {
  insertMany();
  const auto before = expectedOrder();
  auto first = hubCall("GET", "/api/v1/connections?limit=100");
  ASSERT_EQ(first.status, 200);
  // A new connection by device flow, and one more row written directly, both newer than the rest.
  clock_.advance(1s);
  const std::string connected = connectByDevice("user-late");
  ASSERT_FALSE(connected.empty());
  insert("conn_0000", "user-late", clock_.now());
  std::vector<std::string> seen;
  for (const auto& c : first.body["connections"]) seen.push_back(c["id"].get<std::string>());
  std::string after = first.body["next_after"].get<std::string>();
  while (!after.empty()) {
    auto page = hubCall("GET", "/api/v1/connections?limit=100&after=" + percentEncode(after));
    ASSERT_EQ(page.status, 200) << page.body.dump();
    for (const auto& c : page.body["connections"]) seen.push_back(c["id"].get<std::string>());
    after = page.body.value("next_after", "");
  }
  EXPECT_EQ(seen, before) << "the pages after the first continue where it ended";
  // A listing that starts now shows the new connections first.
  auto fresh = hubCall("GET", "/api/v1/connections?limit=2");
  std::set<std::string> newest;
  for (const auto& c : fresh.body["connections"]) newest.insert(c["id"].get<std::string>());
  EXPECT_EQ(newest, (std::set<std::string>{connected, "conn_0000"}));
}

TEST_F(HubPagesTest, BadLimitsAndCursorsAreRefusedInTheHubsErrorFormat) {
  insertMany();
  for (const std::string limit : {"0", "1001", "-1", "abc", "1.5", "99999", "10%2000"}) {
    expectRefused("limit=" + limit, "limit");
  }
  const std::string cursor =
      hubCall("GET", "/api/v1/connections?limit=1").body["next_after"].get<std::string>();
  // Not base64url, an event-style id, another shape or version, no id, far too long.
  for (const std::string& bad :
       std::vector<std::string>{"garbage!", "conn_1000", percentEncode(base64UrlEncode("c1.x.conn_1")),
                                percentEncode(base64UrlEncode("c9.1.conn_1")),
                                percentEncode(base64UrlEncode("c1.123.")), std::string(600, 'A')}) {
    expectRefused("after=" + bad, "after");
  }
  // The cursor itself works, with or without the filter it came from.
  EXPECT_EQ(hubCall("GET", "/api/v1/connections?after=" + percentEncode(cursor)).status, 200);
  EXPECT_EQ(hubCall("GET", "/api/v1/connections?end_user_id=user-a&after=" + percentEncode(cursor)).status,
            200);
}

bool hasIndex(hub::HubDatabase& db, const std::string& name) {
  bool found = false;
  EXPECT_TRUE(db.read([&](storage::Database& raw) {
                  storage::Statement stmt(raw, "SELECT 1 FROM sqlite_master WHERE type='index' AND name=?1");
                  stmt.bind(1, name);
                  found = stmt.step();
                  return okStatus();
                }).ok());
  return found;
}

TEST_F(HubPagesTest, PagingIndexesComeAfterTheWebhookTablesInFreshAndExistingFiles) {
  if (testStoreIsPostgres()) GTEST_SKIP() << "upgrades a SQLite file written before paging";
  // A fresh file (the fixture's) gets every migration in order: webhook tables (v2), indexes (v3),
  // then the later ones.
  EXPECT_GE(hub_->parts().db.raw().schemaVersion(), 3);
  EXPECT_TRUE(hasIndex(hub_->parts().db, "connections_page"));
  EXPECT_EQ(hubCall("POST", "/api/v1/webhooks", {{"url", "https://host.example/a"}}).status, 201);

  // A file as the hub left it before paging: its own schema and the webhook tables (v2).
  hub_.reset();
  for (const char* name : {"hub.db", "hub.db-wal", "hub.db-shm"}) std::filesystem::remove(dir_.path() / name);
  {
    const storage::Migration webhooks[] = {{2, hub::webhooks::kWebhookSchemaSql}};
    hub::HubDatabase old((dir_.path() / "hub.db").string(), webhooks);
    EXPECT_EQ(old.raw().schemaVersion(), 2);
    EXPECT_FALSE(hasIndex(old, "connections_page"));
  }
  startHub();
  auto& db = hub_->parts().db;
  EXPECT_GE(db.raw().schemaVersion(), 3);
  EXPECT_TRUE(hasIndex(db, "connections_page"));
  EXPECT_TRUE(hasIndex(db, "connections_end_user_page"));
  EXPECT_EQ(hubCall("POST", "/api/v1/webhooks", {{"url", "https://host.example/b"}}).status, 201);
  insertMany();
  EXPECT_EQ(flattened(pages("limit=100")), expectedOrder());
}

}  // namespace
}  // namespace liaison::testing
