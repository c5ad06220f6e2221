// /v3/contacts and /v3/contact_lists: CC's validation, conflicts, soft delete and revival,
// unsubscribe semantics, filters and cursor paging under concurrent writes.
#include <set>

#include "sandbox/contacts/contact_rules.h"
#include "sandbox/contacts_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

TEST_F(ContactsTest, CreateReturnsTheContactAndGetFindsIt) {
  auto contact = create("Ada@Example.com", {{"first_name", "Ada"}, {"birthday_month", 12}, {"birthday_day", 10}});
  EXPECT_EQ(contact["email_address"]["permission_to_send"], "implicit");
  EXPECT_EQ(contact["email_address"]["opt_in_source"], "Account");
  EXPECT_EQ(contact["create_source"], "Account");
  auto fetched = call("GET", "/v3/contacts/" + contact["contact_id"].get<std::string>());
  ASSERT_EQ(fetched.status, 200);
  EXPECT_EQ(jsonOf(fetched)["first_name"], "Ada");
  EXPECT_EQ(jsonOf(fetched)["birthday_day"], 10);
}

TEST_F(ContactsTest, ValidationErrorsAreCcArraysAndChangeNothing) {
  const std::vector<json> bad = {
      {{"email_address", {{"address", "a@b.co"}}}},                                    // no create_source
      {{"create_source", "Robot"}, {"first_name", "x"}},                                 // bad enum
      {{"create_source", "Account"}},                                                    // nothing identifying
      {{"create_source", "Account"}, {"email_address", {{"address", "not-an-email"}}}},
      {{"create_source", "Account"}, {"first_name", std::string(51, 'a')}},
      {{"create_source", "Account"}, {"first_name", "x"}, {"birthday_month", 5}},
      {{"create_source", "Account"}, {"first_name", "x"}, {"birthday_month", 13}, {"birthday_day", 1}},
      {{"create_source", "Account"}, {"first_name", "x"}, {"anniversary", "yesterday"}},
      {{"create_source", "Account"}, {"first_name", "x"}, {"phone_numbers", json::array({{{"phone_number", "1"}}, {{"phone_number", "2"}}, {{"phone_number", "3"}}, {{"phone_number", "4"}}})}},
      {{"create_source", "Account"}, {"first_name", "x"}, {"list_memberships", {"nope"}}},
      {{"create_source", "Account"}, {"first_name", "x"}, {"list_memberships", {"5c7e3a4e-0000-4000-8000-000000000000"}}},
      {{"create_source", "Account"}, {"first_name", 42}},
  };
  for (const auto& body : bad) {
    auto response = call("POST", "/v3/contacts", body);
    EXPECT_EQ(response.status, 400) << body.dump();
    auto parsed = jsonOf(response);
    ASSERT_TRUE(parsed.is_array()) << response.body;
    EXPECT_EQ(parsed[0]["error_key"], "contacts.api.validation.error");
  }
  auto malformed = client_.send("POST", "/v3/contacts", "{\"create_source\":", {{"Authorization", "Bearer " + token_},
                                                                               {"Content-Type", "application/json"}});
  EXPECT_EQ(malformed.status, 400);
  auto wrong_type = client_.send("POST", "/v3/contacts", "x=1", {{"Authorization", "Bearer " + token_},
                                                                {"Content-Type", "text/plain"}});
  EXPECT_EQ(wrong_type.status, 415);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts/counts"))["total"], 0);
}

TEST_F(ContactsTest, EmailAddressesFollowCcRule) {
  for (const std::string& address :
       {std::string("<script>@x.com"), std::string("a@-example.com"), std::string("a@example"),
        std::string("a..b@example.com"), std::string(64, 'a') + "@examplebakes.com"}) {  // 81 characters
    auto response = call("POST", "/v3/contacts",
                         {{"email_address", {{"address", address}}}, {"create_source", "Account"}});
    EXPECT_EQ(response.status, 400) << address;
  }
  create(std::string(64, 'a') + "@examplebake.com");  // 80 characters
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts/counts"))["total"], 1);
}

