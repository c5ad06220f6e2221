// The token vault: sealing bound to a context, refusal of altered or misplaced values, and a
// key-encryption key that must match the one the data was sealed with.
#include "hub/vault/vault.h"

#include <gtest/gtest.h>

#include <set>

#include "core/encoding.h"
#include "hub/vault/key_encryption_key.h"
#include "support/seeded_random.h"

namespace liaison::hub::testing {
namespace {

using ::liaison::testing::TestRandom;
using namespace std::string_literals;

struct Snapshot {
  std::vector<StoredDataKey> keys;
  std::optional<std::string> key_check;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(DataKeyRepository& repo) { return {repo.load().value(), repo.keyCheck().value()}; }

void expectRefusedValue(const Result<Secret>& opened, const std::string& what) {
  ASSERT_FALSE(opened.ok()) << what;
  EXPECT_EQ(opened.error().code, ErrorCode::Internal) << what;
  EXPECT_TRUE(opened.error().key == "vault.tampered" || opened.error().key == "vault.unknown_key")
      << what << ": " << opened.error().key;
}

class VaultTest : public ::testing::Test {
 protected:
  std::unique_ptr<Vault> openVault(const Secret& kek) {
    auto vault = Vault::open(repo_, kek, random_.random());
    EXPECT_TRUE(vault.ok()) << vault.error().message;
    return vault.ok() ? std::move(vault).value() : nullptr;
  }
  std::string seal(Vault& vault, const std::string& plaintext, std::string_view context) {
    auto sealed = vault.seal(Secret(plaintext), context);
    EXPECT_TRUE(sealed.ok());
    return sealed.ok() ? *sealed : std::string();
  }

