// RandomSource helpers (bytes, token, uniform, uuid) over a scripted source, SeededRandom
// determinism against the SplitMix64 reference stream, and the CSPRNG's basic contract.
#include "core/random.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <set>

namespace liaison::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::MatchesRegex;

// Hands out whole 32-bit words (little-endian in memory, as uniform() reads them) or,
// once they run out, a repeated filler byte.
class ScriptedRandom final : public RandomSource {
 public:
  explicit ScriptedRandom(uint8_t filler = 0) : filler_(filler) {}
  void queueWord(uint32_t word) { words_.push_back(word); }
  void fill(uint8_t* out, size_t size) override {
    if (size == sizeof(uint32_t) && !words_.empty()) {
      std::memcpy(out, &words_.front(), sizeof(uint32_t));
      words_.pop_front();
      return;
    }
    std::memset(out, filler_, size);
  }

 private:
  uint8_t filler_;
  std::deque<uint32_t> words_;
};

TEST(SeededRandomTest, MatchesTheSplitMix64ReferenceStream) {
  // Low bytes of the first SplitMix64 outputs for seed 0: 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, ...
  SeededRandom random(0);
  EXPECT_THAT(random.bytes(8), ElementsAre(0xaf, 0xf4, 0x4f, 0xec, 0x9b, 0xea, 0xe1, 0x3c));
}

TEST(SeededRandomTest, SameSeedGivesSameStreamDifferentSeedDiffers) {
  SeededRandom a(42), b(42), c(43);
  const auto first = a.bytes(64);
  EXPECT_EQ(first, b.bytes(64));
  EXPECT_NE(first, c.bytes(64));
  EXPECT_THAT(SeededRandom(42).bytes(4), ElementsAre(0x95, 0x03, 0x52, 0x94));
}

TEST(SeededRandomTest, StreamContinuesAcrossCalls) {
  SeededRandom split(7), whole(7);
  auto head = split.bytes(5);
  auto tail = split.bytes(11);
  head.insert(head.end(), tail.begin(), tail.end());
  EXPECT_EQ(head, whole.bytes(16));
}

TEST(RandomSourceTest, BytesHasRequestedSize) {
  SeededRandom random(1);
  EXPECT_EQ(random.bytes(0).size(), 0u);
  EXPECT_EQ(random.bytes(33).size(), 33u);
}

TEST(RandomSourceTest, TokenIsBase64UrlOfTheBytesWithoutPadding) {
  ScriptedRandom ones(0xff);
  EXPECT_EQ(ones.token(2), "__8");
  EXPECT_EQ(ones.token(3), "____");
  SeededRandom random(5);
  const auto token = random.token(32);
  EXPECT_EQ(token.size(), 43u);
  EXPECT_THAT(token, MatchesRegex("[A-Za-z0-9_-]+"));
}

TEST(RandomSourceTest, UniformOfZeroOrOneIsAlwaysZero) {
  ScriptedRandom random(0xff);
  EXPECT_EQ(random.uniform(0), 0u);
  EXPECT_EQ(random.uniform(1), 0u);
}

TEST(RandomSourceTest, UniformReducesAcceptedWordsModuloBound) {
  ScriptedRandom random;
  random.queueWord(23);
  random.queueWord(0);
  random.queueWord(19);
  EXPECT_EQ(random.uniform(20), 3u);
  EXPECT_EQ(random.uniform(20), 0u);
  EXPECT_EQ(random.uniform(20), 19u);
}

TEST(RandomSourceTest, UniformRejectsTheBiasedTopOfTheRange) {
  // For bound 10 the accepted words are [0, 4294967290); 4294967290..UINT32_MAX are redrawn.
  ScriptedRandom random;
  random.queueWord(UINT32_MAX);
  random.queueWord(4294967290u);
  random.queueWord(4294967289u);
  EXPECT_EQ(random.uniform(10), 9u);
  // For bound 3, UINT32_MAX is the only rejected word.
  random.queueWord(UINT32_MAX);
  random.queueWord(5);
  EXPECT_EQ(random.uniform(3), 2u);
}

TEST(RandomSourceTest, UniformStaysInBoundsAndReachesEveryValue) {
  SeededRandom random(2024);
  std::set<uint32_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const uint32_t v = random.uniform(20);
    ASSERT_LT(v, 20u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 20u);
}

TEST(RandomSourceTest, UuidSetsVersionFourAndRfc4122Variant) {
  ScriptedRandom zeros(0x00);
  EXPECT_EQ(zeros.uuid(), "00000000-0000-4000-8000-000000000000");
  ScriptedRandom ones(0xff);
  EXPECT_EQ(ones.uuid(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
}

TEST(RandomSourceTest, UuidHasCanonicalLowerCaseForm) {
  SeededRandom random(99);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const auto id = random.uuid();
    EXPECT_THAT(id, MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(CryptoRandomTest, FillsRequestedSizeWithDifferentValuesEachTime) {
  CryptoRandom random;
  const auto a = random.bytes(32);
  const auto b = random.bytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_THAT(random.uuid(),
              MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
}

}  // namespace
}  // namespace liaison::testing
