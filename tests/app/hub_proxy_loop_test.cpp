// /proxy/v3 from the server's event loop with the budget raised so that it leases calls ahead: a
// call whose key, connection, privileges and budget are at hand in memory goes out from the loop
// (no thread waits on CC), with its own connection's token, counted in the shared budget like any
// other; a 401 or a failure worth retrying goes on on the blocking pool exactly as there.
#include "app/hub_proxy_fixture.h"

namespace liaison::testing {
namespace {

class ProxyLoopTest : public ProxyFixture {
 protected:
  void SetUp() override {
    requests_per_second_ = 1000;
    on_event_loop_ = true;
    ProxyFixture::SetUp();
  }
  // Enough calls at one instant that the budget leases calls ahead and the caches hold the rows.
  void warmUp(const std::string& id) {
    for (int i = 0; i < 40; ++i) ASSERT_EQ(proxy("GET", "/proxy/v3/account/summary", id).status, 200);
  }
  std::string tokenOf(const std::string& id) {
    const auto c = *hub_->parts().connections.find(id);
    auto token = hub_->parts().vault->open(c->sealed_access_token, hub::accessTokenContext(id));
    return token ? token->reveal() : "";
  }
};

TEST_F(ProxyLoopTest, WarmCallsGoOutFromTheLoopEachWithItsOwnConnectionsTokenAndAreCounted) {
  const std::string a = connectByDevice("user-a");
  const std::string b = connectByDevice("user-b");
  clock_.advance(std::chrono::seconds(2));
  warmUp(a);
  warmUp(b);
  const int loop_before = loop_sends_;
  const size_t exchanges_before = http_->exchanges.size();
  for (int i = 0; i < 60; ++i) {
    const std::string& id = i % 2 == 0 ? a : b;
    auto answer = proxy("GET", "/proxy/v3/contacts?limit=1", id);
    ASSERT_EQ(answer.status, 200) << answer.body.dump();
    EXPECT_EQ(answer.raw.headers.get("Liaison-Upstream"), std::optional<std::string>("cc"));
    EXPECT_TRUE(answer.raw.headers.get("Liaison-Budget-Remaining-Day"));
    EXPECT_EQ(http_->exchanges.back().headers.get("Authorization"),
              std::optional<std::string>("Bearer " + tokenOf(id)))
        << "call " << i;
  }
  EXPECT_EQ(http_->exchanges.size(), exchanges_before + 60) << "one CC call per proxied call";
  EXPECT_GE(loop_sends_ - loop_before, 50) << "most calls went out from the loop";
  // The budget counts every call, those sent from the loop included.
  const int64_t sent_to_v3 =
      static_cast<int64_t>(std::count_if(http_->exchanges.begin(), http_->exchanges.end(), [](const auto& e) {
        return e.url.starts_with(std::string(kSandboxOrigin) + "/v3/");
      }));
  auto budget = hubCall("GET", "/api/v1/budget");
  ASSERT_EQ(budget.status, 200) << budget.body.dump();
  EXPECT_EQ(budget.body["apps"][0]["used_today"].get<int64_t>(), sent_to_v3) << budget.body.dump();
}

TEST_F(ProxyLoopTest, ATokenCcRefusesOnTheLoopIsRenewedOnTheBlockingPoolAndTheCallSentAgain) {
  const std::string id = connectByDevice("user-1");
  clock_.advance(std::chrono::seconds(2));
  warmUp(id);
  const auto generation = (*hub_->parts().connections.find(id))->token_generation;
  const int loop_before = loop_sends_;
  failNext("getContacts", 1, 401);
  auto list = proxy("GET", "/proxy/v3/contacts", id);
  EXPECT_EQ(list.status, 200) << list.body.dump();
  EXPECT_EQ(loop_sends_ - loop_before, 1) << "the first attempt went from the loop";
  EXPECT_EQ((*hub_->parts().connections.find(id))->token_generation, generation + 1) << "renewed once";
  EXPECT_EQ(ccCalls("/v3/contacts"), 2u);
  EXPECT_EQ(http_->exchanges.back().headers.get("Authorization"),
            std::optional<std::string>("Bearer " + tokenOf(id)));
}

TEST_F(ProxyLoopTest, OnTheLoopFailuresAreRetriedOnlyWhenTheCallIsSafeToRepeat) {
  const std::string id = connectByDevice("user-1");
  clock_.advance(std::chrono::seconds(2));
  warmUp(id);
  int loop_before = loop_sends_;
  failNext("getContacts", 2, 503);
  auto list = proxy("GET", "/proxy/v3/contacts", id);
  EXPECT_EQ(list.status, 200) << "two 503s, then the third attempt";
  EXPECT_EQ(ccCalls("/v3/contacts"), 3u);
  EXPECT_EQ(loop_sends_ - loop_before, 1);
  // A POST without an Idempotency-Key is sent once, from the loop: CC's 503 comes back as it is.
  loop_before = loop_sends_;
  failNext("createContact", 1, 503);
  const size_t before = ccCalls("/v3/contacts");
  auto created = proxy("POST", "/proxy/v3/contacts", id,
                       {{"email_address", {{"address", "once@example.com"}}}, {"create_source", "Account"}});
  EXPECT_EQ(created.status, 503);
  EXPECT_EQ(ccCalls("/v3/contacts"), before + 1);
  EXPECT_EQ(loop_sends_ - loop_before, 1);
}

TEST_F(ProxyLoopTest, AChangeThisProcessMakesShowsAtOnceOnTheLoop) {
  const std::string id = connectByDevice("user-1");
  clock_.advance(std::chrono::seconds(2));
  warmUp(id);
  ASSERT_TRUE(
      hub_->parts().connections.setStatus(id, hub::ConnectionStatus::Disconnected, clock_.now()).ok());
  const size_t before = http_->exchanges.size();
  auto refused = proxy("GET", "/proxy/v3/account/summary", id);
  EXPECT_EQ(refused.status, 409) << refused.body.dump();
  EXPECT_EQ(http_->exchanges.size(), before) << "no CC call";
  ASSERT_TRUE(*hub_->parts().keys.revoke("tests", clock_.now()));
  EXPECT_EQ(proxy("GET", "/proxy/v3/account/summary", id).status, 401);
}

}  // namespace
}  // namespace liaison::testing
