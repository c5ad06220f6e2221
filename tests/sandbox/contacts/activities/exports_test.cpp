// Contact exports (filters, columns, the CSV), the multipart CSV import, and the control API's
// activity_progress setting (status polls, virtual time, the 1,000-activity queue).
#include "core/csv.h"
#include "sandbox/contacts_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

class ExportsTest : public ContactsTest {
 protected:
  // Starts an export and returns its activity id.
  std::string startExport(const json& body) {
    auto response = call("POST", "/v3/activities/contact_exports", body);
    EXPECT_EQ(response.status, 201) << response.body;
    return jsonOf(response)["activity_id"];
  }
  std::vector<CsvRow> exported(const json& body) {
    const std::string id = startExport(body);
    auto status = jsonOf(call("GET", "/v3/activities/" + id));
    EXPECT_EQ(status["state"], "completed");
    EXPECT_EQ(status["_links"]["results"]["href"], "/v3/contact_exports/" + id);
    auto file = call("GET", "/v3/contact_exports/" + id);
    EXPECT_EQ(file.status, 200) << file.body;
    EXPECT_EQ(file.headers.get("Content-Type").value_or("").rfind("text/csv", 0), 0u);
    auto rows = parseCsv(file.body, 100000);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<CsvRow>{};
  }
  static size_t column(const std::vector<CsvRow>& rows, const std::string& name) {
    return std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin();
  }
  http::Response upload(const std::string& csv, const std::string& list_ids) {
    const std::string boundary = "----liaison-test-boundary";
    const std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\n"
                             "Content-Type: text/csv\r\n\r\n" + csv + "\r\n--" + boundary +
                             "\r\nContent-Disposition: form-data; name=\"list_ids\"\r\n\r\n" + list_ids + "\r\n--" +
                             boundary + "--\r\n";
    return client_.send("POST", "/v3/activities/contacts_file_import", body,
                         {{"Authorization", "Bearer " + token_},
                          {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  }
  json setProgress(const json& setting, int expected = 200) {
    http::Request request;
    request.method = "PUT";
    request.target = "/__sandbox/accounts/a07e1sandbox01/quirks";
    request.body = json{{"activity_progress", setting}}.dump();
    auto response = sandbox_->handle(request);
    EXPECT_EQ(response.status, expected) << setting.dump() << " " << response.body;
    return jsonOf(response);
  }
};

TEST_F(ExportsTest, ExportsEveryActiveContactWithCustomFieldColumns) {
  const std::string list = makeList("Bakers");
  auto field = jsonOf(call("POST", "/v3/contact_custom_fields", {{"label", "Loaf"}, {"type", "string"}}));
  create("ann@example.com", {{"first_name", "Ann, \"the baker\""}, {"list_memberships", {list}},
                             {"custom_fields", {{{"custom_field_id", field["custom_field_id"]}, {"value", "rye"}}}}});
  auto bob = create("bob@example.com");
  ASSERT_EQ(call("DELETE", "/v3/contacts/" + bob["contact_id"].get<std::string>()).status, 204);

  auto rows = exported(json::object());
  ASSERT_EQ(rows.size(), 2u);  // header + Ann; deleted contacts are left out by default
  EXPECT_EQ(rows[1][column(rows, "email_address")], "ann@example.com");
  EXPECT_EQ(rows[1][column(rows, "first_name")], "Ann, \"the baker\"");
  EXPECT_EQ(rows[1][column(rows, "list_memberships")], list);
  EXPECT_EQ(rows[1][column(rows, "cf:Loaf")], "rye");

  auto deleted = exported({{"status", "deleted"}, {"fields", {"email_address", "deleted_at"}}});
  ASSERT_EQ(deleted.size(), 2u);
  EXPECT_EQ(deleted[0], (CsvRow{"email_address", "deleted_at"}));
  EXPECT_EQ(deleted[1][0], "bob@example.com");
  EXPECT_FALSE(deleted[1][1].empty());
  EXPECT_EQ(exported({{"status", "all"}}).size(), 3u);
}

TEST_F(ExportsTest, FiltersByListsTagsIdsAndExclusions) {
  const std::string list = makeList("Regulars");
  auto tag = jsonOf(call("POST", "/v3/contact_tags", {{"name", "vip"}}));
  auto a = create("a@example.com", {{"list_memberships", {list}}});
  auto b = create("b@example.com", {{"list_memberships", {list}}, {"taggings", {tag["tag_id"]}}});
  create("c@example.com");
  EXPECT_EQ(exported({{"list_ids", {list}}}).size(), 3u);
  EXPECT_EQ(exported({{"list_ids", {list}}, {"exclude", {{"contact_ids", {a["contact_id"]}}}}}).size(), 2u);
  EXPECT_EQ(exported({{"tag_ids", {tag["tag_id"]}}}).size(), 2u);
  EXPECT_EQ(exported({{"contact_ids", {a["contact_id"], b["contact_id"]}}}).size(), 3u);
  EXPECT_EQ(exported({{"new_subscriber", true}}).size(), 4u);  // all three joined today

  auto reject = [&](const json& body) {
    auto response = call("POST", "/v3/activities/contact_exports", body);
    EXPECT_EQ(response.status, 400) << body.dump() << " " << response.body;
  };
  reject({{"list_ids", {list}}, {"tag_ids", {tag["tag_id"]}}});
  reject({{"tag_ids", {tag["tag_id"]}}, {"status", "active"}});
  reject({{"contact_ids", {a["contact_id"]}}, {"exclude", {{"contact_ids", {b["contact_id"]}}}}});
  reject({{"status", "sleeping"}});
  reject({{"fields", {"email_optout_date"}}});  // needs email_address alongside
  reject({{"fields", {"shoe_size"}}});
  reject({{"list_ids", {"00000000-0000-4000-8000-000000000000"}}});
  // An exclusion of the wrong shape is refused, not ignored.
  for (const json& exclude :
       {json("x"), json(1), json::array({a["contact_id"]}), json{{"contact_ids", "x"}}}) {
    reject({{"list_ids", {list}}, {"exclude", exclude}});
  }
  reject({{"list_ids", {list}}, {"status", 5}});
  reject({{"new_subscriber", "yes"}});
  reject({{"fields", "email_address"}});
  EXPECT_EQ(call("POST", "/v3/activities/contact_exports", {{"segment_id", 3}}).status, 404);
  EXPECT_EQ(call("GET", "/v3/contact_exports/00000000-0000-4000-8000-000000000000").status, 404);
}

TEST_F(ExportsTest, CsvFileImportFollowsTheJsonImportRules) {
  const std::string list = makeList("From file");
  auto field = jsonOf(call("POST", "/v3/contact_custom_fields", {{"label", "Loaf"}, {"type", "string"}}));
  create("left@example.com", {{"email_address", {{"address", "left@example.com"},
                                                 {"permission_to_send", "unsubscribed"}}}});
  auto started = upload("Email,First_Name,cf:Loaf\r\nnew@example.com,\"Nia, Jr.\",spelt\r\nleft@example.com,L,\r\n"
                        "not-an-email,X,\r\n",
                        list);
  ASSERT_EQ(started.status, 201) << started.body;
  auto status = jsonOf(call("GET", "/v3/activities/" + jsonOf(started)["activity_id"].get<std::string>()));
  EXPECT_EQ(status["status"]["items_total_count"], 3);
  EXPECT_EQ(status["status"]["person_count"], 2);
  EXPECT_EQ(status["status"]["correctable_count"], 1);
  EXPECT_EQ(status["status"]["cannot_add_to_list_count"], 1);  // unsubscribed: not added to the list
  auto found = jsonOf(call("GET", "/v3/contacts?email=new@example.com&include=list_memberships,custom_fields"));
  ASSERT_EQ(found["contacts"].size(), 1u);
  EXPECT_EQ(found["contacts"][0]["first_name"], "Nia, Jr.");
  EXPECT_EQ(found["contacts"][0]["list_memberships"][0], list);
  EXPECT_EQ(found["contacts"][0]["custom_fields"][0]["value"], "spelt");

  EXPECT_EQ(upload("first_name\nNo email\n", list).status, 400);
  EXPECT_EQ(upload("email\n\"unclosed\n", list).status, 400);
  EXPECT_EQ(upload("email\na@example.com\n", "").status, 400);
  EXPECT_EQ(upload("email\na@example.com\n", "00000000-0000-4000-8000-000000000000").status, 400);
  std::string big = "email\n";
  for (int i = 0; i < 40000; ++i) {
    big += 'p';
    big += std::to_string(i);
    big += "@example.com\n";
  }
  auto too_many = upload(big, list);
  EXPECT_EQ(too_many.status, 400);
  EXPECT_NE(too_many.body.find("40000"), std::string::npos) << too_many.body;
  EXPECT_EQ(call("POST", "/v3/activities/contacts_file_import", {{"file", "x"}}).status, 415);
  // Nothing from the rejected uploads was stored.
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?limit=500"))["contacts"].size(), 2u);
}

TEST_F(ExportsTest, CsvFileImportRefusesControlCharacters) {
  const std::string list = makeList("From file");
  for (const std::string& csv : {"email,first_name\nok@example.com,N" + std::string(1, '\0') + "l\n",
                                 std::string("email,first_name\nok@example.com,\"Two\nlines\"\n"),
                                 std::string("email,first_name\nok@example.com,Esc\x1b\n"),
                                 std::string("email\nctl\x01@example.com\n")}) {
    auto response = upload(csv, list);
    EXPECT_EQ(response.status, 400) << csv;
    EXPECT_NE(response.body.find("Line 2"), std::string::npos) << response.body;
  }
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts/counts"))["total"], 0);
}

TEST_F(ExportsTest, CsvFileImportRefusesRepeatedParts) {
  const std::string list = makeList("From file");
  // Two file parts (or two list_ids parts): one would be ignored, so the form is refused.
  const std::string boundary = "----liaison-test-boundary";
  auto part = [&](const std::string& name, const std::string& data) {
    return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"" +
           (name == "file" ? "; filename=\"c.csv\"" : "") + "\r\n\r\n" + data + "\r\n";
  };
  for (const std::string& body :
       {part("file", "email\na@example.com\n") + part("file", "email\nb@example.com\n") +
            part("list_ids", list),
        part("file", "email\na@example.com\n") + part("list_ids", list) + part("list_ids", list)}) {
    auto response =
        client_.send("POST", "/v3/activities/contacts_file_import", body + "--" + boundary + "--\r\n",
                     {{"Authorization", "Bearer " + token_},
                      {"Content-Type", "multipart/form-data; boundary=" + boundary}});
    EXPECT_EQ(response.status, 400) << response.body;
    EXPECT_EQ(jsonOf(response)[0]["error_key"], "activities.api.validation.error");
  }
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts/counts"))["total"], 0);
}

TEST_F(ExportsTest, ExportNeverWritesARawControlCharacter) {
  // Stored data from before control characters were refused, brought back through a snapshot.
  create("old@example.com", {{"first_name", "Marker"}});
  auto control = [&](const std::string& method, const std::string& target, const std::string& body = "") {
    http::Request request;
    request.method = method;
    request.target = target;
    request.body = body;
    return sandbox_->handle(request);
  };
  ASSERT_EQ(control("POST", "/__sandbox/snapshots", R"({"name":"old"})").status, 201);
  std::string fixture = control("GET", "/__sandbox/snapshots/old").body;
  const size_t at = fixture.find("\"Marker\"");
  ASSERT_NE(at, std::string::npos);
  fixture.replace(at, 8, R"("M\u0000a\u0001r\u001fk\u007fe\u0085r\r\n")");
  ASSERT_EQ(control("PUT", "/__sandbox/snapshots/old", fixture).status, 200);
  ASSERT_EQ(control("POST", "/__sandbox/snapshots/old/restore").status, 200);
  ASSERT_EQ(jsonOf(call("GET", "/v3/contacts?email=old%40example.com"))["contacts"][0]["first_name"],
            std::string("M\0a\x01r\x1fk\x7f"
                        "e\xc2\x85r\r\n",
                        14));

  const std::string id = startExport(json::object());
  const std::string csv = call("GET", "/v3/contact_exports/" + id).body;
  for (size_t i = 0; i < csv.size(); ++i) {
    const auto c = static_cast<unsigned char>(csv[i]);
    const bool line_end =
        (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') || (c == '\n' && i > 0 && csv[i - 1] == '\r');
    EXPECT_TRUE((c >= 0x20 && c != 0x7f) || line_end) << "byte " << i << ": " << int(c);
    EXPECT_FALSE(c == 0xc2 && i + 1 < csv.size() && static_cast<unsigned char>(csv[i + 1]) < 0xa0)
        << "C1 at " << i;
  }
  auto rows = parseCsv(csv, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  const std::string replacement = "\xef\xbf\xbd";  // U+FFFD
  EXPECT_EQ((*rows)[1][column(*rows, "first_name")], "M" + replacement + "a" + replacement + "r" +
                                                         replacement + "k" + replacement + "e" + replacement +
                                                         "r" + replacement + replacement);
}

TEST_F(ExportsTest, ProgressAfterPollsHoldsTheExportFileUntilCompleted) {
  create("a@example.com");
  setProgress({{"polls", 2}});
  const std::string id = startExport(json::object());
  EXPECT_EQ(call("GET", "/v3/contact_exports/" + id).status, 404);  // not finished
  auto first = jsonOf(call("GET", "/v3/activities/" + id));
  EXPECT_EQ(first["state"], "processing");
  EXPECT_FALSE(first["_links"].contains("results"));
  EXPECT_FALSE(first.contains("completed_at"));
  EXPECT_EQ(jsonOf(call("GET", "/v3/activities/" + id))["state"], "processing");
  EXPECT_EQ(jsonOf(call("GET", "/v3/activities/" + id))["state"], "completed");
  EXPECT_EQ(call("GET", "/v3/contact_exports/" + id).status, 200);
  setProgress("at_once");
  setProgress({{"polls", 0}}, 400);
  setProgress({{"polls", 1}, {"seconds", 5}}, 400);
  setProgress("later", 400);
}

TEST_F(ExportsTest, ProgressOnVirtualTimeAndTheQueueLimit) {
  const std::string list = makeList("Queue");
  setProgress({{"seconds", 600}});
  auto started = call("POST", "/v3/activities/contacts_json_import",
                      {{"import_data", {{{"email", "q@example.com"}}}}, {"list_ids", {list}}});
  ASSERT_EQ(started.status, 201);
  const std::string id = jsonOf(started)["activity_id"];
  sandbox_->clock().advance(std::chrono::seconds(300));
  auto halfway = jsonOf(call("GET", "/v3/activities/" + id));
  EXPECT_EQ(halfway["state"], "processing");
  EXPECT_EQ(halfway["percent_done"], 50);
  EXPECT_EQ(jsonOf(call("GET", "/v3/activities?state=processing"))["activities"].size(), 1u);
  sandbox_->clock().advance(std::chrono::seconds(300));
  EXPECT_EQ(jsonOf(call("GET", "/v3/activities/" + id))["state"], "completed");

  // 1,000 activities still processing: the next one is refused with 429.
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(call("POST", "/v3/activities/add_list_memberships",
                   {{"source", {{"all_active_contacts", true}}}, {"list_ids", {list}}}).status, 201) << i;
  }
  auto refused = call("POST", "/v3/activities/contact_exports", json::object());
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(jsonOf(refused)[0]["error_key"], "activities.api.too_many_requests");
  sandbox_->clock().advance(std::chrono::seconds(600));
  EXPECT_EQ(call("POST", "/v3/activities/contact_exports", json::object()).status, 201);
}

}  // namespace
}  // namespace liaison::testing
