// `liaison up` as a person runs it: the hub and the sandbox, a hub API key on first start, the
// demo account connected; a second start on the same directory reuses all of it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/client/http_client.h"
#include "integration/child_process.h"
#include "integration/up_banner.h"
#include "support/temp_dir.h"

namespace liaison::testing {
namespace {

nlohmann::json getJson(http::HttpClient& http, const std::string& url, const std::string& key, int& status) {
  http::ClientRequest request;
  request.url = url;
  request.headers.set("Authorization", "Bearer " + key);
  auto response = http.send(request);
  status = response ? response->status : 0;
  return response ? nlohmann::json::parse(response->body, nullptr, false) : nlohmann::json();
}

TEST(ProcessUp, ConnectsTheDemoAccountAndASecondStartReusesEverything) {
  TempDir dir("liaison-up");
  const std::string data = (dir.path() / "data").string();
  const std::vector<std::string> args = {"up",     "--listen", "127.0.0.1:0", "--hub-listen", "127.0.0.1:0",
                                         "--data", data,       "--log-level", "warn"};
  auto http = http::makeCurlHttpClient();
  std::string key;
  std::string connection_id;
  {
    ChildProcess up(args);
    const UpBanner banner = readUpBanner(up);
    ASSERT_FALSE(banner.hub.empty());
    ASSERT_FALSE(banner.key.empty()) << "the first start shows the hub API key";
    ASSERT_EQ(banner.curl_lines.size(), 2u);
    EXPECT_NE(banner.curl_lines[1].find("/health"), std::string::npos);
    key = banner.key;
    int status = 0;
    auto list = getJson(*http, banner.hub + "/api/v1/connections", key, status);
    ASSERT_EQ(status, 200);
    ASSERT_EQ(list["connections"].size(), 1u);
    EXPECT_EQ(list["connections"][0]["account"]["organization_name"], "Sandbox Bakery");
    connection_id = list["connections"][0]["id"];
    auto health = getJson(*http, banner.hub + "/api/v1/connections/" + connection_id + "/health?fresh=true",
                          key, status);
    EXPECT_EQ(status, 200) << health.dump();
    EXPECT_EQ(health["cc"]["is_active_user"], true);
    EXPECT_FALSE(health["social"].empty());
    getJson(*http, banner.hub + "/api/v1/connections", "lsk_wrong", status);
    EXPECT_EQ(status, 401);
    up.stop(SIGTERM);
  }
  EXPECT_EQ((std::filesystem::status(data).permissions() & std::filesystem::perms::all),
            std::filesystem::perms::owner_all);
  ChildProcess again(args);
  const UpBanner banner = readUpBanner(again);
  ASSERT_FALSE(banner.hub.empty());
  EXPECT_TRUE(banner.key.empty()) << "the key is shown on the first start only";
  int status = 0;
  auto list = getJson(*http, banner.hub + "/api/v1/connections", key, status);
  ASSERT_EQ(status, 200) << "the first start's key still works";
  ASSERT_EQ(list["connections"].size(), 1u);
  EXPECT_EQ(list["connections"][0]["id"], connection_id);
  again.stop(SIGTERM);
}

}  // namespace
}  // namespace liaison::testing
