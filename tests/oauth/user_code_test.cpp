// Device-flow user codes (RFC 8628 §6.1): generation and normalisation of typed input.
#include "oauth/user_code.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <set>

namespace liaison::oauth::testing {
namespace {

using ::testing::MatchesRegex;

// Returns 0, 1, 2, ... as successive 32-bit words, so uniform(20) yields the same sequence.
class CountingRandom final : public RandomSource {
 public:
  void fill(uint8_t* out, size_t size) override {
    ASSERT_EQ(size, sizeof(uint32_t));
    std::memcpy(out, &next_, sizeof next_);
    ++next_;
  }

 private:
  uint32_t next_ = 0;
};

TEST(UserCodeTest, AlphabetIsTwentyConsonantsWithoutVowelsOrY) {
  EXPECT_EQ(kUserCodeAlphabet, "BCDFGHJKLMNPQRSTVWXZ");
  EXPECT_EQ(kUserCodeAlphabet.size(), 20u);
  EXPECT_EQ(kUserCodeAlphabet.find_first_of("AEIOUY"), std::string_view::npos);
}

TEST(UserCodeTest, GeneratesFourLettersDashFourLettersFromTheAlphabet) {
  CountingRandom counting;
  EXPECT_EQ(generateUserCode(counting), "BCDF-GHJK");
  EXPECT_EQ(generateUserCode(counting), "LMNP-QRST");
  EXPECT_EQ(generateUserCode(counting), "VWXZ-BCDF");  // indices 16..23 wrap modulo 20
}

TEST(UserCodeTest, RandomCodesAlwaysHaveTheDisplayFormAndVary) {
  SeededRandom random(17);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string code = generateUserCode(random);
    EXPECT_THAT(code, MatchesRegex("[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}"));
    EXPECT_EQ(normalizeUserCode(code), code);
    seen.insert(code);
  }
  EXPECT_GT(seen.size(), 195u);
}

TEST(NormalizeUserCodeTest, AcceptsCanonicalForm) { EXPECT_EQ(normalizeUserCode("BCDF-GHJK"), "BCDF-GHJK"); }

TEST(NormalizeUserCodeTest, UpperCasesAndRestoresTheDash) {
  EXPECT_EQ(normalizeUserCode("bcdf-ghjk"), "BCDF-GHJK");
  EXPECT_EQ(normalizeUserCode("BCDFGHJK"), "BCDF-GHJK");
  EXPECT_EQ(normalizeUserCode("bCdFgHjK"), "BCDF-GHJK");
}

TEST(NormalizeUserCodeTest, IgnoresSpacesAndExtraDashes) {
  EXPECT_EQ(normalizeUserCode("bcdf ghjk"), "BCDF-GHJK");
  EXPECT_EQ(normalizeUserCode("  B C D F - G H J K "), "BCDF-GHJK");
  EXPECT_EQ(normalizeUserCode("BC-DF-GH-JK"), "BCDF-GHJK");
}

TEST(NormalizeUserCodeTest, RejectsVowelsAndLettersOutsideTheAlphabet) {
  for (const char* bad :
       {"BCDA-GHJK", "BCDE-GHJK", "BCDF-GHJI", "OCDF-GHJK", "BCDU-GHJK", "YCDF-GHJK", "bcda-ghjk"}) {
    EXPECT_EQ(normalizeUserCode(bad), std::nullopt) << bad;
  }
}

TEST(NormalizeUserCodeTest, RejectsWrongLength) {
  for (const char* bad : {"", "-", "BCDF-GHJ", "BCDFGHJ", "BCDF-GHJKL", "BCDFGHJKLM", "BCDFBCDFBCDF"}) {
    EXPECT_EQ(normalizeUserCode(bad), std::nullopt) << bad;
  }
}

TEST(NormalizeUserCodeTest, RejectsDigitsPunctuationAndOtherWhitespace) {
  for (const char* bad :
       {"BCD1-GHJK", "BCDF_GHJK", "BCDF.GHJK", "BCDF\tGHJK", "BCDF-GHJK\n", "BCDF-GH\xc3\x9fK"}) {
    EXPECT_EQ(normalizeUserCode(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace liaison::oauth::testing
