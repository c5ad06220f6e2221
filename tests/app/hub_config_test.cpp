// The settings of `liaison serve`: defaults < TOML file < LIAISON_* environment < flags; the client
// secret from the environment or a file, never shown by printHubConfig.
#include "app/hub_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "app/hub_config_fixture.h"
#include "cc/provider.h"

namespace liaison::app::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(HubConfigTest, DefaultsNeedOnlyTheClientIdAndSecret) {
  const auto config = loadHubConfig({}, kMinimalEnv);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->listen_host, "127.0.0.1");
  EXPECT_EQ(config->listen_port, 8700);
  EXPECT_EQ(config->public_url, "http://127.0.0.1:8700");
  EXPECT_EQ(config->data_dir, ".liaison");
  EXPECT_EQ(config->log_level, "info");
  EXPECT_EQ(config->cc_base_url, "");
  EXPECT_EQ(config->client_id, "app-1");
  EXPECT_EQ(config->client_secret.reveal(), kSecret);
  EXPECT_EQ(config->client_secret_file, "");
  EXPECT_EQ(config->redirect_uri, "http://127.0.0.1:8700/connect/callback");
  EXPECT_EQ(config->refresh_token_type, "rotating");
  EXPECT_THAT(config->default_scopes, ElementsAre("account_read", "contact_data", "offline_access"));
  EXPECT_EQ(config->vault_key_file, ".liaison/vault.key");
  EXPECT_EQ(config->social_poll_minutes, 15);
  EXPECT_EQ(config->refresh_ahead_seconds, 600);
  EXPECT_EQ(config->budget_max_queue_wait_ms, 10000);
  EXPECT_EQ(config->budget_reserve_percent, 20);
  // CC's own limits, as the provider data has them.
  const cc::Limits& cc_limits = cc::constantContact().limits;
  EXPECT_EQ(config->budget_requests_per_second, cc_limits.requests_per_second_per_key);
  EXPECT_EQ(config->budget_requests_per_day, cc_limits.requests_per_day_per_key);
  EXPECT_EQ(config->budget_token_requests_per_second, cc_limits.token_requests_per_second_per_client);
  EXPECT_EQ(config->budget_window_margin_ms, 25);
  EXPECT_EQ(config->sync_activity_poll_ms, 1000);
  EXPECT_EQ(config->sync_own_import_skip_rows, 2000);
  EXPECT_EQ(config->store_url, "");
}

TEST_F(HubConfigTest, FileValuesReplaceDefaults) {
  const auto config = loadFile(R"(
[server]
listen = "0.0.0.0:9100"
public_url = "https://liaison.example.com/hub/"
data = "/var/lib/liaison"
log_level = "debug"

[cc]
base_url = "http://127.0.0.1:8600/"
client_id = "file-app"
refresh_token_type = "long_lived"
scopes = ["contact_data", "campaign_data", "contact_data"]

[health]
social_poll_minutes = 60

[refresh]
ahead_seconds = 120

[budget]
max_queue_wait_ms = 2500
reserve_percent = 35
requests_per_second = 50
requests_per_day = 1000000
token_requests_per_second = 2
window_margin_ms = 80

[sync]
activity_poll_ms = 250
own_import_skip_rows = 0

[store]
url = "postgresql://liaison@db.internal:5432/liaison?sslmode=require"
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->listen_host, "0.0.0.0");
  EXPECT_EQ(config->listen_port, 9100);
  EXPECT_EQ(config->public_url, "https://liaison.example.com/hub");
  EXPECT_EQ(config->redirect_uri, "https://liaison.example.com/hub/connect/callback");
  EXPECT_EQ(config->data_dir, "/var/lib/liaison");
  EXPECT_EQ(config->vault_key_file, "/var/lib/liaison/vault.key");
  EXPECT_EQ(config->log_level, "debug");
  EXPECT_EQ(config->cc_base_url, "http://127.0.0.1:8600");
  EXPECT_EQ(config->client_id, "file-app");
  EXPECT_EQ(config->refresh_token_type, "long_lived");
  EXPECT_THAT(config->default_scopes, ElementsAre("contact_data", "campaign_data"));  // duplicate collapsed
  EXPECT_EQ(config->social_poll_minutes, 60);
  EXPECT_EQ(config->refresh_ahead_seconds, 120);
  EXPECT_EQ(config->budget_max_queue_wait_ms, 2500);
  EXPECT_EQ(config->budget_reserve_percent, 35);
  EXPECT_EQ(config->budget_requests_per_second, 50);
  EXPECT_EQ(config->budget_requests_per_day, 1000000);
  EXPECT_EQ(config->budget_token_requests_per_second, 2);
  EXPECT_EQ(config->budget_window_margin_ms, 80);
  EXPECT_EQ(config->sync_activity_poll_ms, 250);
  EXPECT_EQ(config->sync_own_import_skip_rows, 0);
  EXPECT_EQ(config->store_url, "postgresql://liaison@db.internal:5432/liaison?sslmode=require");
}

