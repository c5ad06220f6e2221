// /api/v1/syncs over the hub's store (SQLite and PostgreSQL) and sides kept in memory: definitions
// checked before they are stored with every problem listed, previews that write nothing, runs
// started with 202 and read back, approval of a held run, pause and resume, and 404s.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "core/clock.h"
#include "core/random.h"
#include "http/router.h"
#include "hub/api/openapi.h"
#include "support/temp_dir.h"
#include "support/test_store.h"
#include "sync/api/sync_routes.h"
#include "sync/planner/memory_sides.h"

namespace liaison::sync {
namespace {

using nlohmann::json;
using testing::MemorySide;

class FakeSide final : public SyncSide {
 public:
  FakeSide(MemorySide& side, const Clock& clock) : side_(side), clock_(clock) {}
  Result<Catalog> catalog() override {
    if (!side_.cc) return Catalog::table({{"email", ""}, {"first_name", ""}, {"last_name", ""}}, false);
    return Catalog::cc({});
  }
  Result<SideRead> read(const std::optional<sync::ReadCursor>&) override { return side_.read(); }
  Result<ApplyOutcome> apply(const std::vector<Write>& writes, const SideRead&) override {
    ApplyOutcome outcome;
    int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch()).count();
    for (const auto& [i, id] : side_.apply(writes, ms)) outcome.created[i] = id;
    return outcome;
  }

 private:
  MemorySide& side_;
  const Clock& clock_;
};

class Factory final : public SideFactory {
 public:
  Factory(MemorySide& a, MemorySide& b, const Clock& clock) : a_(a), b_(b), clock_(clock) {}
  Result<std::unique_ptr<SyncSide>> open(const std::string&, const SideSpec& spec) override {
    if (spec.type == SideType::Csv && spec.path.starts_with("/missing/")) {
      return Error{ErrorCode::Unavailable, "sync.side_unavailable", "the CSV file's folder does not exist",
                   "stat(/missing/): ENOENT inside the hub"};
    }
    return std::unique_ptr<SyncSide>(std::make_unique<FakeSide>(spec.type == SideType::Cc ? a_ : b_, clock_));
  }

