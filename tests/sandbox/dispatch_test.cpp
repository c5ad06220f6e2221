// Where the sandbox runs each call: disk-bound work inline when there is no disk store, long CPU
// work always on the pool, and a latency fault's delay left to the server.
#include "sandbox/sandbox.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/random.h"
#include "storage/document_store.h"
#include "support/seeded_random.h"

namespace liaison::sandbox {
namespace {

using http::Execution;

http::Request request(const std::string& method, const std::string& target, const std::string& body = "") {
  http::Request r;
  r.method = method;
  r.target = target;
  r.body = body;
  r.headers.set("Content-Type", "application/json");
  return r;
}

class DispatchTest : public ::testing::Test {
 protected:
  Execution where(Sandbox& sandbox, const std::string& method, const std::string& target) {
    auto r = request(method, target);
    return sandbox.dispatch(r).execution;
  }
  ManualClock clock_{fromUnixSeconds(1'800'000'000)};
  liaison::testing::TestRandom seeded_;  // seed named on failure; LIAISON_TEST_SEED replays it
  RandomSource& random_ = seeded_.random();
};

TEST_F(DispatchTest, InMemoryDiskBoundWorkRunsInline) {
  Sandbox sandbox({}, clock_, random_, nullptr);
  EXPECT_EQ(where(sandbox, "POST", "/v3/contacts"), Execution::Inline);
  EXPECT_EQ(where(sandbox, "PUT", "/v3/contacts/c0ffee00-0000-4000-8000-000000000000"), Execution::Inline);
  EXPECT_EQ(where(sandbox, "GET", "/v3/contacts"), Execution::Inline);
  // Long CPU work never runs on the I/O threads.
  EXPECT_EQ(where(sandbox, "POST", "/v3/activities/contacts_json_import"), Execution::Long);
  EXPECT_EQ(where(sandbox, "POST", "/oauth2/default/v1/token"), Execution::Long);
  EXPECT_EQ(where(sandbox, "POST", "/__sandbox/reset"), Execution::Long);
}

TEST_F(DispatchTest, WithADiskStoreWritesLeaveTheIoThreads) {
  storage::MemoryDocumentStore store;
  Sandbox sandbox({}, clock_, random_, &store);
  EXPECT_EQ(where(sandbox, "POST", "/v3/contacts"), Execution::Blocking);
  EXPECT_EQ(where(sandbox, "GET", "/v3/contacts"), Execution::Inline);
  EXPECT_EQ(where(sandbox, "POST", "/v3/activities/contacts_json_import"), Execution::Long);
}

TEST_F(DispatchTest, ALatencyRuleMovesNoCallAndOnlyReportsItsDelay) {
  // The server holds a delayed answer on its connection's timer, so nothing needs to leave the
  // I/O threads and the pure handler returns at once with the delay to honour.
  Sandbox sandbox({}, clock_, random_, nullptr);
  auto add = request("POST", "/__sandbox/faults",
                     R"({"operation":"oauth.keys","action":{"type":"latency","ms":30000}})");
  const auto added = sandbox.handle(add);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(where(sandbox, "GET", "/v3/contacts"), Execution::Inline);
  EXPECT_EQ(where(sandbox, "GET", "/oauth2/default/v1/keys"), Execution::Inline);
  auto keys = request("GET", "/oauth2/default/v1/keys");
  const auto delayed = sandbox.handle(keys);
  EXPECT_EQ(delayed.status, 200);
  EXPECT_EQ(delayed.delay, std::chrono::milliseconds(30000));
  auto metadata = request("GET", "/.well-known/oauth-authorization-server");
  EXPECT_EQ(sandbox.handle(metadata).delay, std::chrono::milliseconds(0));
}

}  // namespace
}  // namespace liaison::sandbox
