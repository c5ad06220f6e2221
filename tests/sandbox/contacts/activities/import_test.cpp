// Bulk JSON import: CC's semantics (append-only, unsubscribed not re-added, deleted revived,
// only supplied fields change), limits, and activity status.
#include "sandbox/contacts_fixture.h"

namespace liaison::testing {
namespace {

TEST_F(ContactsTest, JsonImportFollowsCcSemantics) {
  const auto bakers = makeList("Bakers");
  const auto buyers = makeList("Buyers");
  auto field = jsonOf(call("POST", "/v3/contact_custom_fields", {{"label", "Loaf size"}, {"type", "string"}}));
  auto existing = create("kept@example.com", {{"first_name", "Kept"}, {"job_title", "Miller"}, {"list_memberships", {buyers}}});
  auto quitter = create("quit@example.com");
  ASSERT_EQ(
      call("PUT", "/v3/contacts/" + quitter["contact_id"].get<std::string>(),
           {{"email_address", {{"address", "quit@example.com"}, {"permission_to_send", "unsubscribed"}}},
            {"update_source", "Contact"}})
          .status,
      200);
  auto gone = create("gone@example.com");
  ASSERT_EQ(call("DELETE", "/v3/contacts/" + gone["contact_id"].get<std::string>()).status, 204);
  ASSERT_TRUE(
      jsonOf(call("GET", "/v3/contacts/" + gone["contact_id"].get<std::string>())).contains("deleted_at"));

  json rows = json::array({
      {{"email", "new@example.com"},
       {"first_name", "Nia"},
       {"birthday_month", 4},
       {"birthday_day", 9},
       {"cf:Loaf_size", "large"},
       {"mobile_phone", "555-0102"},
       {"city", "Lowell"}},
      {{"email", "KEPT@example.com"}, {"last_name", "Stone"}},
      {{"email", "quit@example.com"}},
      {{"email", "gone@example.com"}},
      {{"email", "not an email"}},
      {{"email", "x@example.com"}, {"cf:unknown", "1"}},
  });
  auto posted = call("POST", "/v3/activities/contacts_json_import", {{"import_data", rows}, {"list_ids", {bakers}}});
  ASSERT_EQ(posted.status, 201) << posted.body;
  const std::string activity_id = jsonOf(posted)["activity_id"];
  auto activity = jsonOf(call("GET", "/v3/activities/" + activity_id));
  EXPECT_EQ(activity["state"], "completed");
  EXPECT_EQ(activity["status"]["items_total_count"], 6);
  EXPECT_EQ(activity["status"]["person_count"], 4);
  EXPECT_EQ(activity["status"]["correctable_count"], 2);
  EXPECT_EQ(activity["status"]["cannot_add_to_list_count"], 1);
  EXPECT_EQ(activity["activity_errors"].size(), 2u);

  auto created = jsonOf(call("GET", "/v3/contacts?email=new%40example.com&include=custom_fields,phone_numbers,street_addresses,list_memberships"));
  ASSERT_EQ(created["contacts"].size(), 1u);
  auto nia = created["contacts"][0];
  EXPECT_EQ(nia["email_address"]["permission_to_send"], "implicit");
  EXPECT_EQ(nia["birthday_month"], 4);
  EXPECT_EQ(nia["custom_fields"][0]["custom_field_id"], field["custom_field_id"]);
  EXPECT_EQ(nia["phone_numbers"][0]["kind"], "mobile");
  EXPECT_EQ(nia["street_addresses"][0]["city"], "Lowell");
  EXPECT_EQ(nia["list_memberships"], json({bakers}));

  auto kept = jsonOf(call("GET", "/v3/contacts/" + existing["contact_id"].get<std::string>() + "?include=list_memberships"));
  EXPECT_EQ(kept["job_title"], "Miller");  // not supplied: unchanged
  EXPECT_EQ(kept["last_name"], "Stone");
  EXPECT_EQ(kept["list_memberships"], json({buyers, bakers}));  // appended
  auto quit = jsonOf(call("GET", "/v3/contacts/" + quitter["contact_id"].get<std::string>() + "?include=list_memberships"));
  EXPECT_TRUE(!quit.contains("list_memberships") || quit["list_memberships"].empty());
  auto back = jsonOf(call("GET", "/v3/contacts/" + gone["contact_id"].get<std::string>()));
  EXPECT_FALSE(back.contains("deleted_at"));
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?email=x%40example.com"))["contacts"].size(), 0u);
  EXPECT_EQ(jsonOf(call("GET", "/v3/activities"))["activities"].size(), 1u);
}

TEST_F(ContactsTest, JsonImportLimits) {
  const auto list = makeList("Big");
  EXPECT_EQ(call("POST", "/v3/activities/contacts_json_import", {{"import_data", json::array()}, {"list_ids", {list}}}).status, 400);
  EXPECT_EQ(call("POST", "/v3/activities/contacts_json_import", {{"import_data", {{{"email", "a@b.co"}}}}}).status, 400);
  EXPECT_EQ(call("POST", "/v3/activities/contacts_json_import",
                 {{"import_data", {{{"email", "a@b.co"}}}}, {"list_ids", {"00000000-0000-4000-8000-000000000000"}}}).status, 400);
  json too_many = json::array();
  for (int i = 0; i < 40001; ++i) too_many.push_back({{"email", std::string("c").append(std::to_string(i)).append("@x.co")}});
  EXPECT_EQ(call("POST", "/v3/activities/contacts_json_import", {{"import_data", too_many}, {"list_ids", {list}}}).status, 400);
  json big = json::array();
  for (int i = 0; i < 40000; ++i) big.push_back({{"email", std::string("c").append(std::to_string(i)).append("@x.co")}, {"first_name", std::string(100, 'a')}});
  EXPECT_EQ(call("POST", "/v3/activities/contacts_json_import", {{"import_data", big}, {"list_ids", {list}}}).status, 413);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts/counts"))["total"], 0);
  EXPECT_EQ(call("GET", "/v3/activities/00000000-0000-4000-8000-000000000000").status, 404);
}

TEST_F(ContactsTest, JsonImportRefusesControlCharactersAndChecksCcAddressRule) {
  const auto list = makeList("Imported");
  const std::string import = "/v3/activities/contacts_json_import";
  for (const json& row :
       {json{{"email", "ok@example.com"}, {"first_name", std::string("N\0l", 3)}},
        json{{"email", "ctl\x01@example.com"}}, json{{"email", "ok@example.com"}, {"city", "A\nB"}},
        json{{"email", "ok@example.com"}, {"home_phone", "555\x1b"}}}) {
    auto response =
        call("POST", import, {{"import_data", {{{"email", "fine@example.com"}}, row}}, {"list_ids", {list}}});
    EXPECT_EQ(response.status, 400) << row.dump();
    EXPECT_EQ(jsonOf(response)[0]["error_key"], "activities.api.validation.error");
    EXPECT_NE(response.body.find("import_data[1]."), std::string::npos) << response.body;
  }
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts/counts"))["total"], 0);
  // Addresses CC refuses are rows to correct, as before.
  auto posted =
      call("POST", import,
           {{"import_data",
             {{{"email", "<script>@x.com"}}, {{"email", "a@-example.com"}}, {{"email", "ok@example.com"}}}},
            {"list_ids", {list}}});
  ASSERT_EQ(posted.status, 201) << posted.body;
  auto activity = jsonOf(call("GET", "/v3/activities/" + jsonOf(posted)["activity_id"].get<std::string>()));
  EXPECT_EQ(activity["status"]["correctable_count"], 2);
  EXPECT_EQ(activity["status"]["person_count"], 1);
}

TEST_F(ContactsTest, FortyThousandContactImport) {
  const auto list = makeList("Everyone");
  json rows = json::array();
  for (int i = 0; i < 40000; ++i) rows.push_back({{"email", std::string("p").append(std::to_string(i)).append("@example.com")}, {"first_name", "P"}});
  auto posted = call("POST", "/v3/activities/contacts_json_import", {{"import_data", rows}, {"list_ids", {list}}});
  ASSERT_EQ(posted.status, 201) << posted.body.substr(0, 200);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts/counts"))["total"], 40000);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contact_lists/" + list + "?include_membership_count=all"))["membership_count"], 40000);
}

}  // namespace
}  // namespace liaison::testing

