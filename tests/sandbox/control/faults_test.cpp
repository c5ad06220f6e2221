// Fault rules (status, reset, commit-then-drop, probability with a seed) and the request journal.
#include "sandbox/contacts_fixture.h"

namespace liaison::testing {
namespace {

bool dropped(const http::Response& response) { return response.abort_connection || response.status == 599; }

TEST_F(ContactsTest, StatusFaultFiresCountTimesForItsOperation) {
  auto rule = client_.postJson("/__sandbox/faults", {{"operation", "getContacts"}, {"count", 2},
                                                     {"action", {{"type", "status"}, {"status", 503}}}});
  ASSERT_EQ(rule.status, 201) << rule.body;
  auto first = call("GET", "/v3/contacts");
  EXPECT_EQ(first.status, 503);
  EXPECT_EQ(jsonOf(first)[0]["error_key"], "http.status.service_unavailable");
  EXPECT_EQ(call("GET", "/v3/contacts/counts").status, 200);  // another operation: untouched
  EXPECT_EQ(call("GET", "/v3/contacts").status, 503);
  EXPECT_EQ(call("GET", "/v3/contacts").status, 200);
  EXPECT_EQ(jsonOf(client_.get("/__sandbox/faults"))[0]["remaining"], 0);
}

TEST_F(ContactsTest, CommitThenDropLosesTheResponseButNotTheWrite) {
  ASSERT_EQ(client_.postJson("/__sandbox/faults", {{"operation", "createContact"}, {"count", 1},
                                                   {"action", {{"type", "drop_after_commit"}}}}).status, 201);
  auto response = call("POST", "/v3/contacts", {{"email_address", {{"address", "lost@example.com"}}}, {"create_source", "Account"}});
  EXPECT_TRUE(dropped(response));
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?email=lost%40example.com"))["contacts"].size(), 1u);
  ASSERT_EQ(client_.postJson("/__sandbox/faults", {{"operation", "createContact"}, {"count", 1},
                                                   {"action", {{"type", "reset"}}}}).status, 201);
  auto reset = call("POST", "/v3/contacts", {{"email_address", {{"address", "never@example.com"}}}, {"create_source", "Account"}});
  EXPECT_TRUE(dropped(reset));
  EXPECT_EQ(jsonOf(call("GET", "/v3/contacts?email=never%40example.com"))["contacts"].size(), 0u);
}

TEST_F(ContactsTest, ProbabilisticFaultsRepeatForTheSameSeed) {
  auto pattern = [&] {
    client_.send("DELETE", "/__sandbox/faults");
    client_.postJson("/__sandbox/faults", {{"probability", 0.5}, {"seed", 42}, {"action", {{"type", "status"}, {"status", 500}}}});
    std::string out;
    for (int i = 0; i < 40; ++i) out += call("GET", "/v3/contacts/counts").status == 500 ? 'x' : '.';
    return out;
  };
  const auto first = pattern();
  EXPECT_EQ(first, pattern());
  EXPECT_NE(first.find('x'), std::string::npos);
  EXPECT_NE(first.find('.'), std::string::npos);
}

TEST_F(ContactsTest, JournalNamesAccountClientAndOutcome) {
  call("GET", "/v3/contacts/counts");
  auto entries = jsonOf(client_.get("/__sandbox/journal?limit=1"));
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["operation"], "countContact");
  EXPECT_EQ(entries[0]["account_id"], "a07e1sandbox01");
  EXPECT_EQ(entries[0]["client_id"], "sandbox-client");
  EXPECT_EQ(entries[0]["status"], 200);
}

TEST_F(ContactsTest, BadFaultRulesAreRefused) {
  EXPECT_EQ(client_.postJson("/__sandbox/faults", {{"action", {{"type", "explode"}}}}).status, 400);
  EXPECT_EQ(client_.postJson("/__sandbox/faults", {{"probability", 2}, {"action", {{"type", "reset"}}}}).status, 400);
  EXPECT_EQ(client_.postJson("/__sandbox/faults", {{"action", {{"type", "status"}, {"status", 200}}}}).status, 400);
  EXPECT_EQ(client_.send("DELETE", "/__sandbox/faults/unknown").status, 404);
}

TEST_F(ContactsTest, FaultRulesNameAnOperationThatExists) {
  const nlohmann::json reset = {{"type", "reset"}};
  for (const char* operation : {"getContactz", "createcontact", "oauth.tokens", " getContacts"}) {
    auto refused = client_.postJson("/__sandbox/faults", {{"operation", operation}, {"action", reset}});
    EXPECT_EQ(refused.status, 400) << operation;
    EXPECT_EQ(jsonOf(refused)[0]["error_key"], "sandbox.validation.error") << operation;
  }
  for (const char* operation : {"getContacts", "createContact", "oauth.token", "oauth.keys", ""}) {
    EXPECT_EQ(client_.postJson("/__sandbox/faults", {{"operation", operation}, {"action", reset}}).status,
              201)
        << operation;
  }
  EXPECT_EQ(jsonOf(client_.get("/__sandbox/faults")).size(), 5u);
}

TEST_F(ContactsTest, FaultCountIsAbsentForNoLimitOrAtLeastOne) {
  const nlohmann::json reset = {{"type", "reset"}};
  for (const nlohmann::json& count : {nlohmann::json(-1), nlohmann::json(0), nlohmann::json(-5),
                                      nlohmann::json(1.5), nlohmann::json(3000000000LL)}) {
    EXPECT_EQ(client_.postJson("/__sandbox/faults", {{"count", count}, {"action", reset}}).status, 400)
        << count.dump();
  }
  EXPECT_EQ(client_.postJson("/__sandbox/faults", {{"count", 1}, {"action", reset}}).status, 201);
  EXPECT_EQ(client_.postJson("/__sandbox/faults", {{"action", reset}}).status, 201);
  const auto rules = jsonOf(client_.get("/__sandbox/faults"));
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0]["remaining"], 1);
  EXPECT_EQ(rules[1]["remaining"], -1);  // absent: no limit
}

