// Data key rotation and retirement, data keys altered in storage, and sealing from many threads
// while a rotation runs.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "hub/vault/key_encryption_key.h"
#include "hub/vault/vault.h"
#include "support/seeded_random.h"

namespace liaison::hub::testing {
namespace {

using ::liaison::testing::TestRandom;

class VaultRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto vault = Vault::open(repo_, kek_, random_.random());
    ASSERT_TRUE(vault.ok()) << vault.error().message;
    vault_ = std::move(vault).value();
  }
  std::string seal(const std::string& plaintext, std::string_view context) {
    return vault_->seal(Secret(plaintext), context).value();
  }
  std::string opened(const std::string& sealed, std::string_view context) {
    auto result = vault_->open(sealed, context);
    return result.ok() ? result->reveal() : "<" + result.error().key + ">";
  }
  StoredDataKey stored(int version) {
    const auto keys = repo_.load().value();
    for (const auto& key : keys) {
      if (key.version == version) return key;
    }
    return {};
  }

  TestRandom random_;
  MemoryDataKeyRepository repo_;
  const Secret kek_ = generateKeyEncryptionKey(random_.random());
  std::unique_ptr<Vault> vault_;
};

TEST_F(VaultRotationTest, RotationSealsWithTheNewKeyAndOldValuesStillOpen) {
  const std::string old_value = seal("old-token", "connections/1/access_token");
  auto rotated = vault_->rotate();
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(*rotated, 2);
  EXPECT_EQ(vault_->currentVersion(), 2);
  const std::string new_value = seal("new-token", "connections/2/access_token");
  EXPECT_EQ(new_value.substr(0, 3), "v2.");
  EXPECT_EQ(opened(old_value, "connections/1/access_token"), "old-token");
  EXPECT_EQ(opened(new_value, "connections/2/access_token"), "new-token");
  EXPECT_FALSE(vault_->isCurrent(old_value));
  EXPECT_TRUE(vault_->isCurrent(new_value));
  EXPECT_FALSE(vault_->isCurrent("garbage"));
  EXPECT_FALSE(stored(1).current);
  EXPECT_TRUE(stored(2).current);
  // Reopened, the vault knows both keys and which is current.
  auto reopened = Vault::open(repo_, kek_, random_.random());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->currentVersion(), 2);
  EXPECT_EQ((*reopened)->open(old_value, "connections/1/access_token").value().reveal(), "old-token");
}

TEST_F(VaultRotationTest, RetireRefusesWhileValuesUseTheKeyAndForTheCurrentKey) {
  const std::string old_value = seal("old-token", "c/1/f");
  ASSERT_TRUE(vault_->rotate().ok());
  auto in_use = vault_->retire(1, 3);
  ASSERT_FALSE(in_use.ok());
  EXPECT_EQ(in_use.error().code, ErrorCode::Conflict);
  EXPECT_NE(in_use.error().message.find("3 stored value"), std::string::npos) << in_use.error().message;
  auto current = vault_->retire(2, 0);
  ASSERT_FALSE(current.ok());
  EXPECT_EQ(current.error().code, ErrorCode::Conflict);
  EXPECT_NE(current.error().message.find("current"), std::string::npos);
  EXPECT_EQ(vault_->retire(7, 0).error().code, ErrorCode::NotFound);
  // Nothing was retired by the refusals.
  EXPECT_EQ(opened(old_value, "c/1/f"), "old-token");
  EXPECT_FALSE(stored(1).retired);
  EXPECT_FALSE(stored(2).retired);
}

TEST_F(VaultRotationTest, RetiredKeyOpensNothingAndItsVersionIsNeverReused) {
  const std::string old_value = seal("old-token", "c/1/f");
  ASSERT_TRUE(vault_->rotate().ok());
  // Re-seal under the current key, as the hub does before retiring.
  const std::string resealed = seal(opened(old_value, "c/1/f"), "c/1/f");
  ASSERT_TRUE(vault_->retire(1, 0).ok());
  EXPECT_TRUE(vault_->retire(1, 0).ok());  // already retired: nothing to do
  EXPECT_EQ(opened(old_value, "c/1/f"), "<vault.unknown_key>");
  EXPECT_EQ(opened(resealed, "c/1/f"), "old-token");
  EXPECT_TRUE(stored(1).retired);

  auto reopened = Vault::open(repo_, kek_, random_.random());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->open(old_value, "c/1/f").error().key, "vault.unknown_key");
  EXPECT_EQ((*reopened)->rotate().value(), 3);
}

TEST_F(VaultRotationTest, AlteredOrSwappedDataKeysInStorageAreRefused) {
  ASSERT_TRUE(vault_->rotate().ok());
  const auto keys = repo_.load().value();
  const auto key_check = repo_.keyCheck().value().value();
  auto copyWith = [&](auto&& change) {
    auto copy = std::make_unique<MemoryDataKeyRepository>();
    EXPECT_TRUE(copy->setKeyCheck(key_check).ok());
    auto altered = keys;
    change(altered);
    for (const auto& key : altered) EXPECT_TRUE(copy->insert(key).ok());
    return copy;
  };
  // One character of a wrapped key changed.
  auto altered =
      copyWith([](std::vector<StoredDataKey>& k) { k[0].wrapped[10] = k[0].wrapped[10] == 'A' ? 'B' : 'A'; });
  auto refused = Vault::open(*altered, kek_, random_.random());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().key, "vault.data_key_unwrap");
  // Wrapped keys swapped between versions: each is bound to its own version.
  auto swapped = copyWith([](std::vector<StoredDataKey>& k) { std::swap(k[0].wrapped, k[1].wrapped); });
  EXPECT_EQ(Vault::open(*swapped, kek_, random_.random()).error().key, "vault.data_key_unwrap");
  // Unchanged, the copy opens.
  auto same = copyWith([](std::vector<StoredDataKey>&) {});
  EXPECT_TRUE(Vault::open(*same, kek_, random_.random()).ok());
}

TEST_F(VaultRotationTest, DataKeysWithoutAKeyCheckAreRefused) {
  MemoryDataKeyRepository orphaned;
  const auto keys = repo_.load().value();
  for (const auto& key : keys) ASSERT_TRUE(orphaned.insert(key).ok());
  const int writes = orphaned.writes();
  auto refused = Vault::open(orphaned, kek_, random_.random());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().key, "vault.key_check_missing");
  EXPECT_EQ(orphaned.writes(), writes);
}

TEST_F(VaultRotationTest, SealAndOpenFromManyThreadsWhileRotating) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 300;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string context = "connections/" + std::to_string(t) + "/access_token";
      for (int i = 0; i < kRounds; ++i) {
        const std::string plaintext = "token-" + std::to_string(t) + "-" + std::to_string(i);
        auto sealed = vault_->seal(Secret(plaintext), context);
        if (!sealed.ok()) {
          ++failures;
          continue;
        }
        auto back = vault_->open(*sealed, context);
        if (!back.ok() || back->reveal() != plaintext) ++failures;
      }
    });
  }
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(vault_->rotate().ok());  // not ASSERT: the threads must be joined
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(vault_->currentVersion(), 21);
}

}  // namespace
}  // namespace liaison::hub::testing
