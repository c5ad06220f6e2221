// StoredContact: the compact in-memory form of a contact must give back exactly the tree it was
// made from, serve the same default view presentContact renders, and index the fields filters read.
#include "sandbox/contacts/stored_contact.h"

#include <gtest/gtest.h>

#include "sandbox/contacts/contact_rules.h"

namespace liaison::sandbox {
namespace {

using nlohmann::json;

json fullContact() {
  return json::parse(R"({
    "contact_id": "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
    "create_source": "Account", "created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-02-03T04:05:06Z",
    "first_name": "Ada", "last_name": "Lovelace \"Byron\"", "birthday_month": 12, "birthday_day": 10,
    "email_address": {"address": "Ada@Example.com", "permission_to_send": "unsubscribed",
                      "opt_out_date": "2026-02-01T00:00:00Z", "opt_out_source": "Contact"},
    "list_memberships": ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"],
    "taggings": ["33333333-3333-4333-8333-333333333333"],
    "custom_fields": [{"custom_field_id": "44444444-4444-4444-8444-444444444444", "value": "ü ✓"}],
    "phone_numbers": [{"phone_number_id": "p1", "phone_number": "+1 555", "kind": "home"}],
    "notes": [{"note_id": "n1", "content": "hello"}],
    "_left_lists": ["55555555-5555-4555-8555-555555555555"],
    "_resubscribe": {"confirmed": false}
  })");
}

TEST(StoredContactTest, GivesBackTheTreeItWasMadeFrom) {
  const json contact = fullContact();
  EXPECT_EQ(StoredContact(contact).tree(), contact);
  const json bare = {{"contact_id", "c1"}, {"first_name", "Only"}};
  EXPECT_EQ(StoredContact(bare).tree(), bare);
}

TEST(StoredContactTest, DefaultViewIsWhatPresentContactRendersWithoutInclude) {
  const json contact = fullContact();
  const StoredContact stored(contact);
  EXPECT_EQ(stored.defaultView(), presentContact(contact, {}).dump());
  const json view = json::parse(stored.defaultView());
  for (const char* hidden : {"list_memberships", "taggings", "custom_fields", "phone_numbers", "notes",
                             "_left_lists", "_resubscribe"}) {
    EXPECT_FALSE(view.contains(hidden)) << hidden;
  }
  EXPECT_EQ(view["last_name"], "Lovelace \"Byron\"");
}

TEST(StoredContactTest, RecordIsTheFullContactWithItsSequenceNumber) {
  const json contact = fullContact();
  const json record = json::parse(StoredContact(contact).record(42));
  EXPECT_EQ(record["seq"], 42);
  EXPECT_EQ(record["contact"], contact);
  // Without sub-resources the record still parses.
  const json bare = {{"contact_id", "c1"}};
  EXPECT_EQ(json::parse(StoredContact(bare).record(7))["contact"], bare);
}

TEST(StoredContactTest, IndexesTheFieldsFiltersRead) {
  const StoredContact stored(fullContact());
  EXPECT_EQ(stored.id(), "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9");
  EXPECT_EQ(stored.permission(), "unsubscribed");
  EXPECT_FALSE(stored.deleted());
  EXPECT_EQ(stored.lists().size(), 2u);
  EXPECT_TRUE(stored.inAnyList({"x", "22222222-2222-4222-8222-222222222222"}));
  EXPECT_FALSE(stored.inAnyList({"55555555-5555-4555-8555-555555555555"}));  // left, not a member
  EXPECT_TRUE(stored.hasAnyTag({"33333333-3333-4333-8333-333333333333"}));
  TimePoint t;
  ASSERT_TRUE(parseIso8601("2026-02-01T00:00:00Z", t));
  EXPECT_EQ(stored.optOutDate(), t);
  ASSERT_TRUE(parseIso8601("2026-01-02T03:04:05Z", t));
  EXPECT_EQ(stored.createdAt(), t);
  EXPECT_TRUE(stored.textContains("44444444-4444-4444-8444-444444444444"));
  EXPECT_FALSE(stored.textContains("66666666-6666-4666-8666-666666666666"));
  EXPECT_EQ(emailKeyOf(fullContact()), "ada@example.com");
}

TEST(StoredContactTest, DeletedAndAddresslessContacts) {
  json contact = {{"contact_id", "c1"}, {"deleted_at", "2026-03-01"}, {"first_name", "Gone"}};
  const StoredContact stored(contact);
  EXPECT_TRUE(stored.deleted());
  EXPECT_EQ(stored.permission(), "not_set");
  EXPECT_EQ(stored.optOutDate(), std::nullopt);
  EXPECT_EQ(stored.updatedAt(), std::nullopt);
  EXPECT_EQ(emailKeyOf(contact), "");
}

TEST(StoredContactTest, ToleratesHandWrittenFixtureValues) {
  // A fixture can hold what no API call would store; the index falls back instead of failing.
  const json odd = {{"contact_id", 5}, {"email_address", {{"permission_to_send", "sometimes"}}},
                    {"created_at", "not a date"}, {"list_memberships", "not an array"}};
  const StoredContact stored(odd);
  EXPECT_EQ(stored.id(), "");
  EXPECT_EQ(stored.permission(), "not_set");
  EXPECT_EQ(stored.createdAt(), std::nullopt);
  EXPECT_TRUE(stored.lists().empty());
  EXPECT_EQ(stored.tree(), odd);
  EXPECT_EQ(StoredContact(json::array()).tree(), json::object());
}

TEST(StoredContactTest, CopiesAndMovesKeepEverything) {
  const StoredContact original(fullContact());
  StoredContact copy = original;
  EXPECT_EQ(copy.tree(), fullContact());
  StoredContact moved = std::move(copy);
  EXPECT_EQ(moved.defaultView(), original.defaultView());
  EXPECT_EQ(moved.lists(), original.lists());
}

}  // namespace
}  // namespace liaison::sandbox