TEST_F(HubConfigTest, ExplicitRedirectUriAndVaultKeyFileAreKept) {
  const auto config = loadFile(R"(
[cc]
client_id = "a"
redirect_uri = "https://hub.example.com/oauth/back?from=cc"
[vault]
key_file = "/etc/liaison/vault.key"
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->redirect_uri, "https://hub.example.com/oauth/back?from=cc");
  EXPECT_EQ(config->vault_key_file, "/etc/liaison/vault.key");
}

TEST_F(HubConfigTest, WildcardListenGivesALocalhostPublicUrlAndIpv6IsBracketed) {
  auto config = loadHubConfig({.listen = ":8800"}, kMinimalEnv);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->listen_host, "0.0.0.0");
  EXPECT_EQ(config->public_url, "http://localhost:8800");
  config = loadHubConfig({.listen = "[::1]:9000"}, kMinimalEnv);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->listen_host, "::1");
  EXPECT_EQ(config->public_url, "http://[::1]:9000");
}

TEST_F(HubConfigTest, PortZeroLeavesTheDerivedUrlsUntilTheServerIsBound) {
  auto config = loadHubConfig({.listen = "127.0.0.1:0"}, kMinimalEnv);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->listen_port, 0);
  EXPECT_EQ(config->public_url, "");
  EXPECT_EQ(config->redirect_uri, "");
  useBoundPort(*config, 41234);
  EXPECT_EQ(config->listen_port, 41234);
  EXPECT_EQ(config->public_url, "http://127.0.0.1:41234");
  EXPECT_EQ(config->redirect_uri, "http://127.0.0.1:41234/connect/callback");
}

