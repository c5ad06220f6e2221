// `liaison vault rotate` against a serving hub: every token and webhook secret is sealed again
// with the new data key, the old key is retired once nothing uses it, and a run that was cut
// short is finished by running it again.
#include <map>
#include <memory>

#include "app/hub_fixture.h"
#include "hub/api/webhook_routes.h"
#include "hub/webhooks/signature.h"

namespace liaison::testing {
namespace {

class HubKeyRotationTest : public HubFixture {
 protected:
  // A second hub on the same store plays the part of `liaison vault rotate` in another process.
  std::unique_ptr<app::HubRuntime> rotator() {
    app::HubConfig config;
    config.data_dir = dir_.path().string();
    if (testStoreIsPostgres()) config.store_url = store_location_;
    config.public_url = kHubUrl;
    config.cc_base_url = kSandboxOrigin;
    config.client_id = "hub-app";
    config.client_secret = Secret(client_secret_);
    app::HubRuntimeOptions options;
    options.waiter = [this](std::chrono::milliseconds ms) { clock_.advance(ms); };
    return std::make_unique<app::HubRuntime>(config, *http_, clock_, hub_random_, options);
  }

  // How many stored ciphertexts (tokens and webhook secrets) each data key version seals.
  std::map<int, int> ciphertextsByVersion() {
    std::map<int, int> out;
    // Held in locals: a range-for over `*list()` would walk a destroyed temporary.
    const auto connections = hub_->parts().connections.list("");
    for (const auto& listed : *connections) {
      const auto c = *hub_->parts().connections.find(listed.id);
      for (const auto* sealed : {&c->sealed_access_token, &c->sealed_refresh_token}) {
        if (auto v = hub::Vault::versionOf(*sealed)) ++out[*v];
      }
    }
    const auto webhooks = hub_->parts().webhook_repository->list();
    for (const auto& w : *webhooks) {
      if (auto v = hub::Vault::versionOf(w.sealed_secret)) ++out[*v];
    }
    return out;
  }
};

TEST_F(HubKeyRotationTest, RotationReSealsTokensAndWebhookSecretsAndTheServingHubFollows) {
  const std::string id = connectByDevice("user-1");
  auto created = hubCall("POST", "/api/v1/webhooks", {{"url", "https://app.example/hooks"}});
  ASSERT_EQ(created.status, 201);
  const std::string hook_id = created.body["id"];
  const std::string secret = created.body["secret"];
  const std::string hook_context = hub::api::webhookSecretContext(hook_id);
  const std::string sealed_before = hub_->parts().webhook_repository->get(hook_id)->sealed_secret;
  ASSERT_EQ(ciphertextsByVersion(), (std::map<int, int>{{1, 3}}));

  auto rotating = rotator();
  auto summary = rotating->resealAll(true);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_NE(summary->find("v2"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("1 connections and 1 webhook secrets sealed again"), std::string::npos) << *summary;
  // Nothing is sealed with v1 any more, so it is retired and opens nothing.
  EXPECT_NE(summary->find("1 older keys"), std::string::npos) << *summary;
  EXPECT_EQ(ciphertextsByVersion(), (std::map<int, int>{{2, 3}}));
  auto old_open = rotating->parts().vault->open(sealed_before, hook_context);
  ASSERT_FALSE(old_open);
  EXPECT_EQ(old_open.error().key, "vault.unknown_key");

  // The serving hub reads the new key, opens what the other process sealed, and the webhook's
  // secret is the one shown at its creation: the receiver changes nothing.
  hub_->tick();
  EXPECT_EQ(hub_->parts().vault->currentVersion(), 2);
  const std::string sealed_after = hub_->parts().webhook_repository->get(hook_id)->sealed_secret;
  auto opened = hub_->parts().vault->open(sealed_after, hook_context);
  ASSERT_TRUE(opened) << opened.error().key;
  EXPECT_EQ(opened->reveal(), secret);
  const auto c = *hub_->parts().connections.find(id);
  clock_.set(c->access_expires_at - std::chrono::seconds(300));
  hub_->tick();
  EXPECT_EQ((*hub_->parts().connections.find(id))->last_refresh_outcome, "ok");
  EXPECT_EQ(hubCall("DELETE", "/api/v1/connections/" + id).status, 204);
  hub_->tick();
  ASSERT_FALSE(http_->outside.empty());
  EXPECT_EQ(nlohmann::json::parse(http_->outside.back().body)["type"], "connection.deleted");
  for (const auto& sent : http_->outside) {
    const auto header = sent.headers.get("Liaison-Signature");
    ASSERT_TRUE(header);
    EXPECT_TRUE(hub::webhooks::verifySignature(*header, secret, sent.body, toUnixSeconds(clock_.now())));
  }

  // Running again finds nothing to do.
  auto again = rotating->resealAll(false);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_NE(again->find("0 connections and 0 webhook secrets sealed again"), std::string::npos) << *again;
}

// A rotation killed after making the new key (before re-sealing anything) is finished by running
// it again: every secret is sealed with the new key and the old key retired.
TEST_F(HubKeyRotationTest, AnInterruptedKeyRotationIsFinishedByRunningItAgain) {
  connectByDevice("user-1");
  auto created = hubCall("POST", "/api/v1/webhooks", {{"url", "https://app.example/hooks"}});
  ASSERT_EQ(created.status, 201);
  auto rotating = rotator();
  ASSERT_EQ(rotating->parts().vault->rotate().value(), 2);
  EXPECT_EQ(ciphertextsByVersion(), (std::map<int, int>{{1, 3}}));
  rotating.reset();  // the process is gone

  auto rerun = rotator();
  auto summary = rerun->resealAll(false);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_NE(summary->find("1 connections and 1 webhook secrets sealed again"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("1 older keys"), std::string::npos) << *summary;
  EXPECT_EQ(ciphertextsByVersion(), (std::map<int, int>{{2, 3}}));
  const std::string hook_id = created.body["id"];
  auto opened = rerun->parts().vault->open(hub_->parts().webhook_repository->get(hook_id)->sealed_secret,
                                           hub::api::webhookSecretContext(hook_id));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->reveal(), created.body["secret"].get<std::string>());
}

// A device session still pending holds its device code sealed with the old key: rotation keeps
// that key until the session ends, and the session connects after the rotation.
TEST_F(HubKeyRotationTest, AKeyAPendingConnectSessionNeedsIsKept) {
  auto session = hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "user-2"}, {"flow", "device"}});
  ASSERT_EQ(session.status, 201);
  auto rotating = rotator();
  auto summary = rotating->resealAll(true);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_NE(summary->find("0 older keys"), std::string::npos) << *summary;

  hub_->tick();
  ASSERT_EQ(
      sandboxCall("POST", "/__sandbox/device/approve", {{"user_code", session.body["user_code"]}}).status,
      200);
  clock_.advance(std::chrono::seconds(session.body["interval"].get<int>()));
  hub_->tick();
  auto done = hubCall("GET", "/api/v1/connect-sessions/" + session.body["id"].get<std::string>());
  EXPECT_EQ(done.body["status"], "connected") << done.body.dump();
  // The session has ended and erased its device code: the next run retires v1.
  auto again = rotating->resealAll(false);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_NE(again->find("1 older keys"), std::string::npos) << *again;
}

}  // namespace
}  // namespace liaison::testing
