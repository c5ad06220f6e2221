// The vault's key-encryption key: its text form, where it is loaded from, and key files that
// are created owner-only and refused when anyone else can read them.
#include "hub/vault/key_encryption_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/encoding.h"
#include "support/seeded_random.h"
#include "support/temp_dir.h"

namespace liaison::hub::testing {
namespace {

using ::liaison::testing::TempDir;
using ::liaison::testing::TestRandom;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

void writeFile(const std::string& path, const std::string& content, mode_t mode) {
  std::ofstream(path, std::ios::binary) << content;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

mode_t modeOf(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 07777;
}

// An error must name the problem without repeating any of the key.
void expectNoKeyText(const Error& error, const std::string& key_text) {
  ASSERT_GT(key_text.size(), 10u);
  const std::string key_part = key_text.substr(kVaultKeyPrefix.size());
  for (const std::string* text : {&error.message, &error.detail}) {
    EXPECT_EQ(text->find(key_text), std::string::npos) << *text;
    EXPECT_EQ(text->find(key_part.substr(0, 8)), std::string::npos) << *text;
  }
}

class KeyEncryptionKeyTest : public ::testing::Test {
 protected:
  std::string newKeyText() {
    return formatKeyEncryptionKey(generateKeyEncryptionKey(random_.random())).reveal();
  }

  TestRandom random_;
  TempDir dir_;
  const std::string key_file_ = dir_.file("vault.key");
};

TEST_F(KeyEncryptionKeyTest, TextFormRoundTrips) {
  const Secret key = generateKeyEncryptionKey(random_.random());
  ASSERT_EQ(key.size(), 32u);
  const Secret text = formatKeyEncryptionKey(key);
  EXPECT_EQ(text.reveal().substr(0, 5), "lvk1.");
  EXPECT_EQ(text.size(), 5u + 43u);
  auto parsed = parseKeyEncryptionKey(text.reveal(), "test");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->reveal(), key.reveal());
  // A key file ends with a newline; pasted values may carry spaces.
  auto padded = parseKeyEncryptionKey("  " + text.reveal() + "\r\n", "test");
  ASSERT_TRUE(padded.ok());
  EXPECT_EQ(padded->reveal(), key.reveal());
}

TEST_F(KeyEncryptionKeyTest, MalformedTextIsRefusedWithoutRepeatingIt) {
  const std::string good = newKeyText();
  const std::string body = good.substr(5);
  const std::string spaced = body.substr(0, 20) + " " + body.substr(20);
  for (const std::string& text : {
           body,                                // no prefix
           "lvk2." + body,                      // unknown format
           "LVK1." + body,                      // prefix is case-sensitive
           "lvk1." + body.substr(0, 42) + "!",  // not base64url
           "lvk1." + body.substr(0, 40),        // 30 bytes
           "lvk1." + body + "AAAA",             // 35 bytes
           "lvk1." + spaced,                    // space inside
       }) {
    auto parsed = parseKeyEncryptionKey(text, "LIAISON_VAULT_KEY");
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().key, "vault.key_malformed");
    EXPECT_NE(parsed.error().message.find("LIAISON_VAULT_KEY"), std::string::npos) << parsed.error().message;
    EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos);
    expectNoKeyText(parsed.error(), text.substr(0, 5) == "lvk1." ? text : "lvk1." + text);
  }
  for (const std::string& text : {std::string(), std::string("lvk1."), std::string(" \n")}) {
    EXPECT_FALSE(parseKeyEncryptionKey(text, "x").ok()) << "'" << text << "'";
  }
}

TEST_F(KeyEncryptionKeyTest, WrittenKeyFileIsOwnerOnlyFromCreationAndLoads) {
  // With no umask to narrow it, the mode seen is the one given at creation.
  const mode_t saved = ::umask(0);
  auto written = writeKeyFile(key_file_, random_.random());
  ::umask(saved);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(modeOf(key_file_), 0600u);
  const std::string content = readFile(key_file_);
  EXPECT_EQ(content.substr(0, 5), "lvk1.");
  EXPECT_EQ(content.back(), '\n');
  auto loaded = loadKeyEncryptionKey(std::nullopt, key_file_);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(formatKeyEncryptionKey(*loaded).reveal() + "\n", content);
}

TEST_F(KeyEncryptionKeyTest, WritingRefusesToOverwriteAnExistingFile) {
  ASSERT_TRUE(writeKeyFile(key_file_, random_.random()).ok());
  const std::string before = readFile(key_file_);
  auto again = writeKeyFile(key_file_, random_.random());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::Conflict);
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos);
  expectNoKeyText(again.error(), before.substr(0, before.size() - 1));
  EXPECT_EQ(readFile(key_file_), before);
}

