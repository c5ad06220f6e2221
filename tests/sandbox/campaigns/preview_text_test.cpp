// The preview's text rendering: tags and whitespace runs become single spaces, the ends are
// trimmed, and inputs of any length within html_content's limit take one linear pass.
#include "sandbox/campaigns/preview_text.h"

#include <gtest/gtest.h>

#include <regex>

#include "support/seeded_random.h"

namespace liaison::sandbox {
namespace {

TEST(PreviewTextTest, TagsAndWhitespaceRunsBecomeOneSpace) {
  EXPECT_EQ(previewText("<html><body><p>Fresh rye today.</p></body></html>"), "Fresh rye today.");
  EXPECT_EQ(previewText("<p>Rye</p>\r\n\t<p>and <b>spelt</b></p>"), "Rye and spelt");
  EXPECT_EQ(previewText("a<br>b"), "a b");
  EXPECT_EQ(previewText("  \n "), "");
  EXPECT_EQ(previewText(""), "");
  EXPECT_EQ(previewText("<<p>>x"), ">x");  // a tag runs from '<' to the next '>'
  EXPECT_EQ(previewText("1 < 2 and 3 > 2"), "1 2");
  EXPECT_EQ(previewText("x <y"), "x <y");              // no '>' after the '<': text
  EXPECT_EQ(previewText("a\xc2\xa0z"), "a\xc2\xa0z");  // only ASCII spaces, tabs and line breaks collapse
}

TEST(PreviewTextTest, LongTagsAndWhitespaceRuns) {
  EXPECT_EQ(previewText("<p title=\"" + std::string(150000, 'x') + "\">Rye</p>"), "Rye");
  EXPECT_EQ(previewText("Rye" + std::string(150000, ' ') + "bread"), "Rye bread");
  EXPECT_EQ(previewText("Rye <" + std::string(150000, '<')), "Rye " + std::string(150001, '<'));
}

// The rendering the preview had when it was two regular expressions, on short inputs where they
// are safe: the scanner gives the same text.
std::string byRegex(const std::string& html) {
  static const std::regex tags("<[^>]*>");
  static const std::regex spaces("[ \t\r\n]+");
  std::string text = std::regex_replace(std::regex_replace(html, tags, " "), spaces, " ");
  if (!text.empty() && text.front() == ' ') text.erase(0, 1);
  if (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

TEST(PreviewTextTest, SameTextAsTheRegularExpressions) {
  liaison::testing::TestRandom seeded;
  const std::string alphabet = "<>/ \t\r\nab=\"";
  for (int n = 0; n < 5000; ++n) {
    std::string html;
    const uint32_t size = seeded.random().uniform(24);
    for (uint32_t i = 0; i < size; ++i) html += alphabet[seeded.random().uniform(alphabet.size())];
    ASSERT_EQ(previewText(html), byRegex(html)) << "html: " << ::testing::PrintToString(html);
  }
}

}  // namespace
}  // namespace liaison::sandbox
