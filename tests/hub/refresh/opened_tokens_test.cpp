// Opened access tokens: a plaintext is handed out only for the exact ciphertext it was opened
// from (a refresh or a re-seal misses), per connection, and the memo stays within its capacity.
#include "hub/refresh/opened_tokens.h"

#include <gtest/gtest.h>

#include <string>

namespace liaison::hub::testing {
namespace {

TEST(OpenedTokens, APlaintextComesBackOnlyForItsOwnCiphertextAndConnection) {
  OpenedTokens opened;
  EXPECT_FALSE(opened.find("conn_1", "sealed-a"));
  opened.remember("conn_1", "sealed-a", Secret("token-a"));
  auto found = opened.find("conn_1", "sealed-a");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->reveal(), "token-a");
  EXPECT_FALSE(opened.find("conn_1", "sealed-b")) << "a renewed or re-sealed token is opened again";
  EXPECT_FALSE(opened.find("conn_2", "sealed-a")) << "another connection's entry";
  opened.remember("conn_1", "sealed-b", Secret("token-b"));
  EXPECT_EQ(opened.find("conn_1", "sealed-b")->reveal(), "token-b");
  EXPECT_FALSE(opened.find("conn_1", "sealed-a")) << "the old token is gone with its ciphertext";
  EXPECT_EQ(opened.size(), 1u);
}

TEST(OpenedTokens, ItNeverHoldsMoreThanItsCapacity) {
  OpenedTokens opened(3);
  for (int i = 0; i < 10; ++i) {
    const std::string id = "conn_" + std::to_string(i);
    opened.remember(id, "sealed-" + id, Secret("token-" + id));
    EXPECT_LE(opened.size(), 3u);
    EXPECT_EQ(opened.find(id, "sealed-" + id)->reveal(), "token-" + id) << "the newest is kept";
  }
}

}  // namespace
}  // namespace liaison::hub::testing