 private:
  MemorySide& a_;
  MemorySide& b_;
  const Clock& clock_;
};

Record contact(const std::string& id, const std::string& email, const std::string& first) {
  return testing::recordFromJson(json{{"id", id}, {"email", email}, {"first_name", first}}, true);
}
Record row(const std::string& id, const std::string& email, const std::string& first) {
  return testing::recordFromJson(json{{"id", id}, {"email", email}, {"first_name", first}, {"last_name", ""}},
                                 false);
}

struct Answer {
  int status = 0;
  json body;
  http::Response raw;
};

const json kDefinition = {{"name", "Users"},
                          {"a", {{"type", "cc"}, {"connection_id", "conn"}}},
                          {"b", {{"type", "sql"}, {"url", "app.db"}, {"table", "users"}}},
                          {"deletions", {{"from_b", "soft_delete"}}}};

class SyncRoutesTest : public ::testing::Test {
 protected:
  SyncRoutesTest()
      : clock_(fromUnixSeconds(1'800'000'000)),
        db_(liaison::testing::testStoreLocation(dir_.path() / "hub.db"), migrations()),
        store_(db_, clock_, random_) {
    a_.cc = true;
    a_.id_prefix = "c-new-";
    b_.cc = false;
    b_.id_prefix = "r-new-";
    for (int i = 0; i < 3; ++i) {
      std::string n = std::to_string(i);
      a_.records["c" + n] = contact("c" + n, "p" + n + "@example.com", "P" + n);
      b_.records["r" + n] = row("r" + n, "p" + n + "@example.com", "P" + n);
    }
    b_.records["r9"] = row("r9", "new@example.com", "New");
    addSyncRoutes([this](const std::string& method, const std::string& pattern,
                         http::Handler handler) { router_.add(method, pattern, std::move(handler)); },
                  SyncRoutesDeps{store_, runner_, factory_, "app",
                                 [](const std::string& id) { return id == "conn" || id == "conn2"; },
                                 [](std::function<void()> work) { work(); }});
  }
  static std::span<const storage::Migration> migrations() {
    static const storage::Migration extra[] = {
        {2, kSyncSchemaSql}, {3, kSyncReadSkipSql}, {4, kSyncLinksUnindexedSql}};
    return extra;
  }

  Answer call(const std::string& method, const std::string& target, const json& body = nullptr) {
    http::Request request;
    request.method = method;
    request.target = target;
    if (!body.is_null()) request.body = body.is_string() ? body.get<std::string>() : body.dump();
    auto match = router_.match(request);
    EXPECT_NE(match.route, nullptr) << method << " " << target;
    if (match.route == nullptr) return {};
    Answer answer;
    answer.raw = match.route->handler(request);
    answer.status = answer.raw.status;
    if (!answer.raw.body.empty()) answer.body = json::parse(answer.raw.body);
    clock_.advance(std::chrono::seconds(1));
    return answer;
  }
  std::string create(const json& definition = kDefinition) {
    auto created = call("POST", "/api/v1/syncs", definition);
    EXPECT_EQ(created.status, 201) << created.body.dump();
    return created.body.value("id", "");
  }
  static std::set<std::string> problemFields(const Answer& answer) {
    std::set<std::string> fields;
    for (const auto& p : answer.body["error"]["problems"]) fields.insert(p["field"].get<std::string>());
    return fields;
  }

  liaison::testing::TempDir dir_;
  ManualClock clock_;
  CryptoRandom random_;
  hub::HubDatabase db_;
  SyncStore store_;
  MemorySide a_, b_;
  Factory factory_{a_, b_, clock_};
  SyncRunner runner_{store_, factory_, clock_};
  http::Router router_;
};

TEST_F(SyncRoutesTest, ACreatedSyncIsShownAndListed) {
  auto created = call("POST", "/api/v1/syncs", kDefinition);
  ASSERT_EQ(created.status, 201) << created.body.dump();
  const std::string id = created.body["id"];
  EXPECT_EQ(created.raw.headers.get("Location"), "/api/v1/syncs/" + id);
  EXPECT_EQ(created.body["name"], "Users");
  EXPECT_EQ(created.body["paused"], false);
  EXPECT_EQ(created.body["definition"]["b"]["table"], "users");
  EXPECT_EQ(created.body["definition"]["b"]["key"], "id") << "defaults are filled in";
  EXPECT_TRUE(created.body["last_run"].is_null());
  EXPECT_TRUE(created.body["next_run_at"].is_string());

  auto shown = call("GET", "/api/v1/syncs/" + id);
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(shown.body["definition"], created.body["definition"]);
  auto listed = call("GET", "/api/v1/syncs");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body["syncs"].size(), 1u);
  EXPECT_EQ(listed.body["syncs"][0]["id"], id);
}

TEST_F(SyncRoutesTest, ABadDefinitionIsRefusedWithEveryProblemListed) {
  auto refused = call("POST", "/api/v1/syncs",
                      json{{"name", 5},
                           {"a", {{"type", "cc"}}},
                           {"b", {{"type", "csv"}, {"encoding", "ebcdic"}}},
                           {"interval", "1s"},
                           {"colour", "red"}});
  ASSERT_EQ(refused.status, 400);
  EXPECT_EQ(refused.body["error"]["code"], "sync.invalid_definition");
  EXPECT_NE(refused.body["error"]["message"].get<std::string>().find("and 5 more"), std::string::npos)
      << refused.body.dump();
  EXPECT_EQ(problemFields(refused),
            (std::set<std::string>{"name", "a.connection_id", "b.path", "b.encoding", "interval", "colour"}));
  for (const auto& p : refused.body["error"]["problems"]) {
    EXPECT_TRUE(p["value"].is_string() && p["why"].is_string()) << p.dump();
  }
  EXPECT_EQ(refused.raw.headers.get("Cache-Control"), "no-store");
  EXPECT_TRUE(call("GET", "/api/v1/syncs").body["syncs"].empty());

  auto not_json = call("POST", "/api/v1/syncs", json("{not json"));
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.body["error"]["code"], "invalid_json");
}

TEST_F(SyncRoutesTest, AnUnknownConnectionAndASideThatCannotBeOpenedAreProblems) {
  json definition = kDefinition;
  definition["a"]["connection_id"] = "conn-of-another-app";
  definition["b"] = {{"type", "csv"}, {"path", "/missing/users.csv"}};
  auto refused = call("POST", "/api/v1/syncs", definition);
  ASSERT_EQ(refused.status, 400);
  EXPECT_EQ(problemFields(refused), (std::set<std::string>{"a.connection_id", "b"}));
  EXPECT_NE(refused.raw.body.find("the CSV file's folder does not exist"), std::string::npos);
  EXPECT_EQ(refused.raw.body.find("ENOENT"), std::string::npos) << "an error's detail is never shown";
}

TEST_F(SyncRoutesTest, AMappingNamingAMissingColumnIsRefused) {
  json definition = kDefinition;
  definition["mapping"] = {{{"a", "email"}, {"b", "email"}}, {{"a", "job_title"}, {"b", "title"}}};
  auto refused = call("POST", "/api/v1/syncs", definition);
  ASSERT_EQ(refused.status, 400);
  ASSERT_EQ(refused.body["error"]["problems"].size(), 1u) << refused.body.dump();
  EXPECT_EQ(refused.body["error"]["problems"][0],
            json({{"field", "mapping[1].b"}, {"value", "title"}, {"why", "is not a column of side b"}}));
}

TEST_F(SyncRoutesTest, APreviewShowsTheWritesAndWritesNothing) {
  const std::string id = create();
  auto preview = call("POST", "/api/v1/syncs/" + id + "/preview");
  ASSERT_EQ(preview.status, 200) << preview.body.dump();
  EXPECT_EQ(preview.body["counts"]["a"]["created"], 1);
  ASSERT_EQ(preview.body["writes"]["a"].size(), 1u);
  EXPECT_EQ(preview.body["writes"]["a"][0]["kind"], "create");
  EXPECT_EQ(preview.body["writes"]["a"][0]["values"]["email"], "new@example.com");
  EXPECT_EQ(a_.records.size(), 3u);
  EXPECT_TRUE(call("GET", "/api/v1/syncs/" + id + "/runs").body["runs"].empty());
}

TEST_F(SyncRoutesTest, AStartedRunAnswers202AndIsReadBackFinishedWithItsCounts) {
  const std::string id = create();
  auto started = call("POST", "/api/v1/syncs/" + id + "/runs");
  ASSERT_EQ(started.status, 202) << started.body.dump();
  const std::string run_id = started.body["id"];
  EXPECT_EQ(started.raw.headers.get("Location"), "/api/v1/syncs/" + id + "/runs/" + run_id);

  auto run = call("GET", "/api/v1/syncs/" + id + "/runs/" + run_id);
  ASSERT_EQ(run.status, 200);
  EXPECT_EQ(run.body["sync_id"], id);
  EXPECT_EQ(run.body["state"], "finished");
  EXPECT_EQ(run.body["trigger"], "manual");
  EXPECT_TRUE(run.body["started_at"].is_string());
  EXPECT_TRUE(run.body["finished_at"].is_string());
  EXPECT_EQ(run.body["report"]["counts"]["a"]["created"], 1);
  EXPECT_TRUE(run.body["report"]["failed"].is_array());
  EXPECT_TRUE(run.body["progress"].is_object());
  EXPECT_EQ(a_.records.size(), 4u);

  auto history = call("GET", "/api/v1/syncs/" + id + "/runs?limit=5");
  ASSERT_EQ(history.status, 200);
  ASSERT_EQ(history.body["runs"].size(), 1u);
  EXPECT_EQ(history.body["runs"][0]["id"], run_id);
  auto sync = call("GET", "/api/v1/syncs/" + id);
  EXPECT_EQ(sync.body["last_run"]["id"], run_id);
  EXPECT_EQ(sync.body["last_run"]["state"], "finished");
  EXPECT_EQ(call("GET", "/api/v1/syncs/" + id + "/runs?limit=0").status, 400);
}

TEST_F(SyncRoutesTest, ARunWhileAnotherGoesOnIsAConflict) {
  const std::string id = create();
  ASSERT_TRUE(store_.beginRun(id, "other-process", "schedule", std::chrono::minutes(10)).ok());
  auto refused = call("POST", "/api/v1/syncs/" + id + "/runs");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.body["error"]["code"], "sync.run_in_progress");
}

