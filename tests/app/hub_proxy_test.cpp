// /proxy/v3: the host app's CC calls through the hub, against the in-process sandbox. The app
// never holds a token; the hub picks the connection's, refuses what cannot succeed without
// spending a CC call, renews a refused token once, retries what is safe to repeat, and answers
// a repeated idempotent POST with the first answer.
#include "app/hub_proxy_fixture.h"

namespace liaison::testing {
namespace {

// Every test runs twice: as the blocking handler answers, and as the server's event loop does
// (the call at hand in memory goes out from the loop; here, at CC's 4 calls a second, the budget
// never leases a call ahead, so each goes on on the blocking pool).
class HubProxyTest : public ProxyFixture, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    on_event_loop_ = GetParam();
    ProxyFixture::SetUp();
  }
};

TEST_P(HubProxyTest, ACallGoesOutWithTheConnectionsOwnTokenAndComesBackAsCcAnswered) {
  const std::string id = connectByDevice("user-1");
  clock_.advance(std::chrono::seconds(2));  // connecting spent this second's budget
  const size_t before = http_->exchanges.size();
  auto list = proxy("GET", "/proxy/v3/contacts?limit=2", id);
  ASSERT_EQ(list.status, 200) << list.body.dump();
  EXPECT_TRUE(list.body.contains("contacts")) << list.body.dump();
  EXPECT_EQ(list.raw.headers.get("Content-Type").value_or("").find("application/json"), 0u);
  EXPECT_EQ(list.raw.headers.get("Liaison-Upstream"), std::optional<std::string>("cc"));
  EXPECT_TRUE(list.raw.headers.get("Liaison-Budget-Remaining-Day"));
  EXPECT_EQ(list.raw.headers.get("Liaison-Queue-Wait-Ms"), std::optional<std::string>("0"));
  ASSERT_EQ(http_->exchanges.size(), before + 1);
  const auto& sent = http_->exchanges.back();
  EXPECT_EQ(sent.url, std::string(kSandboxOrigin) + "/v3/contacts?limit=2");
  // The token the hub holds for this connection, never the hub API key.
  const auto c = *hub_->parts().connections.find(id);
  auto token = hub_->parts().vault->open(c->sealed_access_token, hub::accessTokenContext(id));
  ASSERT_TRUE(token);
  EXPECT_EQ(sent.headers.get("Authorization"), std::optional<std::string>("Bearer " + token->reveal()));
  // The body the app sends reaches CC, and CC's error comes back verbatim.
  auto bad = proxy("POST", "/proxy/v3/contacts", id, {{"first_name", "No email"}});
  EXPECT_EQ(bad.status, 400) << bad.body.dump();
  EXPECT_EQ(bad.raw.headers.get("Liaison-Upstream"), std::optional<std::string>("cc"));
  EXPECT_FALSE(bad.body.contains("error") && bad.body["error"].is_object()) << "CC's own error format";
  // Past CC's 4 calls a second, a call waits its turn and says how long.
  int64_t longest_wait = 0;
  for (int i = 0; i < 6; ++i) {
    auto call = proxy("GET", "/proxy/v3/contacts?limit=1", id);
    ASSERT_EQ(call.status, 200);
    longest_wait =
        std::max<int64_t>(longest_wait, std::stoll(*call.raw.headers.get("Liaison-Queue-Wait-Ms")));
  }
  EXPECT_GT(longest_wait, 0);
  EXPECT_LE(longest_wait, 1000);
}

// budget.window_margin_ms widens CC's second for calls that reach CC unevenly delayed: the fifth
// call in a row goes a second and the margin after the first.
TEST_P(HubProxyTest, TheWindowMarginSpacesCallsASecondAndTheMarginApart) {
  window_margin_ms_ = 25;
  startHub();
  const std::string id = connectByDevice("user-1");
  clock_.advance(std::chrono::seconds(2));
  std::vector<int64_t> waits;
  for (int i = 0; i < 5; ++i) {
    auto call = proxy("GET", "/proxy/v3/contacts?limit=1", id);
    ASSERT_EQ(call.status, 200) << call.body.dump();
    waits.push_back(std::stoll(*call.raw.headers.get("Liaison-Queue-Wait-Ms")));
  }
  EXPECT_EQ(waits, (std::vector<int64_t>{0, 0, 0, 0, 1025}));
}