TEST_F(ContactsTest, AFaultRuleFieldOfTheWrongJsonTypeIs400) {
  using nlohmann::json;
  const json reset = {{"type", "reset"}};
  const json status = {{"type", "status"}, {"status", 503}};
  const json latency = {{"type", "latency"}, {"ms", 10}};
  const std::vector<json> rules = {
      {{"operation", 5}, {"action", reset}},
      {{"account_id", true}, {"action", reset}},
      {{"client_id", json::array()}, {"action", reset}},
      {{"probability", "0.5"}, {"action", reset}},
      {{"count", "2"}, {"action", reset}},
      {{"count", true}, {"action", reset}},
      {{"seed", -1}, {"action", reset}},
      {{"seed", 1.5}, {"action", reset}},
      {{"seed", "42"}, {"action", reset}},
      {{"action", "reset"}},
      {{"action", json::array({reset})}},
      {{"action", {{"type", 3}}}},
      {{"action", {{"type", "status"}, {"status", "503"}}}},
      {{"action", {{"type", "status"}, {"status", 503.5}}}},
      {{"action", {{"type", "status"}, {"status", 503}, {"error_key", 1}}}},
      {{"action", {{"type", "status"}, {"status", 503}, {"error_message", json::object()}}}},
      {{"action", {{"type", "latency"}, {"ms", "10"}}}},
      {{"action", {{"type", "latency"}, {"ms", 1.5}}}},
      {{"action", {{"type", "latency"}, {"ms", 1e300}}}},
  };
  for (const auto& rule : rules) {
    auto refused = client_.postJson("/__sandbox/faults", rule);
    EXPECT_EQ(refused.status, 400) << rule.dump();
    const auto body = json::parse(refused.body, nullptr, false);
    EXPECT_TRUE(body.is_array() && body[0].value("error_key", "") == "sandbox.validation.error")
        << refused.body;
  }
  EXPECT_EQ(jsonOf(client_.get("/__sandbox/faults")).size(), 0u);
  for (const auto& action : {reset, status, latency}) {
    EXPECT_EQ(
        client_.postJson("/__sandbox/faults", {{"probability", 1}, {"seed", 7}, {"action", action}}).status,
        201);
  }
}

}  // namespace
}  // namespace liaison::testing
