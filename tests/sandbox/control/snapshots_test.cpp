// Snapshots: take, change, restore; the fixture JSON round trip into a fresh sandbox. That a
// restore with --data survives a restart is checked on the binary (integration/
// process_durability_test.cpp).
#include "sandbox/contacts_fixture.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

class SnapshotsTest : public ContactsTest {
 protected:
  http::Response control(const std::string& method, const std::string& target, const std::string& body = "") {
    http::Request request;
    request.method = method;
    request.target = target;
    request.body = body;
    return sandbox_->handle(request);
  }
  size_t contactCount() { return jsonOf(call("GET", "/v3/contacts?status=all&limit=500"))["contacts"].size(); }
};

TEST_F(SnapshotsTest, RestoreReturnsEveryPartOfTheStateToTheSnapshot) {
  const std::string list = makeList("Before");
  create("kept@example.com", {{"list_memberships", {list}}});
  auto taken = control("POST", "/__sandbox/snapshots", R"({"name":"before-edit"})");
  ASSERT_EQ(taken.status, 201) << taken.body;
  EXPECT_GT(jsonOf(taken)["documents"].get<int>(), 5);

  create("added@example.com");
  ASSERT_EQ(
      control("PUT", "/__sandbox/accounts/a07e1sandbox01/quirks", R"({"rate_limit_body":"object"})").status,
      200);
  ASSERT_EQ(jsonOf(control("GET", "/__sandbox/accounts/a07e1sandbox01/quirks"))["rate_limit_body"], "object");
  ASSERT_EQ(contactCount(), 2u);

  ASSERT_EQ(control("POST", "/__sandbox/snapshots/before-edit/restore").status, 200);
  EXPECT_EQ(contactCount(), 1u);  // the token from before the snapshot still works
  EXPECT_EQ(jsonOf(control("GET", "/__sandbox/accounts/a07e1sandbox01/quirks"))["rate_limit_body"], "array");
  EXPECT_EQ(jsonOf(call("GET", "/v3/contact_lists/" + list + "?include_membership_count=all"))["membership_count"], 1);
  // The email is still taken: the restored contact owns it.
  EXPECT_EQ(call("POST", "/v3/contacts", {{"email_address", {{"address", "kept@example.com"}}},
                                          {"create_source", "Account"}}).status, 409);

  EXPECT_EQ(jsonOf(control("GET", "/__sandbox/snapshots")).size(), 1u);
  EXPECT_EQ(control("POST", "/__sandbox/snapshots/none/restore").status, 404);
  EXPECT_EQ(control("POST", "/__sandbox/snapshots", R"({"name":"../bad"})").status, 400);
  EXPECT_EQ(control("POST", "/__sandbox/snapshots", R"({"name":""})").status, 400);
  EXPECT_EQ(control("POST", "/__sandbox/snapshots", json{{"name", std::string(65, 'n')}}.dump()).status, 400);
  EXPECT_EQ(
      control("POST", "/__sandbox/snapshots", json{{"name", "v1.2_" + std::string(59, 'n')}}.dump()).status,
      201);
  EXPECT_EQ(control("DELETE", "/__sandbox/snapshots/before-edit").status, 204);
  EXPECT_EQ(control("DELETE", "/__sandbox/snapshots/before-edit").status, 404);
}

TEST_F(SnapshotsTest, TokensIssuedAfterTheSnapshotAreGoneAfterRestore) {
  ASSERT_EQ(control("POST", "/__sandbox/snapshots", R"({"name":"s"})").status, 201);
  const std::string later = jsonOf(redeemConfidential(confidentialCode("contact_data")))["access_token"];
  EXPECT_EQ(client_.get("/v3/contacts", later).status, 200);
  ASSERT_EQ(control("POST", "/__sandbox/snapshots/s/restore").status, 200);
  EXPECT_EQ(client_.get("/v3/contacts", later).status, 401);
  EXPECT_EQ(client_.get("/v3/contacts", token_).status, 200);
}

TEST_F(SnapshotsTest, FixtureJsonStartsAnotherSandboxInTheSameState) {
  create("fixture@example.com", {{"first_name", "Fix"}});
  ASSERT_EQ(control("POST", "/__sandbox/snapshots", R"({"name":"f"})").status, 201);
  auto fixture = control("GET", "/__sandbox/snapshots/f");
  ASSERT_EQ(fixture.status, 200);
  const json body = jsonOf(fixture);
  EXPECT_EQ(body["liaison_snapshot"], 1);
  // No signing key, no plaintext secrets.
  EXPECT_EQ(fixture.body.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(fixture.body.find(token_), std::string::npos);
  EXPECT_EQ(fixture.body.find("sandbox-secret"), std::string::npos);

  ManualClock clock(fromUnixSeconds(1'800'000'000));
  CryptoRandom random;
  sandbox::SandboxOptions options;
  options.profile = sandbox::Profile::Fast;
  options.seed = sandbox::SeedKind::Empty;
  sandbox::Sandbox other(options, clock, random, nullptr);
  ASSERT_TRUE(other.loadFixture(body).ok());
  http::Request get;
  get.method = "GET";
  get.target = "/v3/contacts?email=fixture@example.com";
  get.headers.set("Authorization", "Bearer " + token_);  // the fixture holds the token's hash
  auto found = other.handle(get);
  // Tokens are signed with each sandbox's own key, so the other sandbox rejects this one...
  EXPECT_EQ(found.status, 401);
  // ...but holds the same data (its "empty" seed was replaced by the fixture).
  http::Request again;
  again.method = "POST";
  again.target = "/__sandbox/snapshots";
  again.body = R"({"name":"mirror"})";
  ASSERT_EQ(other.handle(again).status, 201);
  again.method = "GET";
  again.target = "/__sandbox/snapshots/mirror";
  const std::string mirrored = other.handle(again).body;
  EXPECT_NE(mirrored.find("fixture@example.com"), std::string::npos);
  EXPECT_NE(mirrored.find("sandbox-client"), std::string::npos);
  EXPECT_EQ(jsonOf(other.handle(again))["documents"].size(), body["documents"].size());

  auto broken = body;
  broken["documents"][0]["kind"] = "weird";
  EXPECT_FALSE(other.loadFixture(broken).ok());
  EXPECT_FALSE(other.loadFixture(json::object()).ok());
  EXPECT_EQ(control("PUT", "/__sandbox/snapshots/x", "[1,2]").status, 400);
  EXPECT_EQ(control("PUT", "/__sandbox/snapshots/copy", fixture.body).status, 200);
}

TEST_F(SnapshotsTest, ASnapshotWithADocumentOfTheWrongShapeIsRefusedOnRestoreAndChangesNothing) {
  create("kept@example.com");
  const std::string tags_before = call("GET", "/v3/contact_tags").body;
  // Found by the fuzz target: a tag document without a name threw while being loaded.
  const std::string fixture =
      R"({"liaison_snapshot": 1, "documents": [{"kind": "tag", "id": "t1", "value": {"switches": {}}}]})";
  ASSERT_EQ(control("PUT", "/__sandbox/snapshots/odd", fixture).status, 200);
  const auto restored = control("POST", "/__sandbox/snapshots/odd/restore");
  EXPECT_EQ(restored.status, 400) << restored.body;
  EXPECT_EQ(jsonOf(restored)[0]["error_key"], "sandbox.validation.error");
  EXPECT_EQ(contactCount(), 1u);
  EXPECT_EQ(call("GET", "/v3/contact_tags").body, tags_before);
}

}  // namespace
}  // namespace liaison::testing