TEST_F(ContactsTest, ControlCharactersAreRefusedInContactFields) {
  using namespace std::string_literals;
  auto kept = create("kept@example.com", {{"first_name", "Kept"}});
  const std::string id = kept["contact_id"];
  const std::vector<json> bad = {
      {{"first_name", "Nul\0byte"s}},
      {{"last_name", "Bell\x07"}},
      {{"company_name", "Line\nbreak"}},
      {{"job_title", "C1 \xc2\x85"}},
      {{"email_address", {{"address", "ctl\x01@example.com"}}}},
      {{"phone_numbers", {{{"phone_number", "555\x7f"}}}}},
      {{"street_addresses", {{{"kind", "home"}, {"city", "Tab\tcity"}}}}},
  };
  for (const auto& fields : bad) {
    json created = {{"create_source", "Account"}, {"email_address", {{"address", "new@example.com"}}}};
    created.update(fields);
    auto response = call("POST", "/v3/contacts", created);
    EXPECT_EQ(response.status, 400) << fields.dump();
    EXPECT_EQ(jsonOf(response)[0]["error_key"], "contacts.api.validation.error");
    json replaced = {{"update_source", "Account"}, {"email_address", {{"address", "kept@example.com"}}}};
    replaced.update(fields);
    EXPECT_EQ(call("PUT", "/v3/contacts/" + id, replaced).status, 400) << fields.dump();
  }
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts/counts"))["total"], 1);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts/" + id))["first_name"], "Kept");
  // A note may run over several lines.
  auto noted = call("PUT", "/v3/contacts/" + id,
                    {{"update_source", "Account"},
                     {"email_address", {{"address", "kept@example.com"}}},
                     {"notes", {{{"content", "First line\r\n\tsecond line"}}}}});
  EXPECT_EQ(noted.status, 200) << noted.body;
}

TEST_F(ContactsTest, AnniversaryFormatsAndUuids) {
  for (const char* date :
       {"11/15/2006", "1/5/2006", "2006/11/15", "2006/1/5", "2006-11-15", "11-15-2006", "0/0/0000"}) {
    auto response = call("POST", "/v3/contacts",
                         {{"create_source", "Account"}, {"first_name", "A"}, {"anniversary", date}});
    EXPECT_EQ(response.status, 201) << date << " " << response.body;
  }
  for (const char* date : {"2006-11/15", "11/15/06", "111/15/2006", "2006/11/150", "2006/11", "11//2006",
                           "/11/15/2006", "2006-11-15-", "2006 11 15", "２006/1/1", "1/1/2006\n"}) {
    EXPECT_EQ(call("POST", "/v3/contacts",
                   {{"create_source", "Account"}, {"first_name", "A"}, {"anniversary", date}})
                  .status,
              400)
        << date;
  }
  EXPECT_TRUE(sandbox::isUuid("5c7e3a4e-0000-4000-8000-00000000abCD"));
  for (const char* id :
       {"5c7e3a4e-0000-4000-8000-00000000abcg", "5c7e3a4e00000-4000-8000-000000000000",
        "5c7e3a4e-0000-4000-8000-0000000000000", "5c7e3a4e-0000-4000-8000-00000000000", ""}) {
    EXPECT_FALSE(sandbox::isUuid(id)) << id;
  }
}