TEST_P(HubProxyTest, RefusedTargetsConnectionsAndOperationsCostNoCcCall) {
  const std::string id = connectByDevice("user-1");
  const size_t before = http_->exchanges.size();
  EXPECT_EQ(proxy("GET", "/proxy/v3/../admin", id).status, 400);
  EXPECT_EQ(proxy("GET", "/proxy/http://evil.example/v3/contacts", id).status, 400);
  EXPECT_EQ(proxy("GET", "/proxy/v3/contacts%2F..%2Fx", id).status, 400);
  EXPECT_EQ(proxy("GET", "/proxy/v3/contacts", id, nullptr, {{"X-Forwarded-Host", "evil.example"}}).status,
            400);
  auto no_connection = proxy("GET", "/proxy/v3/contacts", "");
  EXPECT_EQ(no_connection.status, 400);
  EXPECT_EQ(no_connection.body["error"]["code"], "proxy.connection_required");
  EXPECT_EQ(proxy("GET", "/proxy/v3/contacts", "conn_nope").status, 404);
  EXPECT_EQ(proxy("TRACE", "/proxy/v3/contacts", id).status, 405);
  // Without the hub API key: 401 in the hub's format.
  http::Request anonymous;
  anonymous.method = "GET";
  anonymous.target = "/proxy/v3/contacts";
  anonymous.headers.set("Liaison-Connection-Id", id);
  EXPECT_EQ(hub_->handle(anonymous).status, 401);
  // A connection of another CC app is not this app's to use.
  auto c = *hub_->parts().connections.find(id);
  c->id = "conn_other_app";
  c->app_id = "another-app";
  c->account_id = "acct-other";
  ASSERT_TRUE(hub_->parts().connections.insert(*c));
  EXPECT_EQ(proxy("GET", "/proxy/v3/contacts", "conn_other_app").status, 404);
  // The user lacks the privilege: the hub says which, and which role has it.
  ASSERT_TRUE(hub_->parts().connections.savePrivileges(id, {"account:read", "contacts:read"}, clock_.now()));
  auto write = proxy("POST", "/proxy/v3/contacts", id, {{"email_address", {{"address", "a@b.example"}}}});
  EXPECT_EQ(write.status, 403);
  EXPECT_EQ(write.body["error"]["code"], "proxy.missing_privilege");
  EXPECT_NE(write.body["error"]["remedy"].get<std::string>().find("role"), std::string::npos);
  EXPECT_EQ(http_->exchanges.size(), before) << "no CC call for a refused request";
}

TEST_P(HubProxyTest, AScopeTheConnectionLacksIsRefusedWithTheReconnectFix) {
  const std::string id = connectWithScopes("user-2", {"account_read", "offline_access"});
  ASSERT_FALSE(id.empty());
  const size_t before = ccCalls("/v3/contacts");
  auto refused = proxy("GET", "/proxy/v3/contacts", id);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.body["error"]["code"], "proxy.missing_scope");
  EXPECT_NE(refused.body["error"]["remedy"].get<std::string>().find("contact_data"), std::string::npos);
  EXPECT_EQ(ccCalls("/v3/contacts"), before);
  EXPECT_EQ(proxy("GET", "/proxy/v3/account/summary", id).status, 200);
}

