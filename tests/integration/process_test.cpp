// The `liaison` binary as a user runs it: help and version, start-up banner, and persistence
// with --data surviving kill -9, and starting from a snapshot fixture.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/random.h"
#include "http/client/http_client.h"
#include "sandbox/sandbox_fixture.h"

extern char** environ;

namespace liaison::testing {
namespace {

struct Process {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Process spawn(const std::vector<std::string>& args) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<char*> argv;
  std::string binary = LIAISON_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  Process p;
  if (posix_spawn(&p.pid, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) p.pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  p.out = ::fdopen(pipe_fds[0], "r");
  return p;
}

std::string readLine(FILE* f) {
  char buf[1024];
  return std::fgets(buf, sizeof buf, f) ? std::string(buf) : "";
}

std::string readAll(FILE* f) {
  std::string out;
  for (std::string line; !(line = readLine(f)).empty();) out += line;
  return out;
}

int finish(Process& p, int signal_number = 0) {
  if (signal_number) ::kill(p.pid, signal_number);
  int status = 0;
  ::waitpid(p.pid, &status, 0);
  if (p.out) std::fclose(p.out);
  return status;
}

// Starts `liaison sandbox` on a free port; returns its base URL from the banner.
std::string startSandbox(Process& p, const std::vector<std::string>& extra,
                         const std::string& listen = "127.0.0.1:0") {
  std::vector<std::string> args = {"sandbox", "--listen", listen, "--log-level", "warn"};
  args.insert(args.end(), extra.begin(), extra.end());
  p = spawn(args);
  const std::string banner = readLine(p.out);
  const auto at = banner.find("http://");
  if (at == std::string::npos) return "";
  std::string url = banner.substr(at);
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.pop_back();
  return url;
}

TEST(Process, VersionAndHelpOnEveryVerb) {
  auto version = spawn({"--version"});
  EXPECT_EQ(readAll(version.out), "0.1.0\n");
  EXPECT_EQ(WEXITSTATUS(finish(version)), 0);
  for (const std::string verb : {"sandbox", "up"}) {
    auto help = spawn({verb, "--help"});
    const auto text = readAll(help.out);
    EXPECT_NE(text.find("--listen"), std::string::npos) << verb;
    EXPECT_NE(text.find("--data"), std::string::npos) << verb;
    EXPECT_EQ(WEXITSTATUS(finish(help)), 0);
  }
  auto bad = spawn({"sandbox", "--profile", "turbo"});
  readAll(bad.out);
  EXPECT_NE(WEXITSTATUS(finish(bad)), 0);
}

TEST(Process, StateSurvivesKillNine) {
  const auto dir = std::filesystem::temp_directory_path() / ("liaison-data-" + CryptoRandom().token(8));
  auto http = http::makeCurlHttpClient();
  Process first;
  const auto base = startSandbox(first, {"--data", dir.string(), "--profile", "fast"});
  ASSERT_FALSE(base.empty());
  SandboxClient client(clientTransport(base, *http));
  auto created = client.postJson("/__sandbox/apps", {{"client_id", "durable"}, {"confidential", false},
                                                     {"flows", {"device"}}});
  ASSERT_EQ(created.status, 201) << created.body;
  auto device = jsonOf(client.postForm("/oauth2/default/v1/device/authorize",
                                       formBody({{"client_id", "durable"}, {"scope", "account_read"}})));
  ASSERT_EQ(client.postJson("/__sandbox/device/approve", {{"user_code", device["user_code"]}}).status, 200);
  auto tokens = jsonOf(client.postForm("/oauth2/default/v1/token",
                                       formBody({{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                                                 {"client_id", "durable"}, {"device_code", device["device_code"]}})));
  ASSERT_TRUE(tokens.contains("access_token")) << tokens.dump();
  finish(first, SIGKILL);

  Process second;
  const auto base2 = startSandbox(second, {"--data", dir.string(), "--profile", "fast"},
                                  base.substr(base.find("127.0.0.1")));
  ASSERT_EQ(base2, base);  // same address, so the issuer of the old token still matches
  SandboxClient again(clientTransport(base2, *http));
  EXPECT_NE(again.get("/__sandbox/apps").body.find("\"durable\""), std::string::npos);
  EXPECT_EQ(again.get("/v3/account/summary", tokens["access_token"]).status, 200);
  EXPECT_EQ(WEXITSTATUS(finish(second, SIGTERM)), 0);  // graceful stop exits cleanly
  std::filesystem::remove_all(dir);
}

TEST(Process, FixtureFromASnapshotSeedsANewSandboxAndSurvivesInItsStore) {
  const auto dir = std::filesystem::temp_directory_path() / ("liaison-fixture-" + CryptoRandom().token(8));
  std::filesystem::create_directories(dir);
  auto http = http::makeCurlHttpClient();
  Process first;
  const auto base = startSandbox(first, {"--profile", "fast"});
  ASSERT_FALSE(base.empty());
  SandboxClient client(clientTransport(base, *http));
  ASSERT_EQ(client.postJson("/__sandbox/apps", {{"client_id", "from-fixture"}, {"confidential", false},
                                                {"flows", {"device"}}}).status, 201);
  ASSERT_EQ(client.postJson("/__sandbox/snapshots", {{"name", "saved"}}).status, 201);
  const std::string fixture = client.get("/__sandbox/snapshots/saved").body;
  finish(first, SIGTERM);
  const auto path = dir / "fixture.json";
  std::ofstream(path) << fixture;

  Process second;
  const auto data = (dir / "data").string();
  const auto base2 = startSandbox(second, {"--profile", "fast", "--seed", "empty", "--fixture", path.string(),
                                           "--data", data});
  ASSERT_FALSE(base2.empty());
  SandboxClient again(clientTransport(base2, *http));
  EXPECT_NE(again.get("/__sandbox/apps").body.find("\"from-fixture\""), std::string::npos);
  ASSERT_EQ(again.postJson("/__sandbox/apps", {{"client_id", "added-later"}, {"confidential", false},
                                               {"flows", {"device"}}}).status, 201);
  finish(second, SIGTERM);
  // On a later start the data directory's state wins over the fixture.
  Process third;
  const auto base3 = startSandbox(third, {"--profile", "fast", "--fixture", path.string(), "--data", data});
  SandboxClient third_client(clientTransport(base3, *http));
  EXPECT_NE(third_client.get("/__sandbox/apps").body.find("\"added-later\""), std::string::npos);
  finish(third, SIGTERM);

  std::ofstream(dir / "bad.json") << "{\"liaison_snapshot\": 9}";
  auto bad = spawn({"sandbox", "--listen", "127.0.0.1:0", "--fixture", (dir / "bad.json").string()});
  readAll(bad.out);
  EXPECT_NE(WEXITSTATUS(finish(bad)), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace liaison::testing