TEST_F(KeyEncryptionKeyTest, WritingRefusesASymlinkAndLeavesItsTargetAlone) {
  const std::string target = dir_.file("elsewhere.key");
  std::filesystem::create_symlink(target, key_file_);
  EXPECT_FALSE(writeKeyFile(key_file_, random_.random()).ok());
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST_F(KeyEncryptionKeyTest, KeyFileThatGroupOrOthersCanAccessIsRefused) {
  const std::string text = newKeyText();
  for (mode_t mode : {0644, 0640, 0604, 0660, 0602, 0620, 0601, 0610}) {
    writeFile(key_file_, text + "\n", mode);
    auto loaded = loadKeyEncryptionKey(std::nullopt, key_file_);
    ASSERT_FALSE(loaded.ok()) << std::oct << mode;
    EXPECT_EQ(loaded.error().key, "vault.key_permissions");
    EXPECT_NE(loaded.error().message.find("chmod 600 " + key_file_), std::string::npos)
        << loaded.error().message;
    expectNoKeyText(loaded.error(), text);
  }
  for (mode_t mode : {0600, 0400}) {
    writeFile(key_file_, text + "\n", mode);
    EXPECT_TRUE(loadKeyEncryptionKey(std::nullopt, key_file_).ok()) << std::oct << mode;
  }
}

TEST_F(KeyEncryptionKeyTest, TwoSourcesMustHoldTheSameKey) {
  const std::string env_text = newKeyText();
  const std::string file_text = newKeyText();
  writeFile(key_file_, file_text + "\n", 0600);
  auto conflict = loadKeyEncryptionKey(env_text, key_file_);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().key, "vault.key_conflict");
  EXPECT_NE(conflict.error().message.find("LIAISON_VAULT_KEY"), std::string::npos);
  EXPECT_NE(conflict.error().message.find(key_file_), std::string::npos);
  expectNoKeyText(conflict.error(), env_text);
  expectNoKeyText(conflict.error(), file_text);
  // The same key in both places is no conflict.
  writeFile(key_file_, env_text + "\n", 0600);
  auto same = loadKeyEncryptionKey(env_text, key_file_);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(formatKeyEncryptionKey(*same).reveal(), env_text);
  // Without the variable the file is used.
  writeFile(key_file_, file_text + "\n", 0600);
  auto from_file = loadKeyEncryptionKey(std::nullopt, key_file_);
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(formatKeyEncryptionKey(*from_file).reveal(), file_text);
  // The variable needs no key file at all.
  EXPECT_TRUE(loadKeyEncryptionKey(env_text, dir_.file("missing.key")).ok());
}

TEST_F(KeyEncryptionKeyTest, MalformedEnvironmentValueIsRefusedNotSkipped) {
  writeFile(key_file_, newKeyText() + "\n", 0600);
  const std::string bad = newKeyText().substr(0, 30);
  auto loaded = loadKeyEncryptionKey(bad, key_file_);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().key, "vault.key_malformed");
  EXPECT_NE(loaded.error().message.find("LIAISON_VAULT_KEY"), std::string::npos);
  expectNoKeyText(loaded.error(), bad);
  EXPECT_FALSE(loadKeyEncryptionKey(std::string(), key_file_).ok());
}

TEST_F(KeyEncryptionKeyTest, MissingKeySaysHowToMakeOne) {
  auto loaded = loadKeyEncryptionKey(std::nullopt, key_file_);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().key, "vault.key_missing");
  EXPECT_NE(loaded.error().message.find("liaison vault init"), std::string::npos);
  EXPECT_NE(loaded.error().message.find("LIAISON_VAULT_KEY"), std::string::npos);
  EXPECT_NE(loaded.error().message.find(key_file_), std::string::npos);
  EXPECT_EQ(loaded.error().message.find('\n'), std::string::npos);
}

TEST_F(KeyEncryptionKeyTest, MalformedOrOddKeyFilesAreRefused) {
  const std::string text = newKeyText();
  writeFile(key_file_, text.substr(0, 20) + "\n", 0600);
  auto truncated = loadKeyEncryptionKey(std::nullopt, key_file_);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().key, "vault.key_malformed");
  EXPECT_NE(truncated.error().message.find(key_file_), std::string::npos);
  expectNoKeyText(truncated.error(), text);

  writeFile(key_file_, std::string(5000, 'A'), 0600);
  EXPECT_EQ(loadKeyEncryptionKey(std::nullopt, key_file_).error().key, "vault.key_malformed");

  const std::string directory = dir_.file("a-directory");
  std::filesystem::create_directory(directory);
  ::chmod(directory.c_str(), 0700);
  EXPECT_FALSE(loadKeyEncryptionKey(std::nullopt, directory).ok());
}

}  // namespace
}  // namespace liaison::hub::testing