TEST_F(ContactsTest, DuplicateEmailIs409EvenAfterDelete) {
  auto contact = create("dup@example.com");
  auto again = call("POST", "/v3/contacts", {{"email_address", {{"address", "DUP@example.com"}}}, {"create_source", "Account"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(jsonOf(again)[0]["error_key"], "contacts.api.conflict");
  EXPECT_EQ(call("DELETE", "/v3/contacts/" + contact["contact_id"].get<std::string>()).status, 204);
  EXPECT_EQ(call("POST", "/v3/contacts", {{"email_address", {{"address", "dup@example.com"}}}, {"create_source", "Account"}}).status, 409);
}

TEST_F(ContactsTest, SoftDeleteHidesStripsListsAndPutRevives) {
  const auto list = makeList("Regulars");
  auto contact = create("gone@example.com", {{"list_memberships", {list}}});
  const std::string id = contact["contact_id"];
  EXPECT_EQ(call("DELETE", "/v3/contacts/" + id).status, 204);
  EXPECT_EQ(call("DELETE", "/v3/contacts/" + id).status, 404);
  EXPECT_TRUE(jsonOf(call("GET", "/v3/contacts"))["contacts"].empty());
  auto deleted = jsonOf(call("GET", "/v3/contacts?status=deleted&include=list_memberships"));
  ASSERT_EQ(deleted["contacts"].size(), 1u);
  EXPECT_EQ(deleted["contacts"][0]["deleted_at"].get<std::string>().size(), 10u);
  EXPECT_FALSE(deleted["contacts"][0].contains("list_memberships"));
  EXPECT_EQ(jsonOf(call("GET", "/v3/contact_lists/" + list + "?include_membership_count=all"))["membership_count"], 0);
  auto revived = call("PUT", "/v3/contacts/" + id,
                      {{"email_address", {{"address", "gone@example.com"}}}, {"update_source", "Account"},
                       {"list_memberships", {list}}});
  ASSERT_EQ(revived.status, 200) << revived.body;
  EXPECT_FALSE(jsonOf(revived).contains("deleted_at"));
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts"))["contacts"].size(), 1u);
}

TEST_F(ContactsTest, PutNeedsUpdateSourceAndReplacesTopLevelFields) {
  auto contact = create("put@example.com", {{"first_name", "Old"}, {"job_title", "Baker"},
                                            {"phone_numbers", {{{"phone_number", "555-0100"}, {"kind", "work"}}}}});
  const std::string id = contact["contact_id"];
  EXPECT_EQ(call("PUT", "/v3/contacts/" + id, {{"first_name", "New"}}).status, 400);
  auto replaced = jsonOf(call("PUT", "/v3/contacts/" + id, {{"first_name", "New"}, {"update_source", "Contact"}}));
  EXPECT_EQ(replaced["first_name"], "New");
  EXPECT_FALSE(replaced.contains("job_title"));               // top-level fields omitted become absent
  EXPECT_EQ(replaced["phone_numbers"][0]["phone_number"], "555-0100");  // sub-resources omitted are kept
  EXPECT_EQ(replaced["email_address"]["address"], "put@example.com");
  EXPECT_EQ(call("PUT", "/v3/contacts/00000000-0000-4000-8000-000000000000", {{"update_source", "Account"}}).status, 404);
  EXPECT_EQ(call("GET", "/v3/contacts/not-a-uuid").status, 404);
}

TEST_F(ContactsTest, UnsubscribeSetsOptOutButNotUpdatedAt) {
  auto contact = create("bye@example.com");
  const std::string id = contact["contact_id"];
  advance(60);
  auto response = call("PUT", "/v3/contacts/" + id,
                       {{"email_address", {{"address", "bye@example.com"}, {"permission_to_send", "unsubscribed"},
                                           {"opt_out_reason", "Too many emails"}}},
                        {"update_source", "Contact"}});
  ASSERT_EQ(response.status, 200) << response.body;
  auto body = jsonOf(response);
  EXPECT_EQ(body["email_address"]["opt_out_source"], "Contact");
  EXPECT_EQ(body["email_address"]["opt_out_reason"], "Too many emails");
  EXPECT_EQ(body["updated_at"], contact["updated_at"]);
  const std::string marker = formatIso8601(sandbox_->clock().now() - std::chrono::seconds(30));
  EXPECT_TRUE(jsonOf(call("GET", "/v3/contacts?updated_after=" + marker))["contacts"].empty());
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?optout_after=" + marker))["contacts"].size(), 1u);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?status=unsubscribed"))["contacts"].size(), 1u);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts/counts"))["unsubscribed"], 1);
}

TEST_F(ContactsTest, FiltersAndIncludes) {
  const auto list = makeList("VIP");
  create("a@example.com", {{"list_memberships", {list}}});
  create("b@example.com");
  auto in_list = jsonOf(call("GET", "/v3/contacts?lists=" + list + "&include=list_memberships&include_count=true"));
  ASSERT_EQ(in_list["contacts"].size(), 1u);
  EXPECT_EQ(in_list["contacts"][0]["list_memberships"][0], list);
  EXPECT_EQ(in_list["contacts_count"], 1);
  EXPECT_FALSE(jsonOf(call("GET", "/v3/contacts"))["contacts"][0].contains("list_memberships"));
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?email=B%40EXAMPLE.COM"))["contacts"].size(), 1u);
  // The email filter visits only the indexed contact; the other filters and the count still apply.
  auto by_email =
      jsonOf(call("GET", "/v3/contacts?email=a%40example.com&lists=" + list + "&include_count=true"));
  ASSERT_EQ(by_email["contacts"].size(), 1u);
  EXPECT_EQ(by_email["contacts_count"], 1);
  EXPECT_FALSE(by_email.contains("_links"));
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?email=b%40example.com&lists=" + list +
                                   "&include_count=true"))["contacts_count"],
            0);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?email=c%40example.com&include_count=true"))["contacts_count"],
            0);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?email=b%40example.com&status=unsubscribed"))["contacts"].size(),
            0u);
  for (const std::string bad : {"limit=0", "limit=501", "limit=x", "status=gone", "include=secrets",
                                "updated_after=yesterday", "lists=abc", "cursor=%21%21", "include_count=maybe"}) {
    auto response = call("GET", "/v3/contacts?" + bad);
    EXPECT_EQ(response.status, 400) << bad;
    EXPECT_TRUE(jsonOf(response).is_array()) << bad;
  }
}

