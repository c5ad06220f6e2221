// linkStateText / readLinkState: a link's agreed state as the store keeps it.
#include "sync/runner/link_state.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace liaison::sync {
namespace {

Link read(std::string_view text) {
  Link link{"c1", "row-1"};
  readLinkState(text, link);
  return link;
}

TEST(LinkStateTest, EveryFieldAndFlagComesBackAsItWasStored) {
  Link link{"c1", "row-1"};
  link.agreed = {{"email", "ann@example.com"},
                 {"first_name", "Ann \"Nan\" \\ O'Neil"},
                 {"job_title", "Ingénieure 工程师 \n\t\x01"},
                 {"lists", "A,B"},
                 {"empty", ""}};
  for (int flags = 0; flags < 32; ++flags) {
    link.a_unsubscribed = (flags & 1) != 0;
    link.b_unsubscribed = (flags & 2) != 0;
    link.a_deleted = (flags & 4) != 0;
    link.b_deleted = (flags & 8) != 0;
    link.out_of_scope = (flags & 16) != 0;
    const std::string text = linkStateText(link);
    ASSERT_TRUE(nlohmann::json::accept(text)) << text;
    EXPECT_EQ(read(text), link) << text;
  }
}

TEST(LinkStateTest, OnlyFlagsThatAreSetAreWritten) {
  Link link{"c1", "row-1"};
  link.agreed = {{"email", "ann@example.com"}, {"last_name", "Lee"}};
  EXPECT_EQ(linkStateText(link), R"({"agreed":{"email":"ann@example.com","last_name":"Lee"}})");
  link.b_deleted = true;
  EXPECT_EQ(linkStateText(link),
            R"({"agreed":{"email":"ann@example.com","last_name":"Lee"},"b_deleted":true})");
}

TEST(LinkStateTest, EveryAsciiCharacterInAValueComesBack) {
  for (int ch = 0; ch < 128; ++ch) {
    Link link{"c1", "row-1"};
    link.agreed = {{"first_name", "a" + std::string(1, static_cast<char>(ch)) + "b"}};
    const std::string text = linkStateText(link);
    ASSERT_TRUE(nlohmann::json::accept(text)) << ch;
    EXPECT_EQ(read(text), link) << ch;
  }
}

TEST(LinkStateTest, StatesStoredAsAJsonTreeDumpAreRead) {
  // How the store wrote states before: the object's keys in sorted order, "agreed" among them.
  nlohmann::json old = {{"agreed", {{"email", "ann@example.com"}, {"last_name", "Lee"}}},
                        {"a_unsubscribed", true},
                        {"b_unsubscribed", false},
                        {"a_deleted", false},
                        {"b_deleted", true},
                        {"out_of_scope", false}};
  Link link = read(old.dump());
  EXPECT_EQ(link.a_id, "c1");
  EXPECT_EQ(link.b_id, "row-1");
  EXPECT_EQ(link.agreed, (Fields{{"email", "ann@example.com"}, {"last_name", "Lee"}}));
  EXPECT_TRUE(link.a_unsubscribed);
  EXPECT_TRUE(link.b_deleted);
  EXPECT_FALSE(link.b_unsubscribed || link.a_deleted || link.out_of_scope);
}

TEST(LinkStateTest, ValuesThatAreNotUtf8AreStoredWithAReplacementCharacter) {
  Link link{"c1", "row-1"};
  link.agreed = {{"first_name", std::string("Jos\xe9", 4)}};
  const std::string text = linkStateText(link);
  ASSERT_TRUE(nlohmann::json::accept(text)) << text;
  EXPECT_EQ(read(text).agreed.at("first_name"), "Jos\xEF\xBF\xBD");
}

TEST(LinkStateTest, OnlyStringValuesOfAgreedAndTopLevelFlagsCount) {
  Link link = read(
      R"({"agreed":{"email":"a@example.com","n":5,"nested":{"x":"y","a_deleted":true},"list":["z"],)"
      R"("last_name":"Lee"},"a_deleted":true,"other":{"b_deleted":true},"agreedish":{"email":"no"}})");
  EXPECT_EQ(link.agreed, (Fields{{"email", "a@example.com"}, {"last_name", "Lee"}}));
  EXPECT_TRUE(link.a_deleted);
  EXPECT_FALSE(link.b_deleted);
}

TEST(LinkStateTest, TextThatIsNotAStateObjectLeavesTheStateEmpty) {
  for (std::string_view text : {"", "not json", "[1,2]", "\"text\"", R"({"agreed":{"email":"a@)",
                                R"({"agreed":{"email":"a@example.com"},"a_deleted":true)"}) {
    Link link = read(text);
    EXPECT_EQ(link, (Link{"c1", "row-1"})) << text;
  }
}

}  // namespace
}  // namespace liaison::sync
