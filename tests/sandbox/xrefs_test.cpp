// V2-to-V3 id cross-references: contacts (V2 id = creation number), lists and email campaigns
// (V2 id = first 10 hex digits of the UUID), sorted ascending, unknown ids left out, bad input 400.
#include "sandbox/xrefs.h"
#include "sandbox/contacts_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

// "1,2,...,n"
std::string numbersUpTo(int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) {
    if (i > 1) out += ',';
    out += std::to_string(i);
  }
  return out;
}

TEST(V2IdTest, FirstTenHexDigitsOfTheUuidAsADecimalNumber) {
  EXPECT_EQ(sandbox::v2IdOfUuid("e4cf53f0-e37f-11e8-9f32-f2801f1b9fd1"), 982730928355u);
  EXPECT_EQ(sandbox::v2IdOfUuid("00000000-01ff-4000-8000-000000000000"), 1u);
  EXPECT_EQ(sandbox::v2IdOfUuid("E4CF53F0-E37F-11E8-9F32-F2801F1B9FD1"), 982730928355u);
}

class XrefsTest : public ContactsTest {
 protected:
  void SetUp() override {
    token_ = jsonOf(redeemConfidential(confidentialCode("contact_data campaign_data")))["access_token"];
  }
};

TEST_F(XrefsTest, ContactSequenceIdsAreCreationNumbersInAscendingOrder) {
  // Find where this account's numbering stands, then create three contacts after it.
  auto before = jsonOf(call("GET", "/v3/contacts/counts"));
  std::vector<std::string> ids;
  for (const char* email : {"x1@example.com", "x2@example.com", "x3@example.com"}) ids.push_back(create(email)["contact_id"]);
  auto response = call("GET", "/v3/contacts/contact_id_xrefs?sequence_ids=" + numbersUpTo(500));
  ASSERT_EQ(response.status, 200) << response.body;
  const json xrefs = jsonOf(response)["xrefs"];
  ASSERT_EQ(xrefs.size(), before["total"].get<size_t>() + 3);
  for (size_t i = 1; i < xrefs.size(); ++i) {
    EXPECT_LT(std::stoull(xrefs[i - 1]["sequence_id"].get<std::string>()), std::stoull(xrefs[i]["sequence_id"].get<std::string>()));
  }
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(xrefs[xrefs.size() - 3 + i]["contact_id"], ids[i]);
  // One id at a time, with leading zeros and repeats, and an unknown id left out.
  const std::string mine = xrefs.back()["sequence_id"];
  auto one = jsonOf(call("GET", "/v3/contacts/contact_id_xrefs?sequence_ids=00" + mine + "," + mine + ",987654321"));
  ASSERT_EQ(one["xrefs"].size(), 1u);
  EXPECT_EQ(one["xrefs"][0], (json{{"sequence_id", mine}, {"contact_id", ids[2]}}));
}

TEST_F(XrefsTest, ListAndCampaignXrefsFollowTheUuidRule) {
  const std::string list = makeList("Migrated");
  const std::string v2 = std::to_string(sandbox::v2IdOfUuid(list));
  auto lists = jsonOf(call("GET", "/v3/contact_lists/list_id_xrefs?sequence_ids=" + v2 + ",1"));
  ASSERT_EQ(lists["xrefs"].size(), 1u) << lists.dump();
  EXPECT_EQ(lists["xrefs"][0], (json{{"sequence_id", v2}, {"list_id", list}}));

  const json activity = {{"format_type", 5}, {"from_name", "Sandbox Bakery"}, {"from_email", "owner@sandbox.test"},
                         {"reply_to_email", "owner@sandbox.test"}, {"subject", "Hi"},
                         {"html_content", "<html><body>Hi[[trackingImage]]</body></html>"}};
  auto created = call("POST", "/v3/emails", {{"name", "Old campaign"}, {"email_campaign_activities", {activity}}});
  ASSERT_EQ(created.status, 200) << created.body;
  const json campaign = jsonOf(created);
  const std::string campaign_v2 = std::to_string(sandbox::v2IdOfUuid(campaign["campaign_id"]));
  auto xrefs = jsonOf(call("GET", "/v3/emails/campaign_id_xrefs?v2_email_campaign_ids=" + campaign_v2));
  ASSERT_EQ(xrefs["xrefs"].size(), 1u) << xrefs.dump();
  EXPECT_EQ(xrefs["xrefs"][0]["v2_email_campaign_id"], campaign_v2);
  EXPECT_EQ(xrefs["xrefs"][0]["campaign_id"], campaign["campaign_id"]);
  EXPECT_EQ(xrefs["xrefs"][0]["campaign_activity_id"], campaign["campaign_activities"][0]["campaign_activity_id"]);
}

TEST_F(XrefsTest, BadIdListsAre400InCcFormat) {
  const std::string too_many = numbersUpTo(501);
  for (const std::string& target : std::vector<std::string>{"/v3/contacts/contact_id_xrefs", "/v3/contacts/contact_id_xrefs?sequence_ids=",
                                   "/v3/contacts/contact_id_xrefs?sequence_ids=1,abc",
                                   "/v3/contacts/contact_id_xrefs?sequence_ids=1,,2",
                                   "/v3/contacts/contact_id_xrefs?sequence_ids=-1",
                                   "/v3/contacts/contact_id_xrefs?sequence_ids=" + too_many,
                                   "/v3/contact_lists/list_id_xrefs?sequence_ids=x",
                                   "/v3/emails/campaign_id_xrefs?v2_email_campaign_ids=99999999999999999999"}) {
    auto response = call("GET", target);
    EXPECT_EQ(response.status, 400) << target;
    const json body = jsonOf(response);
    ASSERT_TRUE(body.is_array()) << response.body;
    EXPECT_TRUE(body[0].contains("error_key"));
  }
  // 50 campaign ids at most.
  EXPECT_EQ(call("GET", "/v3/emails/campaign_id_xrefs?v2_email_campaign_ids=" + numbersUpTo(51)).status, 400);
  EXPECT_EQ(call("GET", "/v3/emails/campaign_id_xrefs?v2_email_campaign_ids=1").status, 200);
}

}  // namespace
}  // namespace liaison::testing