TEST_F(SyncRoutesTest, AHeldRunIsApprovedOnceAndOnlyWhileItIsTheLatest) {
  const std::string id = create();
  ASSERT_EQ(call("POST", "/api/v1/syncs/" + id + "/runs").status, 202);
  ASSERT_EQ(call("PATCH", "/api/v1/syncs/" + id, json{{"guard", {{"count", 1}, {"percent", 0}}}}).status,
            200);
  b_.records.erase("r0");
  b_.records.erase("r1");
  auto held = call("POST", "/api/v1/syncs/" + id + "/runs");
  ASSERT_EQ(held.status, 202);
  const std::string held_id = held.body["id"];
  auto shown = call("GET", "/api/v1/syncs/" + id + "/runs/" + held_id);
  EXPECT_EQ(shown.body["state"], "held");
  EXPECT_EQ(shown.body["report"]["held"], true);
  EXPECT_FALSE(a_.records["c0"].deleted);

  auto approved = call("POST", "/api/v1/syncs/" + id + "/runs/" + held_id + "/approve");
  ASSERT_EQ(approved.status, 202) << approved.body.dump();
  EXPECT_NE(approved.body["id"], held_id);
  EXPECT_EQ(approved.body["trigger"], "approval");
  auto run = call("GET", "/api/v1/syncs/" + id + "/runs/" + approved.body["id"].get<std::string>());
  EXPECT_EQ(run.body["state"], "finished");
  EXPECT_TRUE(a_.records["c0"].deleted);
  EXPECT_TRUE(a_.records["c1"].deleted);

  auto again = call("POST", "/api/v1/syncs/" + id + "/runs/" + held_id + "/approve");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body["error"]["code"], "sync.run_not_latest");
  auto finished =
      call("POST", "/api/v1/syncs/" + id + "/runs/" + approved.body["id"].get<std::string>() + "/approve");
  EXPECT_EQ(finished.status, 409);
  EXPECT_EQ(finished.body["error"]["code"], "sync.run_not_held");
  EXPECT_NE(finished.body["error"]["message"].get<std::string>().find("is finished, not held"),
            std::string::npos);
}

