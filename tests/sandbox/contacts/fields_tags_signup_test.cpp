// Custom fields, tags, the sign-up form (create-or-update with append semantics) and resubscribe.
#include "sandbox/contacts_fixture.h"

namespace liaison::testing {
namespace {

TEST_F(ContactsTest, CustomFieldsCrudLimitAndRemovalFromContacts) {
  auto created = call("POST", "/v3/contact_custom_fields", {{"label", "Favourite bread"}, {"type", "string"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = jsonOf(created)["custom_field_id"];
  EXPECT_EQ(jsonOf(created)["name"], "Favourite_bread");
  EXPECT_EQ(call("POST", "/v3/contact_custom_fields", {{"label", "Favourite bread"}, {"type", "string"}}).status, 409);
  EXPECT_EQ(call("POST", "/v3/contact_custom_fields", {{"label", "x"}, {"type", "blob"}}).status, 400);
  EXPECT_EQ(call("PUT", "/v3/contact_custom_fields/" + id, {{"label", "Bread"}, {"type", "date"}}).status, 400);
  auto renamed = call("PUT", "/v3/contact_custom_fields/" + id, {{"label", "Bread"}});
  ASSERT_EQ(renamed.status, 200);
  auto contact = create("cf@example.com", {{"custom_fields", {{{"custom_field_id", id}, {"value", "Rye"}}}}});
  EXPECT_EQ(call("POST", "/v3/contacts", {{"email_address", {{"address", "cf2@example.com"}}}, {"create_source", "Account"},
                                          {"custom_fields", {{{"custom_field_id", "00000000-0000-4000-8000-000000000001"},
                                                              {"value", "x"}}}}}).status, 400);
  EXPECT_EQ(call("DELETE", "/v3/contact_custom_fields/" + id).status, 204);
  EXPECT_EQ(call("GET", "/v3/contact_custom_fields/" + id).status, 404);
  EXPECT_TRUE(jsonOf(call("GET", "/v3/contact_custom_fields"))["custom_fields"].empty());
  auto after = jsonOf(call("GET", "/v3/contacts/" + contact["contact_id"].get<std::string>() + "?include=custom_fields"));
  EXPECT_TRUE(!after.contains("custom_fields") || after["custom_fields"].empty());
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(call("POST", "/v3/contact_custom_fields", {{"label", "f" + std::to_string(i)}, {"type", "number"}}).status, 201);
  }
  auto over = call("POST", "/v3/contact_custom_fields", {{"label", "one too many"}, {"type", "string"}});
  EXPECT_EQ(over.status, 400);
  auto page = jsonOf(call("GET", "/v3/contact_custom_fields?limit=100"));
  EXPECT_EQ(page["custom_fields"].size(), 100u);
  EXPECT_FALSE(page.contains("_links"));
}

TEST_F(ContactsTest, TagsCountsRenameAndAsyncDelete) {
  auto created = call("POST", "/v3/contact_tags", {{"name", "sourdough"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string tag = jsonOf(created)["tag_id"];
  EXPECT_EQ(call("POST", "/v3/contact_tags", {{"name", "sourdough"}}).status, 409);
  EXPECT_EQ(call("POST", "/v3/contact_tags", {{"name", ""}}).status, 400);
  for (const json& source : {json(5), json::object(), json::array(), json(true),
                             json("a\x01"
                                  "b")}) {
    const auto wrong = call("POST", "/v3/contact_tags", {{"name", "other"}, {"tag_source", source}});
    EXPECT_EQ(wrong.status, 400) << source.dump() << " " << wrong.body;
    EXPECT_EQ(jsonOf(wrong)[0]["error_key"], "tags.api.validation.error");
  }
  create("t1@example.com", {{"taggings", {tag}}});
  create("t2@example.com", {{"taggings", {tag}}});
  EXPECT_EQ(jsonOf(call("GET", "/v3/contact_tags/" + tag + "?include_count=true"))["contacts_count"], 2);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?tags=" + tag))["contacts"].size(), 2u);
  EXPECT_EQ(jsonOf(call("PUT", "/v3/contact_tags/" + tag, {{"name", "rye"}}))["name"], "rye");
  auto removed = call("DELETE", "/v3/contact_tags/" + tag);
  EXPECT_EQ(removed.status, 202);
  EXPECT_EQ(call("GET", "/v3/activities/" + jsonOf(removed)["activity_id"].get<std::string>()).status, 200);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?tags=" + tag))["contacts"].size(), 0u);
  EXPECT_EQ(call("GET", "/v3/contact_tags/" + tag).status, 404);
  EXPECT_TRUE(jsonOf(call("GET", "/v3/contact_tags"))["tags"].empty());
  for (int i = 0; i < 3; ++i) call("POST", "/v3/contact_tags", {{"name", "t" + std::to_string(i)}});
  auto first = jsonOf(call("GET", "/v3/contact_tags?limit=2"));
  ASSERT_EQ(first["tags"].size(), 2u);
  auto second = jsonOf(call("GET", first["_links"]["next"]["href"].get<std::string>()));
  EXPECT_EQ(second["tags"].size(), 1u);
  EXPECT_FALSE(second.contains("_links"));
}

TEST_F(ContactsTest, SignUpFormCreatesThenAppendsAndRevives) {
  const std::string bread = makeList("Bread club");
  const std::string cake = makeList("Cake club");
  auto first = call("POST", "/v3/contacts/sign_up_form",
                    {{"email_address", "signup@example.com"}, {"first_name", "Sam"}, {"list_memberships", {bread}}});
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(jsonOf(first)["action"], "created");
  const std::string id = jsonOf(first)["contact_id"];
  auto contact = jsonOf(call("GET", "/v3/contacts/" + id + "?include=list_memberships"));
  EXPECT_EQ(contact["email_address"]["permission_to_send"], "explicit");
  EXPECT_EQ(contact["email_address"]["opt_in_source"], "Contact");

  EXPECT_EQ(call("DELETE", "/v3/contacts/" + id).status, 204);
  auto second = call("POST", "/v3/contacts/sign_up_form",
                     {{"email_address", "SIGNUP@example.com"}, {"last_name", "Baker"}, {"list_memberships", {cake}}});
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(jsonOf(second)["action"], "updated");
  contact = jsonOf(call("GET", "/v3/contacts/" + id + "?include=list_memberships"));
  EXPECT_FALSE(contact.contains("deleted_at"));
  EXPECT_EQ(contact["first_name"], "Sam");   // not sent: kept
  EXPECT_EQ(contact["last_name"], "Baker");
  EXPECT_EQ(contact["list_memberships"], json({cake}));  // deletion had removed bread; cake appended

  auto third = call("POST", "/v3/contacts/sign_up_form", {{"email_address", "signup@example.com"}, {"list_memberships", {bread}}});
  EXPECT_EQ(third.status, 200);
  contact = jsonOf(call("GET", "/v3/contacts/" + id + "?include=list_memberships"));
  EXPECT_EQ(contact["list_memberships"].size(), 2u);

  // CC's address rule and no control characters, as for POST /v3/contacts.
  for (const json& bad :
       {json{{"email_address", "<script>@x.com"}}, json{{"email_address", "a@-example.com"}},
        json{{"email_address", "ctl\x01@example.com"}},
        json{{"email_address", "ok@example.com"}, {"first_name", std::string("N\0l", 3)}},
        json{{"email_address", "ok@example.com"}, {"phone_number", "555\x1b"}}}) {
    json body = bad;
    body["list_memberships"] = {bread};
    EXPECT_EQ(call("POST", "/v3/contacts/sign_up_form", body).status, 400) << bad.dump();
  }
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?email=ok%40example.com"))["contacts"].size(), 0u);
  EXPECT_EQ(call("POST", "/v3/contacts/sign_up_form", {{"email_address", "x@example.com"}}).status, 400);
  EXPECT_EQ(call("POST", "/v3/contacts/sign_up_form", {{"email_address", "x@example.com"},
                                                       {"list_memberships", {"00000000-0000-4000-8000-000000000009"}}}).status, 400);
}

}  // namespace
}  // namespace liaison::testing

namespace liaison::testing {
namespace {

TEST_F(ContactsTest, ResubscribeSendsOneEmailAndOptsInOnlyOnConfirmation) {
  const std::string list = makeList("Back again");
  auto active = create("here@example.com");
  auto gone = create("gone@example.com", {{"email_address", {{"address", "gone@example.com"},
                                                             {"permission_to_send", "unsubscribed"}}}});
  const std::string id = gone["contact_id"];
  const std::string path = "/v3/contacts/resubscribe/" + id;
  EXPECT_EQ(call("PUT", "/v3/contacts/resubscribe/" + active["contact_id"].get<std::string>(),
                 {{"list_ids", {list}}}).status, 400);  // not unsubscribed
  EXPECT_EQ(call("PUT", path, {{"list_ids", json::array()}}).status, 400);
  EXPECT_EQ(call("PUT", path, {{"list_ids", {"00000000-0000-4000-8000-000000000000"}}}).status, 400);
  EXPECT_EQ(call("PUT", "/v3/contacts/resubscribe/00000000-0000-4000-8000-000000000000", {{"list_ids", {list}}}).status,
            404);
  ASSERT_EQ(call("PUT", path, {{"list_ids", {list}}}).status, 200);
  // Still unsubscribed until the contact confirms, and the email goes only once.
  auto waiting = jsonOf(call("GET", "/v3/contacts/" + id + "?include=list_memberships"));
  EXPECT_EQ(waiting["email_address"]["permission_to_send"], "unsubscribed");
  EXPECT_FALSE(waiting.contains("_resubscribe"));
  EXPECT_EQ(call("PUT", path, {{"list_ids", {list}}}).status, 409);

  http::Request confirm;
  confirm.method = "POST";
  confirm.target = "/__sandbox/contacts/" + id + "/confirm_resubscribe";
  auto confirmed = sandbox_->handle(confirm);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  auto back = jsonOf(call("GET", "/v3/contacts/" + id + "?include=list_memberships"));
  EXPECT_EQ(back["email_address"]["permission_to_send"], "explicit");
  EXPECT_EQ(back["email_address"]["opt_in_source"], "Contact");
  EXPECT_FALSE(back["email_address"].contains("opt_out_date"));
  EXPECT_EQ(back["list_memberships"][0], list);
  EXPECT_EQ(sandbox_->handle(confirm).status, 400);  // nothing left to confirm
}

}  // namespace
}  // namespace liaison::testing
