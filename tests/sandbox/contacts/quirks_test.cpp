// Per-account quirk switches for behaviour CC has not confirmed.
#include "sandbox/contacts_fixture.h"

namespace liaison::testing {
namespace {

constexpr const char* kQuirks = "/__sandbox/accounts/a07e1sandbox01/quirks";

TEST_F(ContactsTest, QuirksHaveDefaultsAndRejectUnknownSwitches) {
  auto defaults = jsonOf(client_.get(kQuirks));
  EXPECT_EQ(defaults["unsubscribe_updates_updated_at"], false);
  EXPECT_EQ(defaults["import_readds_left_lists"], true);
  EXPECT_EQ(defaults["rate_limit_body"], "array");
  EXPECT_EQ(client_.send("PUT", kQuirks, R"({"teleport":true})").status, 400);
  EXPECT_EQ(client_.send("PUT", kQuirks, R"({"rate_limit_body":"xml"})").status, 400);
  EXPECT_EQ(client_.send("PUT", "/__sandbox/accounts/nobody/quirks", R"({"delete_updates_updated_at":true})").status, 404);
}

TEST_F(ContactsTest, UnsubscribeAndDeleteCanTouchUpdatedAt) {
  ASSERT_EQ(client_.send("PUT", kQuirks, R"({"unsubscribe_updates_updated_at":true,"delete_updates_updated_at":true})").status, 200);
  auto contact = create("q@example.com");
  const std::string id = contact["contact_id"];
  advance(60);
  auto unsubscribed = jsonOf(call("PUT", "/v3/contacts/" + id,
                                  {{"email_address", {{"address", "q@example.com"}, {"permission_to_send", "unsubscribed"}}},
                                   {"update_source", "Contact"}}));
  EXPECT_NE(unsubscribed["updated_at"], contact["updated_at"]);
  advance(60);
  ASSERT_EQ(call("DELETE", "/v3/contacts/" + id).status, 204);
  auto deleted = jsonOf(call("GET", "/v3/contacts/" + id));
  ASSERT_TRUE(deleted.contains("deleted_at")) << deleted.dump();
  EXPECT_NE(deleted["updated_at"], unsubscribed["updated_at"]);
}

TEST_F(ContactsTest, ImportCanRespectListsAContactLeft) {
  const auto list = makeList("Weekly");
  auto contact = create("left@example.com", {{"list_memberships", {list}}});
  const std::string id = contact["contact_id"];
  call("PUT", "/v3/contacts/" + id, {{"email_address", {{"address", "left@example.com"}}}, {"update_source", "Contact"},
                                     {"list_memberships", json::array()}});
  auto import = [&] {
    call("POST", "/v3/activities/contacts_json_import", {{"import_data", {{{"email", "left@example.com"}}}}, {"list_ids", {list}}});
    auto got = jsonOf(call("GET", "/v3/contacts/" + id + "?include=list_memberships"));
    EXPECT_FALSE(got.contains("_left_lists"));
    return got.value("list_memberships", json::array()).size();
  };
  ASSERT_EQ(client_.send("PUT", kQuirks, R"({"import_readds_left_lists":false})").status, 200);
  EXPECT_EQ(import(), 0u);
  ASSERT_EQ(client_.send("PUT", kQuirks, R"({"import_readds_left_lists":true})").status, 200);
  EXPECT_EQ(import(), 1u);
}

TEST_F(StrictSandboxTest, RateLimitBodyCanBeASingleObject) {
  ASSERT_EQ(client_.send("PUT", kQuirks, R"({"rate_limit_body":"object"})").status, 200);
  const std::string token = jsonOf(redeemConfidential(confidentialCode("account_read")))["access_token"];
  http::Response last;
  for (int i = 0; i < 5; ++i) last = client_.get("/v3/account/summary", token);
  ASSERT_EQ(last.status, 429);
  EXPECT_TRUE(jsonOf(last).is_object());
  EXPECT_EQ(jsonOf(last)["error_key"], "throttled");
}

}  // namespace
}  // namespace liaison::testing
