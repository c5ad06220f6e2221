// T11: canaries. Every secret the hub handles (client secret, access and refresh tokens, device
// codes, authorization codes, PKCE verifiers, the vault key, hub API keys, webhook secrets) is
// collected from the traffic, then searched for in the trace-level log, every answer the hub
// gave, the metrics, and every file in its data directory — after a run that forces errors.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "app/hub_fixture.h"
#include "core/encoding.h"

namespace liaison::testing {
namespace {

void addJsonStrings(std::set<std::string>& out, const std::string& body,
                    std::initializer_list<const char*> names) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return;
  for (const char* name : names) {
    if (json.contains(name) && json[name].is_string()) out.insert(json[name].get<std::string>());
  }
}

class HubLeakTest : public HubFixture {
 protected:
  void SetUp() override {
    sink_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    previous_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("leak", sink_);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    HubFixture::SetUp();
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::ostringstream log_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(HubLeakTest, NoSecretReachesLogsAnswersMetricsOrFiles) {
  // Traffic: connect twice (device), refresh, an outage, a dead grant, webhooks, disconnect.
  const std::string first = connectByDevice("user-1");
  auto hook = hubCall("POST", "/api/v1/webhooks", {{"url", "https://app.example/hooks"}});
  ASSERT_EQ(hook.status, 201);
  const std::string webhook_secret = hook.body["secret"];
  http_->outside_status = 500;  // deliveries fail and are retried
  ASSERT_EQ(
      sandboxCall(
          "POST", "/__sandbox/faults",
          {{"operation", "oauth.token"}, {"count", 1}, {"action", {{"type", "status"}, {"status", 503}}}})
          .status,
      201);
  auto c = *hub_->parts().connections.find(first);
  clock_.set(c->access_expires_at - std::chrono::seconds(300));
  hub_->tick();
  clock_.advance(std::chrono::minutes(20));
  hub_->tick();
  hubCall("GET", "/api/v1/connections/" + first + "/health?fresh=true");
  hubCall("GET", "/api/v1/connections/" + first + "/permissions");
  ASSERT_EQ(sandboxCall("POST", "/__sandbox/grants/revoke",
                        {{"client_id", "hub-app"}, {"email", "owner@sandbox.test"}})
                .status,
            200);
  c = *hub_->parts().connections.find(first);
  clock_.set(c->access_expires_at - std::chrono::seconds(300));
  hub_->tick();
  const std::string second = connectByDevice("user-2");
  hubCall("DELETE", "/api/v1/connections/" + second);
  hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "user-3"}, {"flow", "carrier-pigeon"}});
  hubCall("GET", "/api/v1/connections", nullptr, "lsk_" + std::string(43, 'x'));
  hub_->tick();
  const std::string metrics = hubCall("GET", "/metrics", nullptr, "").raw.body;

  // The canaries: every secret that crossed the hub.
  std::set<std::string> canaries = {client_secret_, api_key_, webhook_secret};
  for (const auto& exchange : http_->exchanges) {
    addJsonStrings(canaries, exchange.response_body,
                   {"access_token", "refresh_token", "device_code", "id_token"});
    if (auto form = Params::parse(exchange.request_body)) {
      for (const char* name : {"refresh_token", "device_code", "code", "code_verifier", "token"}) {
        if (auto value = form->get(name)) canaries.insert(*value);
      }
    }
    if (auto auth = exchange.headers.get("Authorization"); auth && auth->starts_with("Bearer ")) {
      canaries.insert(auth->substr(7));
    }
  }
  {
    std::ifstream key(dir_.path() / "vault.key");
    std::string text((std::istreambuf_iterator<char>(key)), std::istreambuf_iterator<char>());
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    canaries.insert(text);
    canaries.insert(text.substr(text.find('.') + 1));  // the key without its prefix
  }
  size_t tokens = 0;
  for (const auto& c2 : canaries) tokens += c2.starts_with("eyJ") ? 1 : 0;
  ASSERT_GE(tokens, 3u) << "the run handled access tokens (two connects and a refresh)";
  ASSERT_GE(canaries.size(), 12u);

  sink_->flush();
  const std::string log = log_.str();
  ASSERT_FALSE(log.empty());
  std::string answers;
  for (const auto& a : hub_answers) answers += a + "\n";
  for (const auto& sent : http_->outside) {
    for (const auto& [name, value] : sent.headers.pairs()) {
      if (name != "Liaison-Signature") answers += name + ": " + value + "\n";
    }
  }
  hub_.reset();
  std::string files;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    if (entry.path().filename() == "vault.key") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    files.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  for (const auto& canary : canaries) {
    if (canary.size() < 8) continue;
    EXPECT_EQ(log.find(canary), std::string::npos) << "in the log: " << canary.substr(0, 12) << "…";
    EXPECT_EQ(metrics.find(canary), std::string::npos) << "in the metrics: " << canary.substr(0, 12) << "…";
    EXPECT_EQ(files.find(canary), std::string::npos) << "in a data file: " << canary.substr(0, 12) << "…";
    if (canary != api_key_ && canary != webhook_secret) {
      EXPECT_EQ(answers.find(canary), std::string::npos) << "in an answer: " << canary.substr(0, 12) << "…";
    }
  }
  std::printf("T11: %zu canaries, %zu log bytes, %zu answer bytes, %zu file bytes scanned\n", canaries.size(),
              log.size(), answers.size(), files.size());
}

}  // namespace
}  // namespace liaison::testing
