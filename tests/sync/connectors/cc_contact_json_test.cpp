// CC's contact pages read straight into Records (ContactReader), and drained page by page
// (CcClient::drainContacts), against canned CC answers.
#include "sync/connectors/cc_contact_json.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sync/connectors/cc_catalogue.h"
#include "sync/connectors/cc_client.h"

namespace liaison::sync {
namespace {

// Answers GETs from a table of target → body; anything else is a 404.
class CannedCaller final : public CcCaller {
 public:
  std::map<std::string, CcAnswer> answers;
  std::vector<std::string> asked;

  Result<CcAnswer> call(const CcCall& call) override {
    asked.push_back(call.target);
    auto it = answers.find(call.target);
    if (it == answers.end()) return CcAnswer{404, R"({"error_key":"not_found"})"};
    return it->second;
  }
};

class ContactReaderTest : public ::testing::Test {
 protected:
  ContactReaderTest()
      : client_(
            caller_, [](std::chrono::milliseconds) {}, Polling{}) {
    caller_.answers["/v3/contact_lists?limit=500"] = {
        200, R"({"lists": [{"list_id": "L1", "name": "Customers"}, {"list_id": "L2", "name": "VIP"}]})"};
    caller_.answers["/v3/contact_tags?limit=500"] = {200, R"({"tags": [{"tag_id": "T1", "name": "Lead"}]})"};
    caller_.answers["/v3/contact_custom_fields?limit=100"] = {
        200, R"({"custom_fields": [{"custom_field_id": "C1", "name": "shoe_size", "type": "string"}]})"};
    EXPECT_TRUE(catalogue_.load(client_).ok());
  }

  CannedCaller caller_;
  CcClient client_;
  CcCatalogue catalogue_;
};

constexpr const char* kWholeContact = R"({
  "contact_id": "c-1",
  "email_address": {"address": "Ada@Example.com", "permission_to_send": "unsubscribed",
                    "updated_at": "2026-03-01T10:00:00Z", "opt_out_date": "2026-03-02T10:00:00Z"},
  "first_name": "Ada", "last_name": "Lovelace", "job_title": "Analyst", "company_name": "Engines",
  "updated_at": "2026-01-01T00:00:00Z",
  "birthday_month": 12, "birthday_day": 10, "anniversary": "11/27/1833",
  "phone_numbers": [{"kind": "mobile", "phone_number": "+44 1"}, {"kind": "mobile", "phone_number": "+44 2"},
                    {"kind": "satellite", "phone_number": "+44 3"}],
  "street_addresses": [{"kind": "home", "street": "12 St James's Square", "city": "London", "country": "UK"},
                       {"kind": "moon", "city": "Tranquility"}],
  "custom_fields": [{"custom_field_id": "C1", "value": "38"}, {"custom_field_id": "C9", "value": 7},
                    {"custom_field_id": "C1x", "value": null}],
  "list_memberships": ["L1", "L2"],
  "taggings": ["T1"],
  "deleted_at": "2026-04-01"
})";

TEST_F(ContactReaderTest, AContactReadsAsARecordWithEveryPartTheSyncMaps) {
  ContactReader reader;
  bool unknown = false;
  Record r = reader.contact(kWholeContact, catalogue_, unknown);
  EXPECT_EQ(r.id, "c-1");
  EXPECT_EQ(r.field("email"), "Ada@Example.com");
  EXPECT_TRUE(r.unsubscribed);
  // The latest of the contact's and its address's times: CC leaves updated_at alone on an opt-out.
  EXPECT_EQ(r.changed_at_ms, 1772445600000);
  EXPECT_EQ(r.field("first_name"), "Ada");
  EXPECT_EQ(r.field("last_name"), "Lovelace");
  EXPECT_EQ(r.field("job_title"), "Analyst");
  EXPECT_EQ(r.field("company_name"), "Engines");
  EXPECT_EQ(r.field("birthday"), "--12-10");
  EXPECT_EQ(r.field("anniversary"), "1833-11-27");
  EXPECT_EQ(r.field("phone:mobile"), "+44 1") << "the first number of a kind is the sync's";
  EXPECT_EQ(r.text.count("phone:satellite"), 0u);
  EXPECT_EQ(r.field("address:home.street"), "12 St James's Square");
  EXPECT_EQ(r.field("address:home.city"), "London");
  EXPECT_EQ(r.field("address:home.country"), "UK");
  EXPECT_EQ(r.text.count("address:moon.city"), 0u);
  EXPECT_EQ(r.field("cf:shoe_size"), "38");
  EXPECT_EQ(r.field("cf:C9"), "7") << "an unknown field keeps its id, a number its JSON text";
  EXPECT_TRUE(unknown);
  EXPECT_EQ(r.sets.at("lists"), (Items{"Customers", "VIP"}));
  EXPECT_EQ(r.sets.at("tags"), (Items{"Lead"}));
  EXPECT_TRUE(r.deleted);
}

