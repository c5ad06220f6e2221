// docs/ERRORS.md: "If a write fails, in-memory state is reloaded from the store, and the caller
// gets 500 — nothing is acknowledged that is not durable." A store that fails on demand stands in
// for a full disk; the sandbox is reached through an in-process HttpClient.
#include "sandbox/sandbox_fixture.h"
#include "support/failing_store.h"
#include "support/in_process_http_client.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

class WriteFailureTest : public ::testing::Test {
 protected:
  WriteFailureTest()
      : clock_(fromUnixSeconds(1'800'000'000)),
        sandbox_(std::make_unique<sandbox::Sandbox>(testSandboxOptions(), clock_, random_, &store_)),
        http_([this](http::Request& r) { return sandbox_->handle(r); }),
        client_(clientTransport("http://sandbox.test", http_)) {}

  void SetUp() override {
    auto tokens = deviceFlowTokens(client_, "contact_data");
    ASSERT_TRUE(tokens.contains("access_token")) << tokens.dump();
    token_ = tokens["access_token"];
  }

  http::Response call(const std::string& method, const std::string& target, const json& body = nullptr) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + token_}};
    if (body.is_null()) return client_.send(method, target, "", headers);
    headers.emplace_back("Content-Type", "application/json");
    return client_.send(method, target, body.dump(), headers);
  }
  size_t found(const std::string& email) {
    return jsonOf(call("GET", "/v3/contacts?status=all&email=" + email))["contacts"].size();
  }

  ManualClock clock_;
  CryptoRandom random_;
  FailingDocumentStore store_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  InProcessHttpClient http_;
  SandboxClient client_;
  std::string token_;
};

TEST_F(WriteFailureTest, AFailedWriteAnswers500AndLeavesNoTrace) {
  const json contact = {{"email_address", {{"address", "lost@example.com"}}}, {"create_source", "Account"}};
  store_.failNextCommits(1);
  auto refused = call("POST", "/v3/contacts", contact);
  EXPECT_EQ(refused.status, 500) << refused.body;
  EXPECT_EQ(store_.failedCommits(), 1);
  EXPECT_EQ(found("lost%40example.com"), 0u);
  // The address is free: the failed create reserved nothing.
  auto created = call("POST", "/v3/contacts", contact);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(found("lost%40example.com"), 1u);

  // The same for a list and for an app registered through the control API.
  store_.failNextCommits(1);
  EXPECT_EQ(call("POST", "/v3/contact_lists", {{"name", "Never"}}).status, 500);
  EXPECT_EQ(jsonOf(call("GET", "/v3/contact_lists?name=Never"))["lists"].size(), 0u);
  EXPECT_EQ(call("POST", "/v3/contact_lists", {{"name", "Never"}}).status, 201);  // the name is free
  store_.failNextCommits(1);
  EXPECT_EQ(client_.postJson("/__sandbox/apps", {{"client_id", "never"}, {"confidential", false}}).status,
            500);
  EXPECT_EQ(client_.get("/__sandbox/apps").body.find("\"never\""), std::string::npos);

  // A sandbox restarted on the store holds exactly what was acknowledged.
  sandbox_ = std::make_unique<sandbox::Sandbox>(testSandboxOptions(), clock_, random_, &store_);
  EXPECT_EQ(found("lost%40example.com"), 1u);
}

}  // namespace
}  // namespace liaison::testing
