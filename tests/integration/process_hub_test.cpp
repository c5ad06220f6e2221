// The hub's verbs as an operator runs them: settings refused with one line naming the setting,
// the vault key refused when missing or wrong (nothing changed on disk), hub API keys created,
// listed without the key, and revoked.
#include <gtest/gtest.h>

#include <filesystem>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "integration/child_process.h"
#include "support/temp_dir.h"

namespace liaison::testing {
namespace {

std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Outcome {
  int exit_code;
  std::string out;
  std::string err;
};

Outcome run(const std::vector<std::string>& args, const std::string& err_file) {
  ChildProcess child(args, err_file);
  std::string out = child.readAll();
  const int status = child.stop();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, fileText(err_file)};
}

TEST(ProcessHub, BadSettingsAreRefusedWithOneLineNamingTheSetting) {
  TempDir dir("liaison-hub-settings");
  const std::string err = dir.file("err");
  auto missing = run({"serve", "--data", dir.file("data")}, err);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("cc.client_id"), std::string::npos) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
  ScopedEnv env({{"LIAISON_CC_CLIENT_ID", "hub-app"},
                 {"LIAISON_CC_CLIENT_SECRET", "s3cret-canary-value"},
                 {"LIAISON_HEALTH_SOCIAL_POLL_MINUTES", "0"}});
  auto bad = run({"serve", "--data", dir.file("data")}, err);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("health.social_poll_minutes"), std::string::npos) << bad.err;
  ::setenv("LIAISON_HEALTH_SOCIAL_POLL_MINUTES", "15", 1);
  auto printed = run({"serve", "--data", dir.file("data"), "--print-config"}, err);
  EXPECT_EQ(printed.exit_code, 0);
  EXPECT_NE(printed.out.find("client_id = \"hub-app\""), std::string::npos) << printed.out;
  EXPECT_EQ(printed.out.find("s3cret-canary-value"), std::string::npos) << "the secret is masked";
}

TEST(ProcessHub, TheVaultKeyIsRequiredAndAWrongOneChangesNothing) {
  TempDir dir("liaison-hub-vault");
  const std::string data = dir.file("data");
  const std::string err = dir.file("err");
  ScopedEnv env({{"LIAISON_CC_CLIENT_ID", "hub-app"}, {"LIAISON_CC_CLIENT_SECRET", "secret"}});
  auto no_key = run({"keys", "create", "--name", "web", "--data", data}, err);
  EXPECT_NE(no_key.exit_code, 0);
  EXPECT_NE(no_key.err.find("vault init"), std::string::npos) << no_key.err;

  ASSERT_EQ(run({"vault", "init", "--data", data}, err).exit_code, 0);
  EXPECT_NE(run({"vault", "init", "--data", data}, err).exit_code, 0)
      << "an existing key is never overwritten";
  auto created = run({"keys", "create", "--name", "web", "--data", data}, err);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string key = created.out.substr(0, created.out.find('\n'));
  EXPECT_TRUE(key.starts_with("lsk_")) << created.out;
  EXPECT_GE(key.size(), 40u);

  auto listed = run({"keys", "list", "--data", data}, err);
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.out.find("web"), std::string::npos);
  EXPECT_EQ(listed.out.find(key), std::string::npos) << "a listing never shows the key";

  // Another key-encryption key: refused before anything is written, both alone and next to
  // the key file it contradicts.
  const std::string db_before = fileText(data + "/hub.db");
  {
    ScopedEnv wrong({{std::string("LIAISON_VAULT_KEY"), std::string("lvk1.") + std::string(43, 'A')}});
    auto conflicting = run({"keys", "list", "--data", data}, err);
    EXPECT_NE(conflicting.exit_code, 0);
    EXPECT_NE(conflicting.err.find("hold different keys"), std::string::npos) << conflicting.err;
    std::filesystem::rename(data + "/vault.key", data + "/vault.key.aside");
    auto refused = run({"keys", "list", "--data", data}, err);
    std::filesystem::rename(data + "/vault.key.aside", data + "/vault.key");
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find("does not match"), std::string::npos) << refused.err;
  }
  EXPECT_EQ(fileText(data + "/hub.db"), db_before);

  EXPECT_EQ(run({"keys", "revoke", "web", "--data", data}, err).exit_code, 0);
  auto after = run({"keys", "list", "--data", data}, err);
  EXPECT_NE(after.out.find("revoked"), std::string::npos) << after.out;
  EXPECT_NE(run({"keys", "revoke", "nobody", "--data", data}, err).exit_code, 0);
}

}  // namespace
}  // namespace liaison::testing
