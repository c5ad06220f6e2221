#include "core/csv.h"

#include <gtest/gtest.h>

namespace liaison {
namespace {

TEST(CsvTest, ParsesQuotedFieldsWithCommasQuotesAndLineBreaks) {
  auto rows = parseCsv("email,note\r\n\"a@x.io\",\"says \"\"hi\"\", then, leaves\"\n\nb@x.io,\"two\nlines\"", 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);  // the blank line is skipped
  EXPECT_EQ((*rows)[1][1], "says \"hi\", then, leaves");
  EXPECT_EQ((*rows)[2][1], "two\nlines");
}

TEST(CsvTest, KeepsEmptyFieldsAndTrailingEmptyField) {
  auto rows = parseCsv("a,,c,\n", 10);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0], (CsvRow{"a", "", "c", ""}));
}

TEST(CsvTest, RejectsUnclosedQuotesTextAfterQuotesAndTooManyRows) {
  EXPECT_FALSE(parseCsv("a,\"open\n", 10).ok());
  EXPECT_FALSE(parseCsv("\"closed\"tail,b\n", 10).ok());
  auto limited = parseCsv("1\n2\n3\n", 2);
  ASSERT_FALSE(limited.ok());
  EXPECT_NE(limited.error().message.find("more than 2"), std::string::npos);
  EXPECT_TRUE(parseCsv("1\n2\n", 2).ok());
}

TEST(CsvTest, LinesRoundTripThroughTheParser) {
  const CsvRow fields = {"plain", "with,comma", "with \"quote\"", "multi\r\nline", ""};
  auto rows = parseCsv(csvLine(fields) + csvLine({"x"}), 10);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0], fields);
  EXPECT_EQ(csvLine({"a", "b"}), "a,b\r\n");
}

}  // namespace
}  // namespace liaison
