// base64 / base64url, percent-encoding, HTML escaping, UTF-8 validation, Params and string helpers.
#include "core/encoding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace liaison::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::string_literals;

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  EXPECT_EQ(base64Decode("Zg=="), "f");
  EXPECT_EQ(base64Decode("Zm8="), "fo");
  EXPECT_EQ(base64Decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64Decode(""), "");
}

TEST(Base64Test, RejectsMissingPaddingBadCharactersAndNonCanonicalBits) {
  EXPECT_EQ(base64Decode("Zg"), std::nullopt);        // padding required
  EXPECT_EQ(base64Decode("Zm9v!mFy"), std::nullopt);  // '!' not in alphabet
  EXPECT_EQ(base64Decode("-_8="), std::nullopt);      // url alphabet is not standard
  EXPECT_EQ(base64Decode("Zh=="), std::nullopt);      // stray low bits
  EXPECT_EQ(base64Decode("===="), std::nullopt);
}

TEST(Base64UrlTest, UsesUrlAlphabetWithoutPadding) {
  EXPECT_EQ(base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64UrlEncode("f"), "Zg");
  EXPECT_EQ(base64UrlDecode("-_8"), "\xfb\xff");
}

TEST(Base64UrlTest, RoundTripsEveryByteValueAndEveryLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t len = 0; len <= all.size(); len += 1) {
    const std::string data = all.substr(0, len);
    auto url = base64UrlDecode(base64UrlEncode(data));
    ASSERT_TRUE(url.has_value()) << len;
    EXPECT_EQ(*url, data) << len;
    auto std64 = base64Decode(base64Encode(data));
    ASSERT_TRUE(std64.has_value()) << len;
    EXPECT_EQ(*std64, data) << len;
  }
}

TEST(Base64UrlTest, RejectsPaddingStandardAlphabetImpossibleLengthAndStrayBits) {
  EXPECT_EQ(base64UrlDecode("Zg=="), std::nullopt);
  EXPECT_EQ(base64UrlDecode("+/8"), std::nullopt);
  EXPECT_EQ(base64UrlDecode("Z"), std::nullopt);      // 6 bits cannot hold a byte
  EXPECT_EQ(base64UrlDecode("Zm9vY"), std::nullopt);  // length % 4 == 1
  EXPECT_EQ(base64UrlDecode("Zh"), std::nullopt);     // non-canonical
  EXPECT_EQ(base64UrlDecode("Zm9v Zg"), std::nullopt);
}

TEST(PercentEncodeTest, KeepsUnreservedAndEncodesEverythingElseUpperHex) {
  EXPECT_EQ(percentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percentEncode("a b&c=d/\xc3\xa9+"), "a%20b%26c%3Dd%2F%C3%A9%2B");
  EXPECT_EQ(percentEncode("\0"s), "%00");
}

TEST(PercentDecodeTest, DecodesEscapesInEitherCase) {
  EXPECT_EQ(percentDecode("%41%4a%4A"), "AJJ");
  EXPECT_EQ(percentDecode("a%20b%26c"), "a b&c");
  EXPECT_EQ(percentDecode("%00"), "\0"s);
  EXPECT_EQ(percentDecode(""), "");
}

TEST(PercentDecodeTest, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(percentDecode("a+b"), "a b");
  EXPECT_EQ(percentDecode("a+b", true), "a b");
  EXPECT_EQ(percentDecode("a+b", false), "a+b");
  EXPECT_EQ(percentDecode("%2B", true), "+");
}

TEST(PercentDecodeTest, FailsOnMalformedEscapes) {
  EXPECT_EQ(percentDecode("%"), std::nullopt);
  EXPECT_EQ(percentDecode("%4"), std::nullopt);
  EXPECT_EQ(percentDecode("abc%2"), std::nullopt);
  EXPECT_EQ(percentDecode("%zz"), std::nullopt);
  EXPECT_EQ(percentDecode("%g1"), std::nullopt);
  EXPECT_EQ(percentDecode("%1g"), std::nullopt);
  EXPECT_EQ(percentDecode("ok%%41"), std::nullopt);
}

