#include <gtest/gtest.h>

#include "sync/model/definition_json.h"

namespace liaison::sync {
namespace {

using nlohmann::json;

TEST(SyncDefinition, DefaultsFillEveryPartLeftOut) {
  auto parsed = parseDefinition(json::parse(R"({"name": "Users", "a": {"type": "cc", "connection_id": "c-1"},
      "b": {"type": "sql", "url": "app.db", "table": "users"}})"));
  ASSERT_TRUE(std::holds_alternative<SyncDefinition>(parsed));
  const auto& d = std::get<SyncDefinition>(parsed);
  EXPECT_TRUE(d.a.filter.all);
  EXPECT_EQ(d.b.key, "id");
  EXPECT_TRUE(d.mapping.empty());
  EXPECT_EQ(d.deletions.from_a, DeletionAction::Ignore);
  EXPECT_EQ(d.conflicts.policy, ConflictPolicy::LastWriterWins);
  EXPECT_EQ(d.guard.count, 50);
  EXPECT_EQ(d.guard.percent, 5);
  EXPECT_EQ(d.interval_seconds, 3600);
}

TEST(SyncDefinition, EveryProblemIsListedAtOnce) {
  auto parsed = parseDefinition(json::parse(R"({
      "a": {"type": "sql", "connection_id": "c-1", "filter": {"lists": []}},
      "b": {"type": "csv", "encoding": "ebcdic", "colour": "blue"},
      "mapping": [{"a": 3, "b": "x", "direction": "sideways"}],
      "deletions": {"from_a": "shred"},
      "guard": {"percent": 140},
      "interval": "5s",
      "extra": true})"));
  ASSERT_TRUE(std::holds_alternative<Problems>(parsed));
  std::map<std::string, std::string> problems;
  for (const auto& p : std::get<Problems>(parsed)) problems[p.field] = p.why;
  for (const char* field :
       {"name", "a.type", "b.path", "b.encoding", "b.colour", "mapping[0].a", "mapping[0].direction",
        "deletions.from_a", "guard.percent", "interval", "extra"}) {
    EXPECT_EQ(problems.count(field), 1u) << field;
  }
  EXPECT_EQ(problems["deletions.from_a"], "must be one of ignore, mark, soft_delete");
}

TEST(SyncDefinition, RefusesAPasswordInTheUrlWithoutShowingIt) {
  auto parsed = parseDefinition(json::parse(R"({"name": "Users", "a": {"type": "cc", "connection_id": "c-1"},
      "b": {"type": "sql", "url": "postgresql://app:s3cret@db/app", "table": "users"}})"));
  ASSERT_TRUE(std::holds_alternative<Problems>(parsed));
  const auto& problems = std::get<Problems>(parsed);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "b.url");
  EXPECT_EQ(problems[0].value, "postgresql://app:***@db/app");
  EXPECT_NE(problems[0].why.find(".pgpass"), std::string::npos);
}

TEST(SyncDefinition, RoundTripsThroughItsJson) {
  auto parsed = parseDefinition(json::parse(R"({"name": "Users", "a": {"type": "cc", "connection_id": "c-1",
      "filter": {"lists": ["Customers"]}}, "b": {"type": "sql", "url": "postgresql://app@db/app",
      "table": "users", "key": "user_id"}, "mapping": [{"a": ["first_name", "last_name"], "b": "full_name"}],
      "interval": "15m"})"));
  ASSERT_TRUE(std::holds_alternative<SyncDefinition>(parsed));
  json shown = toJson(std::get<SyncDefinition>(parsed));
  EXPECT_EQ(shown["interval"], 900);
  EXPECT_EQ(shown["a"]["filter"]["lists"][0], "Customers");
  auto again = parseDefinition(shown);
  ASSERT_TRUE(std::holds_alternative<SyncDefinition>(again));
  EXPECT_EQ(toJson(std::get<SyncDefinition>(again)), shown);
  // A PATCH replaces the parts it names and keeps the rest.
  auto patched = patchDefinition(std::get<SyncDefinition>(parsed), json::parse(R"({"name": "Renamed"})"));
  ASSERT_TRUE(std::holds_alternative<SyncDefinition>(patched));
  EXPECT_EQ(std::get<SyncDefinition>(patched).name, "Renamed");
  EXPECT_EQ(std::get<SyncDefinition>(patched).b.key, "user_id");
  EXPECT_EQ(std::get<SyncDefinition>(patched).mapping.size(), 1u);
}

}  // namespace
}  // namespace liaison::sync