TEST_F(ContactReaderTest, MembersOfAnotherTypeOrOutOfRangeReadAsEmpty) {
  ContactReader reader;
  bool unknown = false;
  Record r = reader.contact(R"({"contact_id": "c-2", "first_name": 5, "email_address": "x@example.com",
    "birthday_month": 13, "birthday_day": 1, "phone_numbers": {"kind": "home"}, "list_memberships": "L1",
    "deleted_at": null, "updated_at": "yesterday"})",
                            catalogue_, unknown);
  EXPECT_EQ(r.id, "c-2");
  EXPECT_TRUE(r.text.empty());
  EXPECT_TRUE(r.sets.at("lists").empty());
  EXPECT_FALSE(r.deleted);
  EXPECT_FALSE(r.unsubscribed);
  EXPECT_EQ(r.changed_at_ms, 0);
  EXPECT_FALSE(unknown);
  EXPECT_TRUE(reader.contact("[1, 2]", catalogue_, unknown).id.empty());
  EXPECT_TRUE(reader.contact("{\"contact_id\": ", catalogue_, unknown).id.empty());
}

TEST_F(ContactReaderTest, PagesAreDrainedUntilCcGivesNoNextLink) {
  caller_.answers["/v3/contacts?limit=2"] = {
      200, R"({"contacts": [{"contact_id": "a", "list_memberships": ["L1"]}, {"contact_id": "b"}],
               "_links": {"next": {"href": "/v3/contacts?cursor=2"}}})"};
  caller_.answers["/v3/contacts?cursor=2"] = {
      200, R"({"contacts": [{"contact_id": "c", "list_memberships": ["L7"]}], "_links": {}})"};
  std::vector<std::string> ids;
  std::vector<bool> unknown;
  auto drained = client_.drainContacts("/v3/contacts?limit=2", catalogue_, [&](Record& r, bool u) {
    ids.push_back(r.id);
    unknown.push_back(u);
  });
  ASSERT_TRUE(drained.ok()) << drained.error().message;
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(unknown, (std::vector<bool>{false, false, true})) << "L7 is not in the catalogue";
  // A page that names itself as the next one ends the drain instead of looping.
  caller_.answers["/v3/contacts?loop"] = {
      200, R"({"contacts": [], "_links": {"next": {"href": "/v3/contacts?loop"}}})"};
  caller_.asked.clear();
  ASSERT_TRUE(client_.drainContacts("/v3/contacts?loop", catalogue_, [](Record&, bool) {}).ok());
  EXPECT_EQ(caller_.asked.size(), 1u);
}

TEST_F(ContactReaderTest, AnAnswerThatIsNoContactPageIsAnError) {
  caller_.answers["/v3/contacts?bad"] = {200, "<html>maintenance</html>"};
  auto bad = client_.drainContacts("/v3/contacts?bad", catalogue_, [](Record&, bool) {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "reading contacts: CC's answer is not a JSON object");
  auto refused = client_.drainContacts("/v3/contacts?missing", catalogue_, [](Record&, bool) {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::NotFound);
  // A page without contacts is an empty page.
  caller_.answers["/v3/contacts?none"] = {200, "{}"};
  int seen = 0;
  ASSERT_TRUE(client_.drainContacts("/v3/contacts?none", catalogue_, [&](Record&, bool) { ++seen; }).ok());
  EXPECT_EQ(seen, 0);
}

}  // namespace
}  // namespace liaison::sync
