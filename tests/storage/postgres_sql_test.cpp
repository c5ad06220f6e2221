// `?N` to `$N` for PostgreSQL: placeholders in SQL code are rewritten, text that is not SQL code
// (literals, quoted names, dollar-quoted bodies, comments) is left as it is.
#include "storage/postgres_sql.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace liaison::storage::testing {
namespace {

using ::testing::ElementsAre;

TEST(PostgresSqlTest, RewritesNumberedPlaceholdersAndCountsThem) {
  auto sql = toPostgresPlaceholders("UPDATE t SET a = ?2, b = ?10 WHERE id = ?1 AND c = ?2");
  EXPECT_EQ(sql.text, "UPDATE t SET a = $2, b = $10 WHERE id = $1 AND c = $2");
  EXPECT_EQ(sql.parameterCount, 10);
  EXPECT_TRUE(sql.referenced[1]);
  EXPECT_TRUE(sql.referenced[10]);
  EXPECT_FALSE(sql.referenced[3]);
}

TEST(PostgresSqlTest, LeavesStringLiteralsAlone) {
  EXPECT_EQ(toPostgresPlaceholders("SELECT '?1', ?1, 'it''s ?2', ?2").text,
            "SELECT '?1', $1, 'it''s ?2', $2");
  // In E'…' a backslash escapes the quote; in a plain literal it does not.
  EXPECT_EQ(toPostgresPlaceholders(R"(SELECT E'\' ?1', ?1)").text, R"(SELECT E'\' ?1', $1)");
  EXPECT_EQ(toPostgresPlaceholders(R"(SELECT '\', ?1)").text, R"(SELECT '\', $1)");
  EXPECT_EQ(toPostgresPlaceholders("SELECT 'unterminated ?1").text, "SELECT 'unterminated ?1");
}

TEST(PostgresSqlTest, LeavesQuotedNamesCommentsAndDollarQuotesAlone) {
  EXPECT_EQ(toPostgresPlaceholders("SELECT ?1 AS \"a?1\"\"b\"").text, "SELECT $1 AS \"a?1\"\"b\"");
  EXPECT_EQ(toPostgresPlaceholders("SELECT ?1 -- ?2\n, ?3").text, "SELECT $1 -- ?2\n, $3");
  EXPECT_EQ(toPostgresPlaceholders("SELECT /* a /* ?2 */ ?2 */ ?1").text, "SELECT /* a /* ?2 */ ?2 */ $1");
  EXPECT_EQ(toPostgresPlaceholders("SELECT $$ ?1 $$, $tag$ ?1 $$ $tag$, ?1").text,
            "SELECT $$ ?1 $$, $tag$ ?1 $$ $tag$, $1");
  auto sql = toPostgresPlaceholders("SELECT ?1 -- ?2");
  EXPECT_EQ(sql.parameterCount, 1);
}

TEST(PostgresSqlTest, LeavesOtherQuestionMarksAndDollarsAlone) {
  // jsonb's ? operators, an identifier with a $, and PostgreSQL's own $1 pass through.
  EXPECT_EQ(toPostgresPlaceholders("SELECT doc ? 'k', doc ?| array['a'], a$b, $1").text,
            "SELECT doc ? 'k', doc ?| array['a'], a$b, $1");
  EXPECT_EQ(toPostgresPlaceholders("SELECT 1").parameterCount, 0);
  EXPECT_THAT(toPostgresPlaceholders("SELECT ?2").referenced, ElementsAre(false, false, true));
}

}  // namespace
}  // namespace liaison::storage::testing
