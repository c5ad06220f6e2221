// The client verbs as a person uses them: a sandbox standing in for Constant Contact, `liaison
// serve` against it, and `liaison connect --device` at a (pseudo-)terminal, approved at the
// sandbox; then status, connections and disconnect against the same hub. Real processes and
// real waits (the hub polls CC every 5 s), each bounded by a deadline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/pty_child.h"
#include "http/client/http_client.h"
#include "integration/child_process.h"
#include "support/temp_dir.h"

namespace liaison::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// The device flow takes two poll intervals of 5 s (the hub's and this client's) after approval;
// only a hang takes this long.
constexpr std::chrono::seconds kConnectDeadline{60};

// Environment variables for the children, restored whatever way the test ends.
class ScopedEnv {
 public:
  void set(const std::string& name, const std::string& value) {
    if (!saved_.contains(name)) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

http::ClientResponse postJson(http::HttpClient& http, const std::string& url, const json& body) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = url;
  request.body = body.dump();
  request.headers.set("Content-Type", "application/json");
  auto response = http.send(request);
  EXPECT_TRUE(response.ok()) << url;
  return response.ok() ? *response : http::ClientResponse{};
}

int exitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

// Runs a verb to its end; its stdout and exit code.
std::pair<std::string, int> run(const std::vector<std::string>& args) {
  ChildProcess child(args);
  std::string out = child.readAll();
  return {out, exitCode(child.stop())};
}

TEST(ClientVerbsProcess, ConnectAtATerminalThenStatusConnectionsAndDisconnect) {
  TempDir dir("liaison-cli");
  const std::string data = dir.file("hub");
  auto http = http::makeCurlHttpClient();
  ScopedEnv env;

  ChildProcess sandbox(sandboxArgs({"--profile", "fast"}), dir.file("sandbox.log"));
  const std::string cc = bannerUrl(sandbox);
  ASSERT_FALSE(cc.empty());
  auto app = postJson(*http, cc + "/__sandbox/apps",
                      {{"client_id", "hub-app"},
                       {"name", "Hub"},
                       {"confidential", true},
                       {"redirect_uris", {"http://127.0.0.1:8700/connect/callback"}},
                       {"flows", {"authorization_code", "device"}},
                       {"refresh_token_type", "rotating"}});
  ASSERT_EQ(app.status, 201) << app.body;
  env.set("LIAISON_CC_BASE_URL", cc);
  env.set("LIAISON_CC_CLIENT_ID", "hub-app");
  env.set("LIAISON_CC_CLIENT_SECRET", json::parse(app.body).at("client_secret").get<std::string>());
  env.set("LIAISON_SERVER_LISTEN", "127.0.0.1:0");

  ASSERT_EQ(run({"vault", "init", "--data", data}).second, 0);
  auto [key_line, keys_exit] = run({"keys", "create", "--name", "t", "--data", data});
  ASSERT_EQ(keys_exit, 0);
  const std::string key = key_line.substr(0, key_line.find('\n'));
  ASSERT_FALSE(key.empty());

  ChildProcess serve({"serve", "--data", data}, dir.file("serve.log"));
  const std::string hub = bannerUrl(serve);
  ASSERT_THAT(hub, HasSubstr("http://127.0.0.1:"));
  ASSERT_THAT(hub, ::testing::Not(::testing::EndsWith(":0")));
  env.set("LIAISON_API_KEY", key);
  env.set("LIAISON_HUB_URL", hub);

  PtyChild connect({"connect", "--device", "--end-user", "u1", "--hub", hub});
  ASSERT_TRUE(connect.started());
  ASSERT_TRUE(connect.readUntil("enter the code: ", kChildDeadline)) << connect.output();
  ASSERT_TRUE(connect.readUntil("Waiting for approval: ", kChildDeadline)) << connect.output();
  const std::string& shown = connect.output();
  const auto code_at = shown.find("enter the code: ") + 16;
  const std::string user_code = shown.substr(code_at, shown.find_first_of("\r\n", code_at) - code_at);
  ASSERT_FALSE(user_code.empty()) << shown;
  EXPECT_THAT(shown, HasSubstr("user_code=" + user_code));  // verification_uri_complete
  auto approved = postJson(*http, cc + "/__sandbox/device/approve", {{"user_code", user_code}});
  ASSERT_EQ(approved.status, 200) << approved.body;

  const int connect_status = connect.finish(kConnectDeadline);
  const std::string out = connect.output();
  ASSERT_EQ(exitCode(connect_status), 0) << out;
  EXPECT_THAT(out, HasSubstr("\r\x1b[KWaiting for approval: "));  // a terminal gets the countdown
  EXPECT_THAT(out, ::testing::Not(HasSubstr("waiting for approval (")));
  EXPECT_THAT(out, ::testing::Not(HasSubstr(key)));
  const auto named = out.find("Connected: Sandbox Bakery (connection ");
  ASSERT_NE(named, std::string::npos) << out;
  const auto id_at = named + std::string("Connected: Sandbox Bakery (connection ").size();
  const std::string id = out.substr(id_at, out.find(')', id_at) - id_at);
  ASSERT_FALSE(id.empty());

  auto [health_body, status_exit] = run({"status", id, "--json"});
  EXPECT_EQ(status_exit, 0) << health_body;
  const json health = json::parse(health_body, nullptr, false);
  ASSERT_TRUE(health.is_object()) << health_body;
  EXPECT_TRUE(health.contains("status"));
  EXPECT_EQ(health["cc"]["has_token"], true) << health_body;

  auto [table, status_table_exit] = run({"status", id});
  EXPECT_EQ(status_table_exit, 0) << table;
  EXPECT_THAT(table, HasSubstr("Connection  " + id + "\n"));
  EXPECT_THAT(table, HasSubstr("  has_token         yes\n"));

  auto [listed, list_exit] = run({"connections"});
  EXPECT_EQ(list_exit, 0) << listed;
  EXPECT_THAT(listed, HasSubstr("ID"));
  EXPECT_THAT(listed, HasSubstr(id));
  EXPECT_THAT(listed, HasSubstr("Sandbox Bakery"));
  EXPECT_THAT(listed, HasSubstr("active"));

  auto [gone, disconnect_exit] = run({"disconnect", id});
  EXPECT_EQ(disconnect_exit, 0);
  EXPECT_EQ(gone, "Disconnected " + id + "\n");
  auto [after, after_exit] = run({"connections", "--end-user", "u1", "--json"});
  EXPECT_EQ(after_exit, 0);
  EXPECT_EQ(json::parse(after).at("connections").at(0).at("status"), "disconnected") << after;

  env.set("LIAISON_API_KEY", "lsk_not_a_key");
  auto [refused, refused_exit] = run({"connections"});
  EXPECT_EQ(refused_exit, 2);
  EXPECT_EQ(refused, "");  // the hub's message goes to stderr
}

}  // namespace
}  // namespace liaison::testing