// The hub API key and the connection's row and privileges are read for a call and serve the
// calls of the next second: this process's own changes show at once, another process's (here a
// second connection to the same store) within that second.
TEST_P(HubProxyTest, KeysAndConnectionsReadForACallServeTheNextSecondAndChangesShowInTime) {
  const std::string id = connectByDevice("user-1");
  const std::string other_id = connectByDevice("user-2");
  clock_.advance(std::chrono::seconds(2));
  ASSERT_EQ(proxy("GET", "/proxy/v3/account/summary", id).status, 200);
  ASSERT_EQ(proxy("GET", "/proxy/v3/account/summary", other_id).status, 200);
  hub::HubDatabase other_process(store_location_, app::hubExtraMigrations());
  hub::ConnectionRepository connections(other_process);
  hub::ApiKeyRepository keys(other_process);
  ASSERT_TRUE(connections.setStatus(id, hub::ConnectionStatus::Disconnected, clock_.now()).ok());
  ASSERT_TRUE(*keys.revoke("tests", clock_.now()));
  EXPECT_EQ(proxy("GET", "/proxy/v3/account/summary", id).status, 200) << "within the second";
  clock_.advance(std::chrono::milliseconds(1000));
  auto refused = proxy("GET", "/proxy/v3/account/summary", id);
  EXPECT_EQ(refused.status, 401) << "the key's revocation shows after the second";
  api_key_ = hub_->createApiKey("tests-2").first;  // a write of this process: every cached key goes
  refused = proxy("GET", "/proxy/v3/account/summary", id);
  EXPECT_EQ(refused.status, 409) << refused.body.dump();
  EXPECT_EQ(refused.body["error"]["code"], "connection_not_active");
  // A change this process makes shows at once.
  ASSERT_EQ(proxy("GET", "/proxy/v3/account/summary", other_id).status, 200);
  ASSERT_TRUE(
      hub_->parts().connections.setStatus(other_id, hub::ConnectionStatus::Disconnected, clock_.now()).ok());
  EXPECT_EQ(proxy("GET", "/proxy/v3/account/summary", other_id).status, 409);
  ASSERT_TRUE(*hub_->parts().keys.revoke("tests-2", clock_.now()));
  EXPECT_EQ(proxy("GET", "/proxy/v3/account/summary", other_id).status, 401);
}

TEST_P(HubProxyTest, ATokenCcRefusesIsRenewedOnceAndTheCallSentAgain) {
  const std::string id = connectByDevice("user-1");
  const auto generation = (*hub_->parts().connections.find(id))->token_generation;
  failNext("getContacts", 1, 401);
  auto list = proxy("GET", "/proxy/v3/contacts", id);
  EXPECT_EQ(list.status, 200) << list.body.dump();
  EXPECT_EQ((*hub_->parts().connections.find(id))->token_generation, generation + 1) << "renewed once";
  EXPECT_EQ(ccCalls("/v3/contacts"), 2u);
}

TEST_P(HubProxyTest, FailuresAreRetriedOnlyWhenTheCallIsSafeToRepeat) {
  const std::string id = connectByDevice("user-1");
  failNext("getContacts", 2, 503);
  auto list = proxy("GET", "/proxy/v3/contacts", id);
  EXPECT_EQ(list.status, 200) << "two 503s, then the third attempt";
  EXPECT_EQ(ccCalls("/v3/contacts"), 3u);
  // A POST without an Idempotency-Key is sent once: CC's 503 comes back as it is.
  failNext("createContact", 1, 503);
  const size_t before = ccCalls("/v3/contacts");
  auto created = proxy("POST", "/proxy/v3/contacts", id,
                       {{"email_address", {{"address", "once@example.com"}}}, {"create_source", "Account"}});
  EXPECT_EQ(created.status, 503);
  EXPECT_EQ(ccCalls("/v3/contacts"), before + 1);
}

// A large body the server hands over as a stream (over HTTP: Request::body_stream) goes on to
// CC as it is read; once CC began to receive it, it is never sent again.
TEST_P(HubProxyTest, AStreamedBodyGoesOnToCcAndIsNeverSentTwice) {
  const std::string id = connectByDevice("user-1");
  clock_.advance(std::chrono::seconds(2));
  auto list = proxy("POST", "/proxy/v3/contact_lists", id, {{"name", "Bulk"}});
  ASSERT_EQ(list.status, 201) << list.body.dump();
  nlohmann::json rows = nlohmann::json::array();
  for (int i = 0; i < 24000; ++i) {  // about 1.2 MB
    rows.push_back({{"email", "bulk" + std::to_string(i) + "@example.com"}, {"first_name", "Bulk"}});
  }
  const std::string import =
      nlohmann::json{{"import_data", rows}, {"list_ids", {list.body["list_id"]}}}.dump();
  ASSERT_GT(import.size(), 1024u * 1024u);
  const auto streamed = [&](const std::string& method, const std::string& target, const std::string& body) {
    http::Request request;
    request.method = method;
    request.target = target;
    request.remote_address = "127.0.0.1";
    request.headers.set("Authorization", "Bearer " + api_key_);
    request.headers.set("Liaison-Connection-Id", id);
    request.headers.set("Content-Type", "application/json");
    request.body_stream = http::bodyStreamOf(body);
    request.body_size = body.size();
    return hub_->handle(request);
  };
  clock_.advance(std::chrono::seconds(2));
  auto accepted = streamed("POST", "/proxy/v3/activities/contacts_json_import", import);
  EXPECT_EQ(accepted.status, 201) << accepted.body.substr(0, 300);
  ASSERT_FALSE(http_->exchanges.empty());
  EXPECT_EQ(http_->exchanges.back().request_body, import) << "the whole body reached CC";

  // CC answers 503 to a streamed PUT: safe to repeat, but the body is spent, so CC's answer comes back.
  const std::string update = nlohmann::json{
      {"email_address", {{"address", "p@example.com"}}},
      {"first_name", std::string(100, 'n')},
      {"update_source",
       "Account"}}.dump();
  failNext("putContact", 1, 503);
  size_t before = ccCalls("/v3/contacts/");
  EXPECT_EQ(streamed("PUT", "/proxy/v3/contacts/00000000-0000-0000-0000-000000000000", update).status, 503);
  EXPECT_EQ(ccCalls("/v3/contacts/"), before + 1);

  // A 401: the token is renewed for the next call, and CC's 401 comes back (the body is spent).
  const auto generation = (*hub_->parts().connections.find(id))->token_generation;
  failNext("putContact", 1, 401);
  before = ccCalls("/v3/contacts/");
  EXPECT_EQ(streamed("PUT", "/proxy/v3/contacts/00000000-0000-0000-0000-000000000000", update).status, 401);
  EXPECT_EQ(ccCalls("/v3/contacts/"), before + 1);
  EXPECT_EQ((*hub_->parts().connections.find(id))->token_generation, generation + 1) << "renewed";
}

