// The `liaison` binary as a user runs it: help and version, start-up banner, persistence with
// --data surviving kill -9, and starting from a snapshot fixture.
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "http/client/http_client.h"
#include "integration/child_process.h"
#include "sandbox/sandbox_fixture.h"
#include "support/temp_dir.h"

namespace liaison::testing {
namespace {

TEST(Process, VersionAndHelpOnEveryVerb) {
  ChildProcess version({"--version"});
  EXPECT_EQ(version.readAll(), "0.1.0\n");
  EXPECT_EQ(WEXITSTATUS(version.stop()), 0);
  for (const std::string verb : {"sandbox", "up"}) {
    ChildProcess help({verb, "--help"});
    const auto text = help.readAll();
    EXPECT_NE(text.find("--listen"), std::string::npos) << verb;
    EXPECT_NE(text.find("--data"), std::string::npos) << verb;
    EXPECT_EQ(WEXITSTATUS(help.stop()), 0);
  }
  ChildProcess bad({"sandbox", "--profile", "turbo"});
  const int status = bad.stop();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
}

TEST(Process, StateSurvivesKillNine) {
  TempDir dir("liaison-data");
  auto http = http::makeCurlHttpClient();
  std::string tokens_access;
  std::string base;
  {
    ChildProcess first(sandboxArgs({"--data", dir.file("data"), "--profile", "fast"}));
    base = bannerUrl(first);
    ASSERT_FALSE(base.empty());
    SandboxClient client(clientTransport(base, *http));
    auto created = client.postJson(
        "/__sandbox/apps", {{"client_id", "durable"}, {"confidential", false}, {"flows", {"device"}}});
    ASSERT_EQ(created.status, 201) << created.body;
    auto tokens = deviceFlowTokens(client, "account_read", "durable");
    ASSERT_TRUE(tokens.contains("access_token")) << tokens.dump();
    tokens_access = tokens["access_token"];
    EXPECT_EQ(WTERMSIG(first.stop(SIGKILL)), SIGKILL);
  }
  ChildProcess second(
      sandboxArgs({"--data", dir.file("data"), "--profile", "fast"}, base.substr(base.find("127.0.0.1"))));
  const auto base2 = bannerUrl(second);
  ASSERT_EQ(base2, base);  // same address, so the issuer of the old token still matches
  SandboxClient again(clientTransport(base2, *http));
  EXPECT_NE(again.get("/__sandbox/apps").body.find("\"durable\""), std::string::npos);
  EXPECT_EQ(again.get("/v3/account/summary", tokens_access).status, 200);
  const int status = second.stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status));  // graceful stop exits cleanly
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Process, FixtureFromASnapshotSeedsANewSandboxAndSurvivesInItsStore) {
  TempDir dir("liaison-fixture");
  auto http = http::makeCurlHttpClient();
  const auto path = dir.path() / "fixture.json";
  {
    ChildProcess first(sandboxArgs({"--profile", "fast"}));
    const auto base = bannerUrl(first);
    ASSERT_FALSE(base.empty());
    SandboxClient client(clientTransport(base, *http));
    ASSERT_EQ(client
                  .postJson("/__sandbox/apps",
                            {{"client_id", "from-fixture"}, {"confidential", false}, {"flows", {"device"}}})
                  .status,
              201);
    ASSERT_EQ(client.postJson("/__sandbox/snapshots", {{"name", "saved"}}).status, 201);
    auto fixture = client.get("/__sandbox/snapshots/saved");
    ASSERT_EQ(fixture.status, 200) << fixture.body;
    std::ofstream(path) << fixture.body;
  }

  const auto data = dir.file("data");
  {
    ChildProcess second(
        sandboxArgs({"--profile", "fast", "--seed", "empty", "--fixture", path.string(), "--data", data}));
    const auto base2 = bannerUrl(second);
    ASSERT_FALSE(base2.empty());
    SandboxClient again(clientTransport(base2, *http));
    EXPECT_NE(again.get("/__sandbox/apps").body.find("\"from-fixture\""), std::string::npos);
    ASSERT_EQ(again
                  .postJson("/__sandbox/apps",
                            {{"client_id", "added-later"}, {"confidential", false}, {"flows", {"device"}}})
                  .status,
              201);
    EXPECT_EQ(WEXITSTATUS(second.stop(SIGTERM)), 0);
  }
  // On a later start the data directory's state wins over the fixture.
  {
    ChildProcess third(sandboxArgs({"--profile", "fast", "--fixture", path.string(), "--data", data}));
    const auto base3 = bannerUrl(third);
    ASSERT_FALSE(base3.empty());
    SandboxClient third_client(clientTransport(base3, *http));
    EXPECT_NE(third_client.get("/__sandbox/apps").body.find("\"added-later\""), std::string::npos);
  }

  std::ofstream(dir.path() / "bad.json") << "{\"liaison_snapshot\": 9}";
  ChildProcess bad({"sandbox", "--listen", "127.0.0.1:0", "--fixture", (dir.path() / "bad.json").string()});
  const int status = bad.stop();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace liaison::testing
