#include "cc/request_schema.h"

#include <gtest/gtest.h>

#include "cc/operations.h"

namespace liaison::cc {
namespace {

using nlohmann::json;

Status checkContact(const json& body) {
  const json* schema = requestSchema("createContact");
  EXPECT_NE(schema, nullptr);
  return checkAgainstSchema(body, *schema, "contacts.api.validation.error");
}

std::string messageOf(const json& body) {
  auto status = checkContact(body);
  return status ? "" : status.error().message;
}

TEST(RequestSchemaTest, EveryBodyInCcsDocumentIsAnObjectSchemaOfAKnownOperation) {
  size_t with_body = 0;
  for (const auto& operation : operationTable()) {
    const json* schema = requestSchema(operation.id);
    if (!schema) continue;
    ++with_body;
    EXPECT_EQ(schema->value("type", ""), "object") << operation.id;
  }
  EXPECT_GE(with_body, 40u);  // CC's document has ~50 operations with JSON bodies
  EXPECT_EQ(requestSchema("getAccountById"), nullptr);
  EXPECT_EQ(requestSchema("noSuchOperation"), nullptr);
}

TEST(RequestSchemaTest, AValidContactPasses) {
  EXPECT_TRUE(
      checkContact({{"email_address", {{"address", "a@example.com"}, {"permission_to_send", "implicit"}}},
                    {"first_name", "Ann"},
                    {"birthday_month", 3},
                    {"street_addresses", {{{"kind", "home"}, {"city", "Leeds"}}}},
                    {"notes", {{{"content", "line one\nline two"}}}},
                    {"unknown_field", {1, 2}},
                    {"last_name", nullptr}}));
}

TEST(RequestSchemaTest, WrongTypesAreNamedByTheirPath) {
  EXPECT_EQ(messageOf({{"first_name", 5}}), "first_name must be a string.");
  EXPECT_EQ(messageOf({{"email_address", "a@example.com"}}), "email_address must be an object.");
  EXPECT_EQ(messageOf({{"email_address", {{"address", true}}}}), "email_address.address must be a string.");
  EXPECT_EQ(messageOf({{"street_addresses", {{{"kind", "home"}}, {{"city", {{"x", 1}}}}}}}),
            "street_addresses[1].city must be a string.");
  EXPECT_EQ(messageOf({{"street_addresses", {"home"}}}), "street_addresses[0] must be an object.");
  EXPECT_EQ(messageOf({{"list_memberships", "one"}}), "list_memberships must be an array.");
  EXPECT_EQ(messageOf({{"birthday_month", 1.5}}), "birthday_month must be a whole number.");
  EXPECT_EQ(messageOf({{"birthday_month", "March"}}), "birthday_month must be a whole number.");
  EXPECT_EQ(messageOf({{"birthday_month", true}}), "birthday_month must be a whole number.");
  EXPECT_EQ(messageOf({{"birthday_month", "3"}}), "birthday_month must be a whole number.");
  EXPECT_EQ(messageOf({{"birthday_month", 3.0}}), "");
  EXPECT_EQ(checkContact({{"first_name", 5}}).error().key, "contacts.api.validation.error");
}

TEST(RequestSchemaTest, LengthsItemCountsAndControlCharacters) {
  EXPECT_EQ(messageOf({{"first_name", std::string(51, 'a')}}), "first_name must be at most 50 characters.");
  EXPECT_EQ(messageOf({{"first_name",
                        "a\x01"
                        "b"}}),
            "first_name must not contain control characters.");
  EXPECT_EQ(messageOf({{"first_name", std::string("a\0b", 3)}}),
            "first_name must not contain control characters.");
  EXPECT_EQ(messageOf({{"phone_numbers",
                        json::array({json::object(), json::object(), json::object(), json::object()})}}),
            "phone_numbers allows at most 3 items.");
  // A string the document gives no maxLength is still bounded by CC's longest documented text.
  EXPECT_EQ(messageOf({{"create_source", std::string(kLongestDocumentedText + 1, 'a')}}),
            "create_source must be at most 150000 characters.");
}

}  // namespace
}  // namespace liaison::cc
