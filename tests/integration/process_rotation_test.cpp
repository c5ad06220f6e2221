// T14 with real processes: `liaison vault rotate` runs against the data directory of a serving
// hub (`liaison up`: hub, sandbox, a connected demo account, webhooks whose secrets are sealed)
// while proxied calls that open the connection's token keep coming, and it is killed with SIGKILL at
// random moments, again and again. Must hold: no request fails, a run to the end afterwards
// finishes the job and retires every older key, and the hub started again on the same directory
// still opens everything. Key refusals (a second, different key in the environment) change
// nothing on disk.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "http/client/http_client.h"
#include "integration/child_process.h"
#include "integration/up_banner.h"
#include "support/temp_dir.h"

namespace liaison::testing {
namespace {

using namespace std::chrono_literals;

struct Answer {
  int status = 0;
  nlohmann::json body;
};

Answer call(http::HttpClient& http, const std::string& method, const std::string& url, const std::string& key,
            const std::string& body = "") {
  http::ClientRequest request;
  request.method = method;
  request.url = url;
  request.headers.set("Authorization", "Bearer " + key);
  if (!body.empty()) {
    request.headers.set("Content-Type", "application/json");
    request.body = body;
  }
  request.timeout = std::chrono::milliseconds(20000);
  auto response = http.send(request);
  if (!response) return {};
  return {response->status, nlohmann::json::parse(response->body, nullptr, false)};
}

std::string rotationFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// "Current data key v7; 1 connections sealed again; …; 6 older keys retired or already retired."
int numberBefore(const std::string& text, const std::string& words) {
  const auto at = text.find(words);
  if (at == std::string::npos || at < 2) return -1;
  auto start = text.rfind(' ', at - 2);
  start = start == std::string::npos ? 0 : start + 1;
  return std::atoi(text.substr(start, at - start).c_str());
}

TEST(ProcessRotation, KilledAgainAndAgainUnderLoadItLosesNothingAndFinishes) {
  TempDir dir("liaison-t14");
  const std::string data = (dir.path() / "data").string();
  const std::string err = dir.file("err");
  const std::vector<std::string> up_args = {
      "up", "--listen", "127.0.0.1:0", "--hub-listen", "127.0.0.1:0", "--data", data, "--log-level", "warn"};
  auto http = http::makeCurlHttpClient();
  ChildProcess up(up_args, dir.file("up.err"));
  const UpBanner served = readUpBanner(up);
  ASSERT_FALSE(served.hub.empty());
  ASSERT_FALSE(served.key.empty());
  const Answer list = call(*http, "GET", served.hub + "/api/v1/connections", served.key);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["connections"].size(), 1u);
  const std::string connection = list.body["connections"][0]["id"];
  const int kWebhooks = 100;
  for (int i = 0; i < kWebhooks; ++i) {
    const Answer made = call(*http, "POST", served.hub + "/api/v1/webhooks", served.key,
                             R"({"url":"http://127.0.0.1:9/hooks/)" + std::to_string(i) + R"("})");
    ASSERT_EQ(made.status, 201) << made.body.dump();
  }

  // Load: proxied CC calls (each opens the connection's access token; CC's 4 calls a second
  // pace them) and the webhook listing, about 25 requests a second together.
  std::atomic<bool> stop{false};
  std::atomic<int> requests{0}, token_opens{0}, failures{0};
  std::thread load([&] {
    auto client = http::makeCurlHttpClient();
    while (!stop.load()) {
      http::ClientRequest proxied;
      proxied.url = served.hub + "/proxy/v3/account/summary";
      proxied.headers.set("Authorization", "Bearer " + served.key);
      proxied.headers.set("Liaison-Connection-Id", connection);
      proxied.timeout = std::chrono::milliseconds(20000);
      const auto summary = client->send(proxied);
      const Answer hooks = call(*client, "GET", served.hub + "/api/v1/webhooks", served.key);
      requests += 2;
      ++token_opens;
      if (!summary || summary->status != 200) ++failures;
      if (hooks.status != 200 || hooks.body["webhooks"].size() != static_cast<size_t>(kWebhooks)) ++failures;
      std::this_thread::sleep_for(40ms);
    }
  });

  // `vault rotate` waits ~3 s for the serving hub to read the new key, then re-seals: kill
  // points are spread over the whole run.
  std::mt19937 random(14);
  std::uniform_int_distribution<int> kill_after_ms(0, 3600);
  int killed = 0;
  const int kKills = 6;
  for (int i = 0; i < kKills; ++i) {
    ChildProcess rotate({"vault", "rotate", "--data", data}, err);
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms(random)));
    const int status = rotate.stop(SIGKILL);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ++killed;
  }
  ChildProcess finish({"vault", "rotate", "--data", data}, err);
  const std::string summary = finish.readAll(std::chrono::seconds(60));
  EXPECT_EQ(finish.stop(0, std::chrono::seconds(60)), 0) << rotationFileText(err);
  stop = true;
  load.join();

  const auto v = summary.find("Current data key v");
  ASSERT_NE(v, std::string::npos) << summary;
  const int version = std::atoi(summary.c_str() + v + 18);
  EXPECT_GE(version, 2) << summary;
  EXPECT_EQ(numberBefore(summary, "older keys retired"), version - 1)
      << "every older key is retired once nothing uses it: " << summary;
  EXPECT_GT(requests.load(), 10);
  EXPECT_EQ(failures.load(), 0) << "of " << requests.load() << " requests";
  std::printf("[ figure   ] t14.rotate_runs_killed = %d of %d\n", killed, kKills);
  std::printf("[ figure   ] t14.requests_during_rotation = %d\n", requests.load());
  std::printf("[ figure   ] t14.token_opening_requests = %d\n", token_opens.load());
  std::printf("[ figure   ] t14.failed_requests = %d\n", failures.load());
  up.stop(SIGTERM);

  // (a) A second, different key in the environment: refused, nothing on disk changes.
  const std::string db_before = rotationFileText(data + "/hub.db");
  {
    ::setenv("LIAISON_VAULT_KEY", ("lvk1." + std::string(42, 'B') + "A").c_str(), 1);
    ChildProcess refused(up_args, err);
    EXPECT_NE(refused.stop(0, std::chrono::seconds(30)), 0);
    ::unsetenv("LIAISON_VAULT_KEY");
    EXPECT_NE(rotationFileText(err).find("hold different keys"), std::string::npos) << rotationFileText(err);
  }
  EXPECT_EQ(rotationFileText(data + "/hub.db"), db_before);

  // Started again: everything re-sealed under the new key opens.
  ChildProcess again(up_args, dir.file("up2.err"));
  const UpBanner second = readUpBanner(again);
  ASSERT_FALSE(second.hub.empty());
  const Answer health =
      call(*http, "GET", second.hub + "/api/v1/connections/" + connection + "/health?fresh=true", served.key);
  EXPECT_EQ(health.status, 200) << health.body.dump();
  EXPECT_EQ(health.body["cc"]["token_is_valid"], true) << health.body.dump();
  again.stop(SIGTERM);
}

}  // namespace
}  // namespace liaison::testing