TEST(PercentEncodeTest, RoundTripsThroughDecode) {
  const std::string text = "redirect_uri=https://app.example/cb?x=1&y=a b+c#frag \xe2\x82\xac";
  EXPECT_EQ(percentDecode(percentEncode(text)), text);
}

TEST(HtmlEscapeTest, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(htmlEscape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(htmlEscape("plain text"), "plain text");
}

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("ascii only"));
  EXPECT_TRUE(isValidUtf8("caf\xc3\xa9"));       // U+00E9
  EXPECT_TRUE(isValidUtf8("\xe2\x82\xac"));      // U+20AC
  EXPECT_TRUE(isValidUtf8("\xf0\x9f\x98\x80"));  // U+1F600
  EXPECT_TRUE(isValidUtf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF, the last code point
  EXPECT_TRUE(isValidUtf8("\xed\x9f\xbf"));      // U+D7FF, just below surrogates
}

TEST(ControlCharacterTest, FindsC0DelAndC1) {
  EXPECT_FALSE(hasControlCharacter(""));
  EXPECT_FALSE(hasControlCharacter("Caf\xc3\xa9 \xc2\xa0 \xe2\x80\xa8 ~"));  // U+00A0, U+2028: not controls
  for (const std::string& text :
       {"\0"s, "a\x01"s, "\x1f"s, "line\nbreak"s, "\t"s, "\x7f"s, "\xc2\x80"s, "x\xc2\x9fy"s}) {
    EXPECT_TRUE(hasControlCharacter(text)) << text;
  }
  EXPECT_FALSE(hasControlCharacter("two\r\nlines\tand a tab", "\t\n\r"));
  EXPECT_TRUE(hasControlCharacter("two\r\nlines\x0b", "\t\n\r"));
  EXPECT_TRUE(hasControlCharacter("\xc2\x85", "\t\n\r"));
  EXPECT_TRUE(hasControlCharacter("\0"s, "\t\n\r"));
}

TEST(ControlCharacterTest, ReplacedByTheReplacementCharacter) {
  const std::string r = "\xef\xbf\xbd";
  EXPECT_EQ(replaceControlCharacters("plain \xc3\xa9"), "plain \xc3\xa9");
  EXPECT_EQ(replaceControlCharacters("a\0b\x01"
                                     "c\r\nd\x7f"
                                     "e\xc2\x85"
                                     "f"s),
            "a" + r + "b" + r + "c" + r + r + "d" + r + "e" + r + "f");
  EXPECT_EQ(replaceControlCharacters("\xc2"), "\xc2");  // a lone lead byte is left as it is
}

TEST(Utf8Test, RejectsBadSequences) {
  for (const std::string& bad : {
           "\x80"s,                  // lone continuation byte
           "abc\xc3"s,               // truncated 2-byte sequence at end
           "\xe2\x82"s,              // truncated 3-byte sequence
           "\xf0\x9f\x98"s,          // truncated 4-byte sequence
           "\xc3\x28"s,              // second byte is not a continuation
           "\xc0\xaf"s,              // overlong '/'
           "\xc1\xbf"s,              // overlong
           "\xe0\x80\xaf"s,          // overlong 3-byte
           "\xf0\x80\x80\xaf"s,      // overlong 4-byte
           "\xed\xa0\x80"s,          // U+D800 surrogate
           "\xed\xbf\xbf"s,          // U+DFFF surrogate
           "\xf4\x90\x80\x80"s,      // U+110000, past the end of Unicode
           "\xf8\x88\x80\x80\x80"s,  // 5-byte form
           "\xff"s,
           "\xfe"s,
       }) {
    EXPECT_FALSE(isValidUtf8(bad)) << ::testing::PrintToString(bad);
  }
}

TEST(ParamsTest, ParsesPairsInOrderDecodingPlusAndEscapes) {
  auto params = Params::parse("a=1&b=2+3&c=%26&d&e=");
  ASSERT_TRUE(params.has_value());
  EXPECT_THAT(params->pairs(),
              ElementsAre(Params::Pair{"a", "1"}, Params::Pair{"b", "2 3"}, Params::Pair{"c", "&"},
                          Params::Pair{"d", ""}, Params::Pair{"e", ""}));
}