TEST_P(HubProxyTest, AnIdempotentPostIsAnsweredOnceAndReplayedForTwentyFourHours) {
  const std::string id = connectByDevice("user-1");
  const nlohmann::json contact = {{"email_address", {{"address", "idem@example.com"}}},
                                  {"create_source", "Account"}};
  // CC fails first; the key makes the POST safe to retry.
  failNext("createContact", 1, 503);
  auto first = proxy("POST", "/proxy/v3/contacts", id, contact, {{"Idempotency-Key", "order-42"}});
  ASSERT_EQ(first.status, 201) << first.body.dump();
  const size_t calls = ccCalls("/v3/contacts");
  auto again = proxy("POST", "/proxy/v3/contacts", id, contact, {{"Idempotency-Key", "order-42"}});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.raw.headers.get("Liaison-Idempotent-Replay"), std::optional<std::string>("true"));
  EXPECT_EQ(ccCalls("/v3/contacts"), calls) << "the replay spends no CC call";
  auto other = proxy("POST", "/proxy/v3/contacts", id, {{"email_address", {{"address", "x@example.com"}}}},
                     {{"Idempotency-Key", "order-42"}});
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(other.body["error"]["code"], "proxy.idempotency_key_reused");
  // The kept answer is sealed: the contact's address is not in the database in plaintext.
  auto sealed = hub_->parts().idempotency->sealedValues();
  ASSERT_TRUE(sealed);
  ASSERT_EQ(sealed->size(), 1u);
  EXPECT_EQ((*sealed)[0].find("idem@example.com"), std::string::npos);
  // After 24 hours the key is free again.
  clock_.advance(std::chrono::hours(25));
  hub_->tick();
  auto later = proxy("POST", "/proxy/v3/contacts", id, contact, {{"Idempotency-Key", "order-42"}});
  EXPECT_FALSE(later.raw.headers.get("Liaison-Idempotent-Replay"));
  EXPECT_EQ(later.raw.headers.get("Liaison-Upstream"), std::optional<std::string>("cc"));
}

TEST_P(HubProxyTest, ACallTheBudgetHasNoRoomForInTimeGetsTheHubs429WithRetryAfter) {
  const std::string id = connectByDevice("user-1");
  max_queue_wait_ms_ = 0;  // no waiting at all: a full second refuses at once
  startHub();              // the same store, restarted with the new setting
  clock_.advance(std::chrono::seconds(2));
  int refused = 0;
  for (int i = 0; i < 6; ++i) {
    const size_t before = ccCalls("/v3/contacts");
    auto call = proxy("GET", "/proxy/v3/contacts?limit=1", id);
    if (call.status != 429) {
      EXPECT_EQ(call.status, 200) << call.body.dump();
      continue;
    }
    ++refused;
    EXPECT_EQ(call.body["error"]["code"], "rate_limited");
    EXPECT_TRUE(call.raw.headers.get("Retry-After"));
    EXPECT_GE(std::stoi(call.raw.headers.get("Retry-After").value_or("0")), 1);
    EXPECT_FALSE(call.raw.headers.get("Liaison-Upstream")) << "the hub's answer, not CC's";
    EXPECT_EQ(ccCalls("/v3/contacts"), before) << "a refused call never reaches CC";
  }
  EXPECT_EQ(refused, 2) << "CC's 4 calls a second: the fifth and sixth are refused";
}

