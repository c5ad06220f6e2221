#include "core/json_fields.h"

#include <gtest/gtest.h>

namespace liaison {
namespace {

using nlohmann::json;

const TextRule kName{10};

JsonFields reader(const json& body) { return JsonFields(body, "test.validation", ""); }

TEST(JsonFieldsTest, AStringFieldReadsItsValueAndTreatsAbsentAndNullAlike) {
  const json body = {{"name", "Bakery"}, {"gone", nullptr}};
  EXPECT_EQ(**reader(body).optionalString("name", kName), "Bakery");
  EXPECT_FALSE(reader(body).optionalString("gone", kName)->has_value());
  EXPECT_FALSE(reader(body).optionalString("missing", kName)->has_value());
  EXPECT_FALSE(reader(body).has("gone"));
  const auto required = reader(body).requiredString("missing", kName);
  ASSERT_FALSE(required);
  EXPECT_EQ(required.error().message, "missing is required.");
}

TEST(JsonFieldsTest, EveryWrongTypeIsAnInvalidRequestNamingTheFieldAndTheCallersKey) {
  for (const json& wrong : {json(1), json(true), json::object(), json::array(), json(1.5)}) {
    const json body = {{"name", wrong}};
    const auto value = reader(body).optionalString("name", kName);
    ASSERT_FALSE(value) << wrong.dump();
    EXPECT_EQ(value.error().code, ErrorCode::InvalidRequest);
    EXPECT_EQ(value.error().key, "test.validation");
    EXPECT_EQ(value.error().message.rfind("name must be a string, not ", 0), 0u) << value.error().message;
  }
  EXPECT_FALSE(reader({{"n", "1"}}).optionalInteger("n", 0, 10));
  EXPECT_FALSE(reader({{"b", 1}}).optionalBool("b"));
  EXPECT_FALSE(reader({{"a", "x"}}).optionalArray("a", 5));
  EXPECT_FALSE(reader({{"o", json::array()}}).optionalObject("o"));
  EXPECT_FALSE(reader({{"o", "x"}}).object("o"));
  EXPECT_FALSE(reader({{"s", {"a", 1}}}).optionalStrings("s", 5, kName));
}

TEST(JsonFieldsTest, TextLengthCountsCharactersNotBytes) {
  EXPECT_TRUE(reader({{"name", "ééééééééé\xC3\xA9"}}).optionalString("name", kName));  // 10 chars, 20 bytes
  const auto over = reader({{"name", "aaaaaaaaaab"}}).optionalString("name", kName);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().message, "name must be at most 10 characters.");
  EXPECT_FALSE(reader({{"name", std::string(1'000'000, 'a')}}).optionalString("name", kName));
}

TEST(JsonFieldsTest, ControlCharactersAreRefusedAndLineBreaksOnlyInMultilineText) {
  for (const std::string& bad : {std::string("a\0b", 3), std::string("a\x01"), std::string("a\x7F"),
                                 std::string("a\xC2\x85"), std::string("a\nb"), std::string("a\tb")}) {
    const auto value = reader({{"name", bad}}).optionalString("name", kName);
    ASSERT_FALSE(value) << json(bad).dump();
    EXPECT_EQ(value.error().message, "name must not contain control characters.");
  }
  const TextRule note{100, true};
  EXPECT_TRUE(reader({{"note", "line\r\nnext\tcol"}}).optionalString("note", note));
  EXPECT_FALSE(reader({{"note", std::string("a\0", 2)}}).optionalString("note", note));
  EXPECT_TRUE(
      reader({{"name", "caf\xC3\xA9 \xC2\xA0"}}).optionalString("name", kName));  // é and NBSP are text
}

TEST(JsonFieldsTest, InvalidUtf8AndEmptyTextAreRefusedWhenTheRuleSaysSo) {
  EXPECT_TRUE(reader({{"name", "x"}}).optionalString("name", {10, false, false}));
  EXPECT_FALSE(reader({{"name", ""}}).optionalString("name", {10, false, false}));
  EXPECT_TRUE(reader({{"name", ""}}).optionalString("name", kName));
  EXPECT_EQ(textProblem("\xFF", kName), "must be valid UTF-8.");
}

TEST(JsonFieldsTest, IntegersAreWholeAndInRange) {
  EXPECT_EQ(**reader({{"n", 5}}).optionalInteger("n", 0, 10), 5);
  EXPECT_EQ(**reader({{"n", 5.0}}).optionalInteger("n", 0, 10), 5);
  EXPECT_FALSE(reader({{"n", 5.5}}).optionalInteger("n", 0, 10));
  EXPECT_FALSE(reader({{"n", -1}}).optionalInteger("n", 0, 10));
  EXPECT_FALSE(reader({{"n", 1e300}}).optionalInteger("n", 0, INT64_MAX));
  EXPECT_FALSE(reader({{"n", UINT64_MAX}}).optionalInteger("n", 0, INT64_MAX));
  const auto message = reader({{"n", 11}}).optionalInteger("n", 0, 10).error().message;
  EXPECT_EQ(message, "n must be a whole number from 0 to 10.");
  EXPECT_FALSE(reader({{"p", 1.5}}).optionalNumber("p", 0, 1));
  EXPECT_DOUBLE_EQ(**reader({{"p", 0.25}}).optionalNumber("p", 0, 1), 0.25);
}

TEST(JsonFieldsTest, EnumsListTheAllowedValues) {
  const auto bad = reader({{"kind", "fax"}}).optionalEnum("kind", {"home", "work"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "kind must be one of: home, work.");
  EXPECT_EQ(**reader({{"kind", "work"}}).optionalEnum("kind", {"home", "work"}), "work");
}

TEST(JsonFieldsTest, NestedReadersNameTheWholePath) {
  const json body = {{"street_addresses", {{{"city", 7}}}}, {"email_address", {{"address", true}}}};
  const auto fields = reader(body);
  const auto array = fields.optionalArray("street_addresses", 3);
  ASSERT_TRUE(array && *array);
  const auto first = fields.element(**array, "street_addresses", 0);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->optionalString("city", kName)
                .error()
                .message.rfind("street_addresses[0].city must be a string", 0),
            0u);
  const auto email = fields.object("email_address");
  ASSERT_TRUE(email);
  EXPECT_EQ(email->optionalString("address", kName).error().message.rfind("email_address.address must be", 0),
            0u);
  const json not_objects = {{"items", {1}}};
  EXPECT_FALSE(fields.element(not_objects["items"], "items", 0));
}

TEST(JsonFieldsTest, ArraysAreBoundedAndStringArraysCheckEachItem) {
  EXPECT_FALSE(reader({{"a", {1, 2, 3}}}).optionalArray("a", 2));
  const auto items = reader({{"s", {"x", "y"}}}).optionalStrings("s", 5, kName);
  ASSERT_TRUE(items && *items);
  EXPECT_EQ((*items)->size(), 2u);
  const auto bad = reader({{"s", {"x", "a\x01"}}}).optionalStrings("s", 5, kName);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "s[1] must not contain control characters.");
}

}  // namespace
}  // namespace liaison