TEST(ParamsTest, SkipsEmptyPartsAndKeepsEqualsInValues) {
  auto params = Params::parse("&a=1&&b==x=&");
  ASSERT_TRUE(params.has_value());
  EXPECT_THAT(params->pairs(), ElementsAre(Params::Pair{"a", "1"}, Params::Pair{"b", "=x="}));
  auto empty = Params::parse("");
  ASSERT_TRUE(empty.has_value());
  EXPECT_THAT(empty->pairs(), IsEmpty());
}

TEST(ParamsTest, ParseFailsOnMalformedEncodingInNameOrValue) {
  EXPECT_EQ(Params::parse("a=%zz"), std::nullopt);
  EXPECT_EQ(Params::parse("%zz=1"), std::nullopt);
  EXPECT_EQ(Params::parse("ok=1&bad=%4"), std::nullopt);
}

TEST(ParamsTest, GetReturnsFirstValueAndGetOrFallsBack) {
  auto params = Params::parse("scope=a&scope=b&x=1");
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ(params->get("scope"), "a");
  EXPECT_EQ(params->get("missing"), std::nullopt);
  EXPECT_EQ(params->getOr("x"), "1");
  EXPECT_EQ(params->getOr("missing"), "");
  EXPECT_EQ(params->getOr("missing", "dflt"), "dflt");
  EXPECT_EQ(params->count("scope"), 2u);
  EXPECT_EQ(params->count("x"), 1u);
  EXPECT_EQ(params->count("missing"), 0u);
  EXPECT_TRUE(params->has("x"));
  EXPECT_FALSE(params->has("X"));  // names are case-sensitive
}

TEST(ParamsTest, FirstRepeatedNamesTheParameterWhoseSecondOccurrenceComesFirst) {
  auto params = Params::parse("a=1&b=2&b=3&a=4");
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ(params->firstRepeated(), "b");
  auto unique = Params::parse("a=1&b=2&c=3");
  ASSERT_TRUE(unique.has_value());
  EXPECT_EQ(unique->firstRepeated(), std::nullopt);
  auto empty_values = Params::parse("state=&state=");
  ASSERT_TRUE(empty_values.has_value());
  EXPECT_EQ(empty_values->firstRepeated(), "state");
}

TEST(ParamsTest, EncodePercentEncodesAndParseRoundTrips) {
  Params params;
  params.add("redirect_uri", "https://x/cb?a=1");
  params.add("scope", "a b");
  params.add("empty", "");
  EXPECT_EQ(params.encode(), "redirect_uri=https%3A%2F%2Fx%2Fcb%3Fa%3D1&scope=a%20b&empty=");
  auto back = Params::parse(params.encode());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->pairs(), params.pairs());
  EXPECT_EQ(Params().encode(), "");
}

TEST(SplitStringTest, SkipsEmptyPiecesByDefault) {
  EXPECT_THAT(splitString("a,b,,c", ','), ElementsAre("a", "b", "c"));
  EXPECT_THAT(splitString(",,a,,", ','), ElementsAre("a"));
  EXPECT_THAT(splitString("", ','), IsEmpty());
  EXPECT_THAT(splitString("abc", ','), ElementsAre("abc"));
}

TEST(SplitStringTest, KeepsEmptyPiecesWhenAsked) {
  EXPECT_THAT(splitString("a,b,,c", ',', false), ElementsAre("a", "b", "", "c"));
  EXPECT_THAT(splitString(",a,", ',', false), ElementsAre("", "a", ""));
  EXPECT_THAT(splitString("", ',', false), ElementsAre(""));
}

TEST(CaseTest, ToLowerAndIequalsAreAsciiCaseInsensitive) {
  EXPECT_EQ(toLower("Content-TYPE 123"), "content-type 123");
  EXPECT_TRUE(iequals("Cookie", "cOOKIE"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Cookie", "Cookies"));
  EXPECT_FALSE(iequals("abc", "abd"));
}

}  // namespace
}  // namespace liaison::testing