TEST_F(ContactsTest, CursorPagingSeesEveryContactOnceWhileOthersAreWritten) {
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) ids.push_back(create(std::string("p").append(std::to_string(i)).append("@example.com"))["contact_id"]);
  std::set<std::string> seen;
  std::string next = "/v3/contacts?limit=10";
  int pages = 0;
  // Bounded: a cursor that led back to itself would otherwise loop forever.
  while (!next.empty() && pages < 10) {
    auto page = jsonOf(call("GET", next));
    for (const auto& c : page["contacts"]) EXPECT_TRUE(seen.insert(c["contact_id"]).second);
    next = page.contains("_links") ? page["_links"]["next"]["href"].get<std::string>() : "";
    if (++pages == 1) {
      EXPECT_EQ(call("DELETE", "/v3/contacts/" + ids[15]).status,
                204);                                               // ahead of the cursor: never returned
      create("late@example.com");                                   // new: shows up on a later page
    }
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 25u);  // 25 - 1 deleted + 1 new
  EXPECT_FALSE(seen.count(ids[15]));
}

TEST_F(ContactsTest, ListsCrudAndConflicts) {
  const auto id = makeList("Newsletter");
  EXPECT_EQ(call("POST", "/v3/contact_lists", {{"name", "Newsletter"}}).status, 409);
  EXPECT_EQ(call("POST", "/v3/contact_lists", {{"name", ""}}).status, 400);
  auto updated = call("PUT", "/v3/contact_lists/" + id, {{"name", "Weekly"}, {"favorite", true}});
  ASSERT_EQ(updated.status, 200);
  EXPECT_EQ(jsonOf(updated)["favorite"], true);
  auto all = jsonOf(call("GET", "/v3/contact_lists?include_count=true"));
  EXPECT_EQ(all["lists_count"], 1);
  auto member = create("member@example.com", {{"list_memberships", {id}}});
  auto removed = call("DELETE", "/v3/contact_lists/" + id);
  EXPECT_EQ(removed.status, 202);
  EXPECT_TRUE(removed.headers.get("Location"));
  EXPECT_EQ(jsonOf(removed)["state"], "completed");
  // The activity the DELETE names is one a client can poll, as after any other activity.
  auto polled = call("GET", jsonOf(removed)["_links"]["self"]["href"].get<std::string>());
  ASSERT_EQ(polled.status, 200) << polled.body;
  EXPECT_EQ(jsonOf(polled)["state"], "completed");
  EXPECT_EQ(jsonOf(polled)["activity_id"], jsonOf(removed)["activity_id"]);
  EXPECT_EQ(call("GET", "/v3/contact_lists/" + id).status, 404);
  EXPECT_TRUE(jsonOf(call("GET", "/v3/contact_lists"))["lists"].empty());
  auto after = jsonOf(
      call("GET", "/v3/contacts/" + member["contact_id"].get<std::string>() + "?include=list_memberships"));
  EXPECT_TRUE(!after.contains("list_memberships") || after["list_memberships"].empty()) << after.dump();
}

TEST_F(ContactsTest, CampaignCreatorCannotReadContacts) {
  const std::string creator = jsonOf(redeemConfidential(confidentialCode("contact_data", "creator@sandbox.test")))["access_token"];
  EXPECT_EQ(client_.get("/v3/contacts", creator).status, 403);
  EXPECT_EQ(client_.get("/v3/contacts").status, 401);
}

}  // namespace
}  // namespace liaison::testing