  TestRandom random_;
  MemoryDataKeyRepository repo_;
  const Secret kek_ = generateKeyEncryptionKey(random_.random());
};

TEST_F(VaultTest, FreshRepositoryGetsKeyCheckAndDataKeyOne) {
  auto vault = openVault(kek_);
  ASSERT_TRUE(vault);
  EXPECT_EQ(vault->currentVersion(), 1);
  const Snapshot stored = snapshot(repo_);
  ASSERT_EQ(stored.keys.size(), 1u);
  EXPECT_EQ(stored.keys[0].version, 1);
  EXPECT_TRUE(stored.keys[0].current);
  EXPECT_FALSE(stored.keys[0].retired);
  // Wrapped: base64url of nonce + 32-byte key + tag.
  EXPECT_EQ(base64UrlDecode(stored.keys[0].wrapped).value().size(), 12u + 32u + 16u);
  ASSERT_TRUE(stored.key_check.has_value());
  EXPECT_EQ(base64UrlDecode(*stored.key_check).value().size(), 32u);
}

TEST_F(VaultTest, SealedValuesRoundTrip) {
  auto vault = openVault(kek_);
  ASSERT_TRUE(vault);
  for (const std::string& plaintext :
       {"access-token-abc123"s, ""s, "\x00\xff binary \n"s, std::string(5000, 't')}) {
    const std::string sealed = seal(*vault, plaintext, "connections/42/access_token");
    EXPECT_EQ(sealed.substr(0, 3), "v1.");
    if (plaintext.size() > 3) {
      EXPECT_EQ(sealed.find(plaintext), std::string::npos);
    }
    auto opened = vault->open(sealed, "connections/42/access_token");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(opened->reveal(), plaintext);
  }
  EXPECT_NE(seal(*vault, "same", "c"), seal(*vault, "same", "c"));
}

TEST_F(VaultTest, ValueMovedToAnotherRowOrFieldDoesNotOpen) {
  auto vault = openVault(kek_);
  ASSERT_TRUE(vault);
  const std::string access = seal(*vault, "token-a", "connections/42/access_token");
  const std::string refresh = seal(*vault, "token-b", "connections/42/refresh_token");
  expectRefusedValue(vault->open(access, "connections/42/refresh_token"), "access in refresh field");
  expectRefusedValue(vault->open(refresh, "connections/42/access_token"), "refresh in access field");
  expectRefusedValue(vault->open(access, "connections/43/access_token"), "another row");
  expectRefusedValue(vault->open(access, "connections/4/access_token"), "a prefix of the row");
  expectRefusedValue(vault->open(access, ""), "no context");
  EXPECT_EQ(vault->open(access, "connections/42/refresh_token").error().key, "vault.tampered");
}

TEST_F(VaultTest, EveryAlterationOfASealedValueIsRefused) {
  auto vault = openVault(kek_);
  ASSERT_TRUE(vault);
  for (const std::string& plaintext : {"refresh-token-xyz"s, ""s}) {
    const std::string sealed = seal(*vault, plaintext, "connections/7/refresh_token");
    // Every bit of the text form (prefix included).
    for (size_t i = 0; i < sealed.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string altered = sealed;
        altered[i] = static_cast<char>(altered[i] ^ (1 << bit));
        expectRefusedValue(vault->open(altered, "connections/7/refresh_token"),
                           "text byte " + std::to_string(i) + " bit " + std::to_string(bit));
      }
    }
    // Every bit of the binary inside, re-encoded so only the authentication can catch it.
    const std::string raw = base64UrlDecode(sealed.substr(3)).value();
    for (size_t i = 0; i < raw.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string altered = raw;
        altered[i] = static_cast<char>(altered[i] ^ (1 << bit));
        auto opened = vault->open("v1." + base64UrlEncode(altered), "connections/7/refresh_token");
        ASSERT_FALSE(opened.ok());
        EXPECT_EQ(opened.error().key, "vault.tampered");
      }
    }
    expectRefusedValue(vault->open(sealed.substr(0, sealed.size() - 1), "connections/7/refresh_token"),
                       "cut");
    expectRefusedValue(vault->open(sealed + "A", "connections/7/refresh_token"), "extended");
  }
}

TEST_F(VaultTest, MalformedValuesAreErrorsNotCrashes) {
  auto vault = openVault(kek_);
  ASSERT_TRUE(vault);
  const std::string good = seal(*vault, "token", "c");
  for (const std::string& value :
       {""s, "v"s, "v1"s, "v1."s, "v01."s + good.substr(3), "x1."s + good.substr(3), "V1."s + good.substr(3),
        "v1.!!!"s, "v-1.abc"s, "v1234567890."s + good.substr(3), "v99."s + good.substr(3), "v1.."s,
        ".v1."s + good, "v1.\0"s, std::string(100000, 'v'), good.substr(3)}) {
    expectRefusedValue(vault->open(value, "c"), value.substr(0, 40));
  }
  EXPECT_EQ(vault->open("v99." + good.substr(3), "c").error().key, "vault.unknown_key");
}

TEST_F(VaultTest, VersionOfReadsOnlyAStrictPrefix) {
  EXPECT_EQ(Vault::versionOf("v1.abc"), 1);
  EXPECT_EQ(Vault::versionOf("v12."), 12);
  EXPECT_EQ(Vault::versionOf("v999999999.x"), 999999999);
  for (const char* text : {"", "v", "v.", "v1", "v0.", "v01.", "1.", "V1.", "v1x.", "v 1.", "v-1.", "v+1.",
                           "v1234567890.", " v1."}) {
    EXPECT_EQ(Vault::versionOf(text), std::nullopt) << text;
  }
}

TEST_F(VaultTest, WrongKeyIsRefusedAndNothingIsWritten) {
  {
    auto vault = openVault(kek_);
    ASSERT_TRUE(vault);
    ASSERT_TRUE(vault->rotate().ok());
  }
  const Snapshot before = snapshot(repo_);
  const int writes = repo_.writes();
  const Secret other = generateKeyEncryptionKey(random_.random());
  auto refused = Vault::open(repo_, other, random_.random());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().key, "vault.key_mismatch");
  EXPECT_EQ(refused.error().message,
            "LIAISON_VAULT_KEY / key file does not match the key this data was sealed with.");
  for (const Secret* key : {&kek_, &other}) {
    const std::string text = formatKeyEncryptionKey(*key).reveal();
    EXPECT_EQ(refused.error().message.find(text.substr(5, 10)), std::string::npos);
    EXPECT_EQ(refused.error().detail.find(text.substr(5, 10)), std::string::npos);
    EXPECT_EQ(refused.error().message.find(key->reveal()), std::string::npos);
  }
  EXPECT_EQ(snapshot(repo_), before);
  EXPECT_EQ(repo_.writes(), writes);
  // The right key still opens it, and reopening writes nothing either.
  ASSERT_TRUE(openVault(kek_));
  EXPECT_EQ(repo_.writes(), writes);
}

TEST_F(VaultTest, ReopeningWithTheSameKeyOpensEarlierValues) {
  std::string sealed;
  {
    auto vault = openVault(kek_);
    ASSERT_TRUE(vault);
    sealed = seal(*vault, "token", "connections/1/access_token");
  }
  auto reopened = openVault(kek_);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->currentVersion(), 1);
  EXPECT_EQ(reopened->open(sealed, "connections/1/access_token").value().reveal(), "token");
}

TEST_F(VaultTest, KeyOfTheWrongSizeIsRefused) {
  auto refused = Vault::open(repo_, Secret(std::string(16, 'k')), random_.random());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().key, "vault.key_malformed");
  EXPECT_EQ(repo_.writes(), 0);
}

}  // namespace
}  // namespace liaison::hub::testing