TEST_F(HubConfigTest, PortZeroKeepsAPublicUrlThatWasSet) {
  auto config =
      loadHubConfig({.listen = "127.0.0.1:0"}, {{"LIAISON_CC_CLIENT_ID", "a"},
                                                {"LIAISON_CC_CLIENT_SECRET", "s"},
                                                {"LIAISON_SERVER_PUBLIC_URL", "https://hub.example.com"}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->redirect_uri, "https://hub.example.com/connect/callback");
  useBoundPort(*config, 41234);
  EXPECT_EQ(config->public_url, "https://hub.example.com");
}

TEST_F(HubConfigTest, EnvironmentBeatsFile) {
  const auto config = loadFile(R"(
[server]
listen = "127.0.0.1:9100"
[cc]
client_id = "file-app"
base_url = "http://127.0.0.1:8600"
scopes = ["account_read"]
[health]
social_poll_minutes = 60
[budget]
reserve_percent = 10
max_queue_wait_ms = 500
)",
                               {{"LIAISON_SERVER_LISTEN", "127.0.0.1:9200"},
                                {"LIAISON_BUDGET_RESERVE_PERCENT", "0"},
                                {"LIAISON_BUDGET_MAX_QUEUE_WAIT_MS", "60000"},
                                {"LIAISON_CC_CLIENT_ID", "env-app"},
                                {"LIAISON_CC_BASE_URL", ""},
                                {"LIAISON_CC_SCOPES", "contact_data, offline_access"},
                                {"LIAISON_HEALTH_SOCIAL_POLL_MINUTES", "5"}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->listen_port, 9200);
  EXPECT_EQ(config->client_id, "env-app");
  EXPECT_EQ(config->cc_base_url, "");  // empty in the environment: back to the real Constant Contact
  EXPECT_THAT(config->default_scopes, ElementsAre("contact_data", "offline_access"));
  EXPECT_EQ(config->social_poll_minutes, 5);
  EXPECT_EQ(config->budget_reserve_percent, 0);  // no reserve: background work may spend the whole day
  EXPECT_EQ(config->budget_max_queue_wait_ms, 60000);
}

TEST_F(HubConfigTest, FlagsBeatEnvironment) {
  const auto flag_file = write("flag.toml", "[cc]\nclient_id = \"from-flag-file\"\n");
  const auto env_file = write("env.toml", "[cc]\nclient_id = \"from-env-file\"\n");
  const Env env = {{"LIAISON_CONFIG", env_file},
                   {"LIAISON_CC_CLIENT_SECRET", kSecret},
                   {"LIAISON_SERVER_LISTEN", "127.0.0.1:9200"},
                   {"LIAISON_SERVER_DATA", "/env/data"}};
  auto config =
      loadHubConfig({.config_file = flag_file, .data_dir = "/flag/data", .listen = "127.0.0.1:9300"}, env);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->client_id, "from-flag-file");
  EXPECT_EQ(config->listen_port, 9300);
  EXPECT_EQ(config->data_dir, "/flag/data");
  EXPECT_EQ(config->vault_key_file, "/flag/data/vault.key");

  config = loadHubConfig({}, env);  // no flags: LIAISON_CONFIG picks the file
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->client_id, "from-env-file");
  EXPECT_EQ(config->listen_port, 9200);
  EXPECT_EQ(config->data_dir, "/env/data");
}

TEST_F(HubConfigTest, SecretFileIsReadAndTrimmed) {
  const auto secret_path = write("cc-secret", std::string(kSecret) + "\r\n");
  const auto config = loadHubConfig(
      {.config_file =
           write("hub.toml", "[cc]\nclient_id = \"a\"\nclient_secret_file = \"" + secret_path + "\"\n")},
      {});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->client_secret.reveal(), kSecret);
  EXPECT_EQ(config->client_secret_file, secret_path);
}

