// The vault's key table in the store (SQLite and PostgreSQL): what it stores, that it survives reopening the
// database, and that neither a token nor a key ever reaches the database file in plaintext.
#include "hub/vault/store_data_keys.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hub/vault/key_encryption_key.h"
#include "hub/vault/vault.h"
#include "support/seeded_random.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace liaison::hub::testing {
namespace {

using ::liaison::testing::TempDir;
using ::liaison::testing::TestRandom;

// Every byte SQLite wrote for the database: the main file and its write-ahead log.
std::string databaseBytes(const TempDir& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    all += content.str();
  }
  return all;
}

class StoreDataKeysTest : public ::testing::Test {
 protected:
  std::unique_ptr<storage::Database> openDatabase() {
    return std::make_unique<storage::Database>(location_, std::span<const storage::Migration>());
  }

  TempDir dir_;
  const std::string location_ = ::liaison::testing::testStoreLocation(dir_.file("hub.sqlite3"));
  TestRandom random_;
  ManualClock clock_{fromUnixSeconds(1'790'000'000)};
  const Secret kek_ = generateKeyEncryptionKey(random_.random());
};

TEST_F(StoreDataKeysTest, StoresKeysFlagsAndKeyCheck) {
  auto db = openDatabase();
  StoreDataKeyRepository repo(*db, clock_);
  EXPECT_TRUE(repo.load().value().empty());
  EXPECT_EQ(repo.keyCheck().value(), std::nullopt);

  ASSERT_TRUE(repo.setKeyCheck("check-value").ok());
  ASSERT_TRUE(repo.insert({1, "wrapped-one", false, false}).ok());
  ASSERT_TRUE(repo.insert({2, "wrapped-two", false, false}).ok());
  ASSERT_TRUE(repo.makeCurrent(1).ok());
  ASSERT_TRUE(repo.makeCurrent(2).ok());
  ASSERT_TRUE(repo.retire(1).ok());
  EXPECT_EQ(repo.keyCheck().value(), "check-value");
  EXPECT_EQ(repo.load().value(),
            (std::vector<StoredDataKey>{{1, "wrapped-one", false, true}, {2, "wrapped-two", true, false}}));

  EXPECT_EQ(repo.insert({2, "again", false, false}).error().code, ErrorCode::Conflict);
  EXPECT_EQ(repo.makeCurrent(1).error().code, ErrorCode::NotFound);  // retired
  EXPECT_EQ(repo.makeCurrent(9).error().code, ErrorCode::NotFound);
  EXPECT_EQ(repo.retire(9).error().code, ErrorCode::NotFound);
  // The refusals changed nothing.
  EXPECT_EQ(repo.load().value(),
            (std::vector<StoredDataKey>{{1, "wrapped-one", false, true}, {2, "wrapped-two", true, false}}));

  storage::Statement created(*db, "SELECT created_at FROM vault_keys WHERE version = 1");
  ASSERT_TRUE(created.step());
  EXPECT_EQ(created.columnText(0), formatIso8601(clock_.now()));
}

TEST_F(StoreDataKeysTest, VaultReopensTheDatabaseWithTheSameKey) {
  std::string first;
  std::string second;
  {
    auto db = openDatabase();
    StoreDataKeyRepository repo(*db, clock_);
    auto vault = Vault::open(repo, kek_, random_.random());
    ASSERT_TRUE(vault.ok()) << vault.error().message;
    first = (*vault)->seal(Secret("first-token"), "connections/1/access_token").value();
    ASSERT_TRUE((*vault)->rotate().ok());
    second = (*vault)->seal(Secret("second-token"), "connections/2/refresh_token").value();
  }
  auto db = openDatabase();
  StoreDataKeyRepository repo(*db, clock_);
  auto vault = Vault::open(repo, kek_, random_.random());
  ASSERT_TRUE(vault.ok()) << vault.error().message;
  EXPECT_EQ((*vault)->currentVersion(), 2);
  EXPECT_EQ((*vault)->open(first, "connections/1/access_token").value().reveal(), "first-token");
  EXPECT_EQ((*vault)->open(second, "connections/2/refresh_token").value().reveal(), "second-token");
  ASSERT_TRUE((*vault)->retire(1, 0).ok());
  EXPECT_EQ((*vault)->open(first, "connections/1/access_token").error().key, "vault.unknown_key");
}

TEST_F(StoreDataKeysTest, WrongKeyIsRefusedAndTheTablesAreUnchanged) {
  auto db = openDatabase();
  StoreDataKeyRepository repo(*db, clock_);
  ASSERT_TRUE(Vault::open(repo, kek_, random_.random()).ok());
  const auto keys = repo.load().value();
  const auto check = repo.keyCheck().value();

  auto refused = Vault::open(repo, generateKeyEncryptionKey(random_.random()), random_.random());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().key, "vault.key_mismatch");
  EXPECT_EQ(repo.load().value(), keys);
  EXPECT_EQ(repo.keyCheck().value(), check);
}

TEST_F(StoreDataKeysTest, NoTokenOrKeyReachesTheDatabaseFileInPlaintext) {
  if (::liaison::testing::testStoreIsPostgres())
    GTEST_SKIP() << "reads SQLite's files; PostgreSQL's belong to its server";
  const std::string token = "plaintext-access-token-0123456789";
  {
    auto db = openDatabase();
    StoreDataKeyRepository repo(*db, clock_);
    auto vault = Vault::open(repo, kek_, random_.random());
    ASSERT_TRUE(vault.ok());
    const std::string sealed = (*vault)->seal(Secret(token), "connections/1/access_token").value();
    db->exec("CREATE TABLE connections (id INTEGER PRIMARY KEY, access_token TEXT)");
    storage::Statement insert(*db, "INSERT INTO connections VALUES (1, ?1)");
    insert.bind(1, sealed).step();
  }
  const std::string bytes = databaseBytes(dir_);
  ASSERT_NE(bytes.find("vault_keys"), std::string::npos);  // the file was read
  EXPECT_EQ(bytes.find(token), std::string::npos);
  EXPECT_EQ(bytes.find(kek_.reveal()), std::string::npos);
  EXPECT_EQ(bytes.find(formatKeyEncryptionKey(kek_).reveal().substr(5)), std::string::npos);
}

TEST_F(StoreDataKeysTest, TablesAreCreatedOnlyWhenMissing) {
  auto db = openDatabase();
  {
    StoreDataKeyRepository repo(*db, clock_);
    ASSERT_TRUE(repo.insert({1, "w", true, false}).ok());
  }
  StoreDataKeyRepository again(*db, clock_);
  EXPECT_EQ(again.load().value().size(), 1u);
}

}  // namespace
}  // namespace liaison::hub::testing