// T28, the hub's side: at the day's quota the host app's calls get 429 quota_exceeded naming
// 00:00 UTC, background work stops without reaching CC, and at midnight (on the virtual clock)
// everything resumes: the refused calls go through when repeated, an idempotent POST is made
// exactly once, and the health poll that was due runs.
TEST_P(HubProxyTest, T28AtTheDaysQuotaWorkPausesAndResumesAtMidnightUtcWithNothingLost) {
  requests_per_day_ = 30;
  startHub();
  const std::string id = connectByDevice("user-1");
  const TimePoint midnight = fromUnixSeconds((toUnixSeconds(clock_.now()) / 86400 + 1) * 86400);
  int answered = 0;
  Answer refused;
  for (int i = 0; i < 40 && refused.status == 0; ++i) {
    auto call = proxy("GET", "/proxy/v3/account/summary", id);
    if (call.status == 200) {
      ++answered;
    } else {
      refused = call;
    }
  }
  ASSERT_EQ(refused.status, 429) << refused.body.dump();
  EXPECT_GT(answered, 0);
  EXPECT_EQ(refused.body["error"]["code"], "quota_exceeded");
  EXPECT_EQ(refused.raw.headers.get("Liaison-Budget-Resets-At").value_or(""), formatIso8601(midnight));
  EXPECT_EQ(std::stoll(refused.raw.headers.get("Retry-After").value_or("0")),
            std::chrono::duration_cast<std::chrono::seconds>(midnight - clock_.now()).count());
  EXPECT_EQ(refused.raw.headers.get("Liaison-Budget-Remaining-Day").value_or(""), "0");

  // The rest of the day: an idempotent POST is refused, background rounds make no CC call.
  const nlohmann::json contact = {{"email_address", {{"address", "t28@example.com"}}},
                                  {"create_source", "Account"}};
  const std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "t28-order"}};
  EXPECT_EQ(proxy("POST", "/proxy/v3/contacts", id, contact, key).status, 429);
  const size_t calls_at_quota = http_->exchanges.size();
  clock_.advance(std::chrono::minutes(20));  // the connection's health poll is due
  hub_->tick();
  clock_.advance(std::chrono::duration_cast<std::chrono::milliseconds>(midnight - clock_.now()) -
                 std::chrono::seconds(1));
  hub_->tick();
  EXPECT_EQ(proxy("GET", "/proxy/v3/account/summary", id).status, 429);
  EXPECT_EQ(http_->exchanges.size(), calls_at_quota) << "nothing reaches CC while the day is spent";

  // 00:00 UTC: a new day.
  clock_.advance(std::chrono::seconds(1));
  const auto health_calls = ccCalls("/v3/account/user/privileges");
  hub_->tick();
  EXPECT_EQ(ccCalls("/v3/account/user/privileges"), health_calls + 1) << "the due health poll ran";
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(proxy("GET", "/proxy/v3/account/summary", id).status, 200);
  const auto created = proxy("POST", "/proxy/v3/contacts", id, contact, key);
  EXPECT_EQ(created.status, 201) << created.body.dump();
  const auto again = proxy("POST", "/proxy/v3/contacts", id, contact, key);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.raw.headers.get("Liaison-Idempotent-Replay").value_or(""), "true");
  EXPECT_EQ(ccCalls("/v3/contacts"), 1u) << "the contact was created exactly once";
  const auto budget = hubCall("GET", "/api/v1/budget").body["apps"][0];
  EXPECT_EQ(budget["resets_at"], formatIso8601(midnight + std::chrono::hours(24)));
  EXPECT_LE(budget["used_today"].get<int>(), 30);
}

INSTANTIATE_TEST_SUITE_P(Paths, HubProxyTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "EventLoop" : "Blocking"; });

}  // namespace
}  // namespace liaison::testing