TEST_F(HubConfigTest, SecretInEnvironmentBeatsSecretFile) {
  const auto secret_path = write("cc-secret", "from-file\n");
  const auto config = loadHubConfig({}, {{"LIAISON_CC_CLIENT_ID", "a"},
                                         {"LIAISON_CC_CLIENT_SECRET_FILE", secret_path},
                                         {"LIAISON_CC_CLIENT_SECRET", kSecret}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->client_secret.reveal(), kSecret);
  EXPECT_EQ(config->client_secret_file, "");  // not read, so not shown as the secret's source
}

TEST_F(HubConfigTest, PrintMasksTheSecret) {
  auto config = loadHubConfig({}, kMinimalEnv);
  ASSERT_TRUE(config.ok()) << config.error().message;
  auto text = printHubConfig(*config);
  EXPECT_THAT(text, Not(HasSubstr(kSecret)));
  EXPECT_THAT(text, HasSubstr("# client_secret = \"********\""));
  config->client_secret = Secret();
  text = printHubConfig(*config);
  EXPECT_THAT(text, HasSubstr("# client_secret = \"(not set)\""));
}

TEST_F(HubConfigTest, PrintedSettingsLoadBackTheSame) {
  const auto secret_path = write("cc-secret", std::string(kSecret) + "\n");
  const auto first = loadHubConfig(
      {.config_file = write("hub.toml",
                            "[server]\nlisten = \"[::1]:9100\"\ndata = \"/srv/li \\\"aison\\\"\"\n"
                            "[cc]\nclient_id = \"app-1\"\nbase_url = \"http://127.0.0.1:8600\"\n"
                            "client_secret_file = \"" +
                                secret_path +
                                "\"\n"
                                "scopes = [\"contact_data\", \"openid\"]\n[health]\nsocial_poll_minutes = 7\n"
                                "[budget]\nmax_queue_wait_ms = 0\n")},
      {});
  ASSERT_TRUE(first.ok()) << first.error().message;
  const auto printed = printHubConfig(*first);
  EXPECT_THAT(printed, Not(HasSubstr(kSecret)));
  const auto second = loadHubConfig({.config_file = write("printed.toml", printed)}, {});
  ASSERT_TRUE(second.ok()) << second.error().message << "\n" << printed;
  EXPECT_EQ(printHubConfig(*second), printed);
  EXPECT_EQ(second->listen_host, "::1");
  EXPECT_EQ(second->data_dir, "/srv/li \"aison\"");
  EXPECT_EQ(second->client_secret.reveal(), kSecret);
  EXPECT_THAT(second->default_scopes, ElementsAre("contact_data", "openid"));
  EXPECT_EQ(second->social_poll_minutes, 7);
  EXPECT_EQ(second->budget_max_queue_wait_ms, 0);
  EXPECT_EQ(second->budget_reserve_percent, 20);

  // With the secret from the environment, the printed file loads back given the same environment.
  const auto from_env = loadHubConfig({}, kMinimalEnv);
  ASSERT_TRUE(from_env.ok());
  const auto again = loadHubConfig({.config_file = write("printed2.toml", printHubConfig(*from_env))},
                                   {{"LIAISON_CC_CLIENT_SECRET", kSecret}});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(printHubConfig(*again), printHubConfig(*from_env));
}

TEST_F(HubConfigTest, AppNameComesFromTheFileOrTheEnvironmentAndIsEmptyWhenUnset) {
  auto config = loadHubConfig({}, kMinimalEnv);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->app_name, "");  // the connect page then names the client_id
  EXPECT_THAT(printHubConfig(*config), HasSubstr("app_name = \"\"  # empty: the connect page names"));

  config = loadFile("[cc]\nclient_id = \"a\"\napp_name = \"Bäckerei <Tools> & \\\"Co\\\"\"\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->app_name, "Bäckerei <Tools> & \"Co\"");
  const auto printed = printHubConfig(*config);
  EXPECT_THAT(printed, HasSubstr("app_name = \"Bäckerei <Tools> & \\\"Co\\\"\"\n"));
  const auto again = loadFile(printed);
  ASSERT_TRUE(again.ok()) << again.error().message << "\n" << printed;
  EXPECT_EQ(again->app_name, config->app_name);

  config = loadFile("[cc]\nclient_id = \"a\"\napp_name = \"From the file\"\n",
                    {{"LIAISON_CC_APP_NAME", "From the environment"}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->app_name, "From the environment");

  // The limit counts characters, not bytes: 100 two-byte letters fit.
  std::string longest;
  for (int i = 0; i < 100; ++i) longest += "é";
  auto env = kMinimalEnv;
  env["LIAISON_CC_APP_NAME"] = longest;
  config = loadHubConfig({}, env);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->app_name, longest);
}

TEST_F(HubConfigTest, ProcessEnvironmentKeepsOnlyLiaisonVariables) {
  ::setenv("LIAISON_HUB_CONFIG_TEST_VAR", "a=b", 1);
  ::setenv("HUB_CONFIG_TEST_OTHER", "x", 1);
  const auto env = processEnvironment();
  ::unsetenv("LIAISON_HUB_CONFIG_TEST_VAR");
  ::unsetenv("HUB_CONFIG_TEST_OTHER");
  ASSERT_EQ(env.count("LIAISON_HUB_CONFIG_TEST_VAR"), 1u);
  EXPECT_EQ(env.at("LIAISON_HUB_CONFIG_TEST_VAR"), "a=b");
  for (const auto& [name, value] : env) EXPECT_TRUE(name.starts_with("LIAISON_")) << name;
}

}  // namespace
}  // namespace liaison::app::testing