namespace liaison::testing {
namespace {

TEST_F(ContactsTest, BulkMembershipTagAndDeleteActivities) {
  const auto a = makeList("A");
  const auto b = makeList("B");
  const std::string tag = jsonOf(call("POST", "/v3/contact_tags", {{"name", "regular"}}))["tag_id"];
  auto one = create("one@example.com", {{"list_memberships", {a}}});
  auto two = create("two@example.com", {{"list_memberships", {a}}});
  auto quit = create("quit@example.com", {{"email_address", {{"address", "quit@example.com"}, {"permission_to_send", "unsubscribed"}}}});
  const std::string one_id = one["contact_id"], two_id = two["contact_id"], quit_id = quit["contact_id"];
  auto count = [&](const std::string& list) {
    return jsonOf(call("GET", "/v3/contact_lists/" + list + "?include_membership_count=all"))["membership_count"].get<int>();
  };

  auto added = call("POST", "/v3/activities/add_list_memberships",
                    {{"source", {{"all_active_contacts", true}}}, {"exclude", {{"contact_ids", {two_id}}}}, {"list_ids", {b}}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(count(b), 1);  // two excluded, quit unsubscribed
  auto status = jsonOf(call("GET", "/v3/activities/" + jsonOf(added)["activity_id"].get<std::string>()));
  EXPECT_EQ(status["state"], "completed");

  // An exclusion or source of the wrong shape is refused, not ignored (which would tag everyone).
  const auto activities_before = call("GET", "/v3/activities").body;
  for (const json& wrong :
       {json{{"source", {{"list_ids", {a}}}}, {"tag_ids", {tag}}, {"exclude", "x"}},
        json{{"source", {{"list_ids", {a}}}}, {"tag_ids", {tag}}, {"exclude", {two_id}}},
        json{{"source", {{"list_ids", {a}}}}, {"tag_ids", {tag}}, {"exclude", {{"contact_ids", 1}}}},
        json{{"source", "everyone"}, {"tag_ids", {tag}}},
        json{{"source", {{"list_ids", {a}}, {"all_active_contacts", "yes"}}}, {"tag_ids", {tag}}}}) {
    const auto response = call("POST", "/v3/activities/contacts_taggings_add", wrong);
    EXPECT_EQ(response.status, 400) << wrong.dump() << " " << response.body;
  }
  EXPECT_EQ(call("GET", "/v3/activities").body, activities_before);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contact_tags/" + tag + "?include_count=true"))["contacts_count"], 0);
  ASSERT_EQ(call("POST", "/v3/activities/contacts_taggings_add", {{"source", {{"list_ids", {a}}}}, {"tag_ids", {tag}}}).status, 201);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contact_tags/" + tag + "?include_count=true"))["contacts_count"], 2);
  ASSERT_EQ(call("POST", "/v3/activities/contacts_taggings_remove", {{"source", {{"contact_ids", {one_id}}}}, {"tag_ids", {tag}}}).status, 201);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contact_tags/" + tag + "?include_count=true"))["contacts_count"], 1);

  ASSERT_EQ(call("POST", "/v3/activities/remove_list_memberships", {{"source", {{"list_ids", {a}}}}, {"list_ids", {a}}}).status, 201);
  EXPECT_EQ(count(a), 0);
  ASSERT_EQ(call("POST", "/v3/activities/contact_delete", {{"contact_ids", {one_id, quit_id}}}).status, 201);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts/counts"))["total"], 1);
  ASSERT_EQ(call("POST", "/v3/activities/contacts_tags_delete", {{"tag_ids", {tag}}}).status, 201);
  EXPECT_EQ(call("GET", "/v3/contact_tags/" + tag).status, 404);
  ASSERT_EQ(call("POST", "/v3/activities/list_delete", {{"list_ids", {a, b}}}).status, 201);
  EXPECT_EQ(call("GET", "/v3/contact_lists/" + a).status, 404);

  // Bad requests change nothing.
  EXPECT_EQ(call("POST", "/v3/activities/add_list_memberships", {{"source", {{"contact_ids", {two_id}}, {"all_active_contacts", true}}},
                                                                 {"list_ids", {b}}}).status, 400);
  EXPECT_EQ(call("POST", "/v3/activities/contact_delete", {{"contact_ids", {"nope"}}}).status, 400);
  EXPECT_EQ(call("POST", "/v3/activities/custom_fields_delete", {{"custom_field_ids", {"00000000-0000-4000-8000-000000000000"}}}).status, 400);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts/counts"))["total"], 1);
}

TEST_F(ContactsTest, CustomFieldsDeleteActivityRemovesTheFieldsAndTheirValues) {
  auto field = [&](const std::string& label) {
    auto created = call("POST", "/v3/contact_custom_fields", {{"label", label}, {"type", "string"}});
    EXPECT_EQ(created.status, 201) << created.body;
    return jsonOf(created)["custom_field_id"].get<std::string>();
  };
  const std::string crust = field("Crust"), crumb = field("Crumb"), flour = field("Flour");
  auto baker = create("crust@example.com", {{"custom_fields",
                                             {{{"custom_field_id", crust}, {"value", "dark"}},
                                              {{"custom_field_id", crumb}, {"value", "open"}},
                                              {{"custom_field_id", flour}, {"value", "rye"}}}}});
  const std::string id = baker["contact_id"];
  auto posted = call("POST", "/v3/activities/custom_fields_delete", {{"custom_field_ids", {crust, flour}}});
  ASSERT_EQ(posted.status, 201) << posted.body;
  auto activity = jsonOf(call("GET", "/v3/activities/" + jsonOf(posted)["activity_id"].get<std::string>()));
  EXPECT_EQ(activity["state"], "completed");
  EXPECT_EQ(call("GET", "/v3/contact_custom_fields/" + crust).status, 404);
  EXPECT_EQ(call("GET", "/v3/contact_custom_fields/" + flour).status, 404);
  EXPECT_EQ(call("GET", "/v3/contact_custom_fields/" + crumb).status, 200);
  auto fields = jsonOf(call("GET", "/v3/contact_custom_fields"))["custom_fields"];
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0]["custom_field_id"], crumb);
  auto after = jsonOf(call("GET", "/v3/contacts/" + id + "?include=custom_fields"));
  ASSERT_EQ(after["custom_fields"].size(), 1u) << after.dump();
  EXPECT_EQ(after["custom_fields"][0]["custom_field_id"], crumb);
  EXPECT_EQ(after["custom_fields"][0]["value"], "open");
  // The label is free again.
  EXPECT_EQ(call("POST", "/v3/contact_custom_fields", {{"label", "Crust"}, {"type", "string"}}).status, 201);
}

}  // namespace
}  // namespace liaison::testing
