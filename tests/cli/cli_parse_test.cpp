// The client verbs on the command line: required arguments, and where the hub and key come from.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace liaison::testing {
namespace {

cli::ParseOutcome parse(std::vector<std::string> args) {
  args.insert(args.begin(), "liaison");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return cli::parseCommandLine(static_cast<int>(argv.size()), argv.data());
}

class ClientVerbParse : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("LIAISON_HUB_URL");
    ::unsetenv("LIAISON_API_KEY");
  }
  void TearDown() override { SetUp(); }
};

TEST_F(ClientVerbParse, ConnectNeedsAnEndUserAndDefaultsToTheLocalHub) {
  EXPECT_FALSE(parse({"connect", "--device"}).command);
  auto outcome = parse({"connect", "--device", "--end-user", "u1"});
  ASSERT_TRUE(outcome.command);
  const auto& connect = std::get<cli::ConnectCommand>(*outcome.command);
  EXPECT_EQ(connect.end_user_id, "u1");
  EXPECT_TRUE(connect.device);
  EXPECT_EQ(connect.hub.url, "http://127.0.0.1:8700");
  EXPECT_EQ(connect.hub.key, "");
  EXPECT_FALSE(connect.hub.key_on_command_line);
}

TEST_F(ClientVerbParse, TheEnvironmentNamesTheHubAndKeyAndFlagsWin) {
  ::setenv("LIAISON_HUB_URL", "http://hub.example:9000", 1);
  ::setenv("LIAISON_API_KEY", "lsk_from_env", 1);
  auto from_env = parse({"connections"});
  ASSERT_TRUE(from_env.command);
  const auto& list = std::get<cli::ConnectionsCommand>(*from_env.command);
  EXPECT_EQ(list.hub.url, "http://hub.example:9000");
  EXPECT_EQ(list.hub.key, "lsk_from_env");
  EXPECT_FALSE(list.hub.key_on_command_line);

  auto from_flags = parse({"status", "conn_1", "--hub", "http://other:1", "--key", "lsk_flag", "--fresh"});
  ASSERT_TRUE(from_flags.command);
  const auto& status = std::get<cli::StatusCommand>(*from_flags.command);
  EXPECT_EQ(status.connection_id, "conn_1");
  EXPECT_TRUE(status.fresh);
  EXPECT_FALSE(status.json);
  EXPECT_EQ(status.hub.url, "http://other:1");
  EXPECT_EQ(status.hub.key, "lsk_flag");
  EXPECT_TRUE(status.hub.key_on_command_line);
}

TEST_F(ClientVerbParse, StatusAndDisconnectNeedAnId) {
  EXPECT_FALSE(parse({"status"}).command);
  EXPECT_FALSE(parse({"disconnect"}).command);
  auto outcome = parse({"disconnect", "conn_1"});
  ASSERT_TRUE(outcome.command);
  EXPECT_EQ(std::get<cli::DisconnectCommand>(*outcome.command).connection_id, "conn_1");
}

TEST_F(ClientVerbParse, EverySyncVerbParsesWithItsArguments) {
  ::setenv("LIAISON_API_KEY", "lsk_from_env", 1);
  auto sync = [](std::vector<std::string> args) {
    args.insert(args.begin(), "sync");
    auto outcome = parse(args);
    EXPECT_TRUE(outcome.command) << args[1];
    return outcome.command ? std::get<cli::SyncCommand>(*outcome.command) : cli::SyncCommand{};
  };
  const std::string file = ::testing::TempDir() + "/liaison-sync-parse.json";
  std::fclose(std::fopen(file.c_str(), "w"));
  auto create = sync({"create", "--file", file});
  EXPECT_EQ(create.action, "create");
  EXPECT_EQ(create.file, file);
  EXPECT_EQ(create.hub.key, "lsk_from_env");
  EXPECT_EQ(sync({"list", "--json"}).json, true);
  for (const char* action : {"show", "preview", "run", "pause", "resume", "history"}) {
    auto command = sync({action, "sync_1"});
    EXPECT_EQ(command.action, action);
    EXPECT_EQ(command.sync_id, "sync_1");
  }
  EXPECT_TRUE(sync({"run", "sync_1", "--no-wait"}).no_wait);
  auto approve = sync({"approve", "sync_1", "run_9", "--hub", "http://other:1"});
  EXPECT_EQ(approve.action, "approve");
  EXPECT_EQ(approve.run_id, "run_9");
  EXPECT_EQ(approve.hub.url, "http://other:1");
  EXPECT_EQ(sync({"history", "sync_1"}).limit, 20);
  EXPECT_EQ(sync({"history", "sync_1", "--limit", "5"}).limit, 5);

  EXPECT_FALSE(parse({"sync"}).command);
  EXPECT_FALSE(parse({"sync", "create"}).command) << "--file is required";
  EXPECT_FALSE(parse({"sync", "create", "--file", file + ".missing"}).command);
  EXPECT_FALSE(parse({"sync", "show"}).command);
  EXPECT_FALSE(parse({"sync", "approve", "sync_1"}).command) << "the run's id is required";
  EXPECT_FALSE(parse({"sync", "history", "sync_1", "--limit", "0"}).command);
  EXPECT_FALSE(parse({"sync", "rewind", "sync_1"}).command);
  std::remove(file.c_str());
}

}  // namespace
}  // namespace liaison::testing