TEST_F(SyncRoutesTest, APausedSyncHasNoNextRunButRunsByHand) {
  const std::string id = create();
  auto paused = call("POST", "/api/v1/syncs/" + id + "/pause");
  ASSERT_EQ(paused.status, 200);
  EXPECT_EQ(paused.body["paused"], true);
  EXPECT_TRUE(paused.body["next_run_at"].is_null());
  EXPECT_TRUE(store_.due(clock_.now(), 10)->empty());
  EXPECT_EQ(call("POST", "/api/v1/syncs/" + id + "/runs").status, 202);
  auto resumed = call("POST", "/api/v1/syncs/" + id + "/resume");
  ASSERT_EQ(resumed.status, 200);
  EXPECT_EQ(resumed.body["paused"], false);
  EXPECT_TRUE(resumed.body["next_run_at"].is_string());
}

TEST_F(SyncRoutesTest, APatchChangesTheDefinitionOnlyWhenItStillChecks) {
  const std::string id = create();
  auto renamed = call("PATCH", "/api/v1/syncs/" + id, json{{"name", "Renamed"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body.dump();
  EXPECT_EQ(renamed.body["name"], "Renamed");
  EXPECT_EQ(renamed.body["definition"]["b"]["table"], "users") << "what the patch leaves out stays";

  auto refused = call("PATCH", "/api/v1/syncs/" + id,
                      json{{"name", "Broken"}, {"mapping", {{{"a", "email"}, {"b", "mail"}}}}});
  ASSERT_EQ(refused.status, 400);
  EXPECT_EQ(problemFields(refused), (std::set<std::string>{"mapping[0].b"}));
  auto moved = call("PATCH", "/api/v1/syncs/" + id, json{{"a", {{"type", "cc"}, {"connection_id", "gone"}}}});
  ASSERT_EQ(moved.status, 400);
  EXPECT_EQ(problemFields(moved), (std::set<std::string>{"a.connection_id"}));
  EXPECT_EQ(call("PATCH", "/api/v1/syncs/" + id, json{{"colour", "red"}}).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/syncs/" + id).body["name"], "Renamed");
}

TEST_F(SyncRoutesTest, ADeletedSyncIsGone) {
  const std::string id = create();
  ASSERT_EQ(call("POST", "/api/v1/syncs/" + id + "/runs").status, 202);
  EXPECT_EQ(call("DELETE", "/api/v1/syncs/" + id).status, 204);
  auto gone = call("GET", "/api/v1/syncs/" + id);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.body["error"]["code"], "not_found");
  EXPECT_EQ(call("DELETE", "/api/v1/syncs/" + id).status, 404);
  EXPECT_TRUE(store_.runs(id, 10)->empty());
}

TEST_F(SyncRoutesTest, UnknownSyncsAndRunsAre404) {
  const std::string id = create();
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/syncs/sync_nope"},
           {"PATCH", "/api/v1/syncs/sync_nope"},
           {"POST", "/api/v1/syncs/sync_nope/preview"},
           {"POST", "/api/v1/syncs/sync_nope/runs"},
           {"GET", "/api/v1/syncs/sync_nope/runs"},
           {"POST", "/api/v1/syncs/sync_nope/pause"},
           {"POST", "/api/v1/syncs/sync_nope/resume"},
           {"GET", "/api/v1/syncs/" + id + "/runs/run_nope"},
           {"POST", "/api/v1/syncs/" + id + "/runs/run_nope/approve"}}) {
    auto answer = call(method, target, json::object());
    EXPECT_EQ(answer.status, 404) << method << " " << target;
    EXPECT_EQ(answer.body["error"]["code"], "not_found") << method << " " << target;
  }
  // Another app's sync is not this app's to see.
  auto other = store_.create("other-app", store_.get("app", id)->definition);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(call("GET", "/api/v1/syncs/" + other->id).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/syncs").body["syncs"].size(), 1u);
}

TEST_F(SyncRoutesTest, EveryRouteIsInTheHubsOpenApiDocument) {
  const json document = json::parse(hub::api::openApiDocument());
  size_t routes = 0;
  for (const auto& route : router_.routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(document["paths"].contains(route.pattern) &&
                document["paths"][route.pattern].contains(method))
        << route.method << " " << route.pattern;
    ++routes;
  }
  EXPECT_EQ(routes, 12u);
  for (const char* schema : {"SyncDefinition", "Sync", "SyncRun", "Problem"}) {
    EXPECT_TRUE(document["components"]["schemas"].contains(schema)) << schema;
  }
  const json& types = document["components"]["schemas"]["Event"]["properties"]["type"]["enum"];
  for (const char* type : {"sync.run_finished", "sync.run_held", "sync.run_failed"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), type), types.end()) << type;
  }
}

}  // namespace
}  // namespace liaison::sync
