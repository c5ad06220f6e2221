// Every bad or missing hub setting is refused with one line naming it (section.key, and where the
// value came from), and never the client secret.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/hub_config.h"
#include "app/hub_config_fixture.h"

namespace liaison::app::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class HubConfigErrorTest : public HubConfigTest {};

TEST_F(HubConfigErrorTest, MissingClientIdIsNamed) {
  const auto message = errorOf(loadHubConfig({}, {{"LIAISON_CC_CLIENT_SECRET", kSecret}}));
  EXPECT_EQ(message, "cc.client_id: required (set it in the config file or LIAISON_CC_CLIENT_ID)");
  const auto result = loadHubConfig({}, {{"LIAISON_CC_CLIENT_SECRET", kSecret}});
  EXPECT_EQ(result.error().key, "cc.client_id");
}

TEST_F(HubConfigErrorTest, MissingClientSecretIsNamed) {
  const auto message = errorOf(loadHubConfig({}, {{"LIAISON_CC_CLIENT_ID", "a"}}));
  EXPECT_THAT(message, HasSubstr("cc.client_secret: required"));
  EXPECT_THAT(message, HasSubstr("LIAISON_CC_CLIENT_SECRET"));
  EXPECT_THAT(message, HasSubstr("cc.client_secret_file"));
}

TEST_F(HubConfigErrorTest, BadListenIsNamedWithItsSource) {
  EXPECT_THAT(fileError("[server]\nlisten = \"abc\"\n[cc]\nclient_id = \"a\"\n"),
              HasSubstr("server.listen (" + dir_.file("hub.toml") + ":2): expected HOST:PORT, got 'abc'"));
  EXPECT_EQ(envError({{"LIAISON_SERVER_LISTEN", "abc"}}),
            "server.listen (LIAISON_SERVER_LISTEN): expected HOST:PORT, got 'abc'");
  EXPECT_THAT(errorOf(loadHubConfig({.listen = "127.0.0.1:00"}, kMinimalEnv)),
              HasSubstr("server.listen (--listen): expected HOST:PORT, got '127.0.0.1:00'"));
  EXPECT_THAT(envError({{"LIAISON_SERVER_LISTEN", "127.0.0.1:65536"}}), HasSubstr("server.listen"));
  EXPECT_THAT(envError({{"LIAISON_SERVER_LISTEN", "::1:8700"}}),
              HasSubstr("server.listen"));  // v6 needs brackets
  EXPECT_THAT(envError({{"LIAISON_SERVER_LISTEN", "host name:8700"}}), HasSubstr("server.listen"));
}

TEST_F(HubConfigErrorTest, WholeNumbersAreRangeChecked) {
  EXPECT_EQ(envError({{"LIAISON_HEALTH_SOCIAL_POLL_MINUTES", "0"}}),
            "health.social_poll_minutes (LIAISON_HEALTH_SOCIAL_POLL_MINUTES): must be a whole number from 1 "
            "to 1440, "
            "got '0'");
  EXPECT_THAT(
      envError({{"LIAISON_HEALTH_SOCIAL_POLL_MINUTES", "15m"}}),
      HasSubstr("health.social_poll_minutes (LIAISON_HEALTH_SOCIAL_POLL_MINUTES): must be a whole number"));
  EXPECT_THAT(envError({{"LIAISON_HEALTH_SOCIAL_POLL_MINUTES", "-5"}}),
              HasSubstr("health.social_poll_minutes"));
  EXPECT_THAT(fileError("[cc]\nclient_id = \"a\"\n[health]\nsocial_poll_minutes = 1441\n"),
              HasSubstr("health.social_poll_minutes (" + dir_.file("hub.toml") +
                        ":4): must be a whole number from 1 to 1440, got '1441'"));
  EXPECT_THAT(fileError("[cc]\nclient_id = \"a\"\n[refresh]\nahead_seconds = 59\n"),
              HasSubstr("refresh.ahead_seconds (" + dir_.file("hub.toml") +
                        ":4): must be a whole number from 60 to 86000, got '59'"));
  EXPECT_THAT(
      envError({{"LIAISON_REFRESH_AHEAD_SECONDS", "86001"}}),
      HasSubstr(
          "refresh.ahead_seconds (LIAISON_REFRESH_AHEAD_SECONDS): must be a whole number from 60 to 86000"));
  EXPECT_THAT(envError({{"LIAISON_REFRESH_AHEAD_SECONDS", "99999999999999999999999"}}),
              HasSubstr("refresh.ahead_seconds"));
  EXPECT_EQ(envError({{"LIAISON_BUDGET_MAX_QUEUE_WAIT_MS", "60001"}}),
            "budget.max_queue_wait_ms (LIAISON_BUDGET_MAX_QUEUE_WAIT_MS): must be a whole number from 0 to "
            "60000, got '60001'");
  EXPECT_THAT(envError({{"LIAISON_BUDGET_MAX_QUEUE_WAIT_MS", "-1"}}), HasSubstr("budget.max_queue_wait_ms"));
  EXPECT_THAT(envError({{"LIAISON_BUDGET_MAX_QUEUE_WAIT_MS", "10s"}}), HasSubstr("budget.max_queue_wait_ms"));
  EXPECT_THAT(fileError("[cc]\nclient_id = \"a\"\n[budget]\nreserve_percent = 91\n"),
              HasSubstr("budget.reserve_percent (" + dir_.file("hub.toml") +
                        ":4): must be a whole number from 0 to 90, got '91'"));
  EXPECT_THAT(fileError("[cc]\nclient_id = \"a\"\n[budget]\nreserve_percent = 0.2\n"),
              HasSubstr("budget.reserve_percent"));
  EXPECT_THAT(envError({{"LIAISON_BUDGET_RESERVE_PERCENT", "20%"}}), HasSubstr("budget.reserve_percent"));
  EXPECT_EQ(
      envError({{"LIAISON_SYNC_ACTIVITY_POLL_MS", "99"}}),
      "sync.activity_poll_ms (LIAISON_SYNC_ACTIVITY_POLL_MS): must be a whole number from 100 to 60000, "
      "got '99'");
  EXPECT_THAT(fileError("[cc]\nclient_id = \"a\"\n[sync]\nactivity_poll_ms = \"1s\"\n"),
              HasSubstr("sync.activity_poll_ms"));
  EXPECT_EQ(envError({{"LIAISON_SYNC_OWN_IMPORT_SKIP_ROWS", "-1"}}),
            "sync.own_import_skip_rows (LIAISON_SYNC_OWN_IMPORT_SKIP_ROWS): must be a whole number from 0 to "
            "1000000, got '-1'");
  EXPECT_EQ(
      envError({{"LIAISON_BUDGET_REQUESTS_PER_SECOND", "1000001"}}),
      "budget.requests_per_second (LIAISON_BUDGET_REQUESTS_PER_SECOND): must be a whole number from 1 to "
      "1000000, got '1000001'");
}

TEST_F(HubConfigErrorTest, WrongTomlTypesAreRefused) {
  EXPECT_THAT(
      fileError("[cc]\nclient_id = \"a\"\n[health]\nsocial_poll_minutes = \"15\"\n"),
      HasSubstr("health.social_poll_minutes (" + dir_.file("hub.toml") +
                ":4): must be a whole number from 1 to 1440, got a string (write it without quotes)"));
  EXPECT_THAT(fileError("[cc]\nclient_id = \"a\"\n[refresh]\nahead_seconds = 600.0\n"),
              HasSubstr("refresh.ahead_seconds"));
  EXPECT_THAT(
      fileError("[server]\nlisten = 8700\n[cc]\nclient_id = \"a\"\n"),
      HasSubstr("server.listen (" + dir_.file("hub.toml") + ":2): expected a string, got an integer"));
  EXPECT_THAT(fileError("[cc]\nclient_id = \"a\"\nscopes = \"contact_data\"\n"),
              HasSubstr("cc.scopes (" + dir_.file("hub.toml") + ":3): expected a list"));
  EXPECT_THAT(
      fileError("[cc]\nclient_id = \"a\"\nscopes = [\"contact_data\", 7]\n"),
      HasSubstr("cc.scopes (" + dir_.file("hub.toml") + ":3): item 2 is an integer, expected a string"));
  EXPECT_THAT(fileError("server = 1\n[cc]\nclient_id = \"a\"\n"), HasSubstr("server ("));
}

TEST_F(HubConfigErrorTest, ChoicesAndScopesAreChecked) {
  EXPECT_EQ(envError({{"LIAISON_SERVER_LOG_LEVEL", "loud"}}),
            "server.log_level (LIAISON_SERVER_LOG_LEVEL): must be one of trace, debug, info, warn, error; "
            "got 'loud'");
  EXPECT_THAT(
      envError({{"LIAISON_CC_REFRESH_TOKEN_TYPE", "forever"}}),
      HasSubstr(
          "cc.refresh_token_type (LIAISON_CC_REFRESH_TOKEN_TYPE): must be one of rotating, long_lived"));
  EXPECT_THAT(envError({{"LIAISON_CC_SCOPES", "contact_data contacts_write"}}),
              HasSubstr("cc.scopes (LIAISON_CC_SCOPES): 'contacts_write' is not a Constant Contact scope"));
  EXPECT_THAT(envError({{"LIAISON_CC_SCOPES", " , "}}),
              HasSubstr("cc.scopes (LIAISON_CC_SCOPES): must list at least"));
  EXPECT_THAT(envError({{"LIAISON_SERVER_DATA", ""}}),
              HasSubstr("server.data (LIAISON_SERVER_DATA): must not be empty"));
  EXPECT_THAT(
      errorOf(loadHubConfig({}, {{"LIAISON_CC_CLIENT_ID", "a b"}, {"LIAISON_CC_CLIENT_SECRET", kSecret}})),
      HasSubstr("cc.client_id (LIAISON_CC_CLIENT_ID): must not contain spaces"));
}

TEST_F(HubConfigErrorTest, AppNameMustBeShortAndOnOneLine) {
  EXPECT_EQ(envError({{"LIAISON_CC_APP_NAME", std::string(101, 'x')}}),
            "cc.app_name (LIAISON_CC_APP_NAME): must be at most 100 characters");
  EXPECT_THAT(fileError("[cc]\nclient_id = \"a\"\napp_name = \"" + std::string(101, 'x') + "\"\n"),
              HasSubstr("cc.app_name (" + dir_.file("hub.toml") + ":3): must be at most 100 characters"));
  for (const std::string bad : {"Two\nlines", "Tab\there", "Bell\x07", "DEL\x7f", "C1 \xc2\x85"}) {
    EXPECT_EQ(envError({{"LIAISON_CC_APP_NAME", bad}}),
              "cc.app_name (LIAISON_CC_APP_NAME): must not contain control characters");
  }
  EXPECT_THAT(
      fileError("[cc]\nclient_id = \"a\"\napp_name = \"Line\\u001Bbreak\"\n"),
      HasSubstr("cc.app_name (" + dir_.file("hub.toml") + ":3): must not contain control characters"));
  EXPECT_EQ(envError({{"LIAISON_CC_APP_NAME", "bad \xff byte"}}),
            "cc.app_name (LIAISON_CC_APP_NAME): must be valid UTF-8");
  EXPECT_THAT(fileError("[cc]\nclient_id = \"a\"\napp_name = 7\n"),
              HasSubstr("cc.app_name (" + dir_.file("hub.toml") + ":3): expected a string, got an integer"));
}

TEST_F(HubConfigErrorTest, BaseUrlMustBeAnHttpOrigin) {
  for (const char* bad :
       {"http://127.0.0.1:8600/v3", "http://127.0.0.1:8600?x=1", "ftp://cc.example.com", "127.0.0.1:8600",
        "http://", "http://user:pw@cc.example.com", "http://cc.example.com:0", "http://cc example.com"}) {
    EXPECT_THAT(envError({{"LIAISON_CC_BASE_URL", bad}}),
                HasSubstr("cc.base_url (LIAISON_CC_BASE_URL): must"))
        << bad;
  }
  EXPECT_THAT(envError({{"LIAISON_CC_BASE_URL", "http://user:pw@cc.example.com"}}), Not(HasSubstr("pw")));
  auto env = kMinimalEnv;
  env["LIAISON_CC_BASE_URL"] = "https://[::1]:8443";
  const auto config = loadHubConfig({}, env);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->cc_base_url, "https://[::1]:8443");
}

TEST_F(HubConfigErrorTest, PublicUrlAndRedirectUriMustBeAbsoluteHttpUrls) {
  EXPECT_THAT(envError({{"LIAISON_SERVER_PUBLIC_URL", "/hub"}}),
              HasSubstr("server.public_url (LIAISON_SERVER_PUBLIC_URL): must be an absolute URL"));
  EXPECT_THAT(envError({{"LIAISON_SERVER_PUBLIC_URL", "https://hub.example.com/?a=b"}}),
              HasSubstr("server.public_url (LIAISON_SERVER_PUBLIC_URL): must not have a query"));
  EXPECT_THAT(fileError("[cc]\nclient_id = \"a\"\nredirect_uri = \"connect/callback\"\n"),
              HasSubstr("cc.redirect_uri (" + dir_.file("hub.toml") + ":3): must be an absolute URL"));
  EXPECT_THAT(envError({{"LIAISON_CC_REDIRECT_URI", "https://hub.example.com/cb#frag"}}),
              HasSubstr("cc.redirect_uri (LIAISON_CC_REDIRECT_URI): must not have a fragment"));
}

TEST_F(HubConfigErrorTest, TomlSyntaxErrorsGiveFileAndLine) {
  const auto message = fileError("[server]\nlisten = \"127.0.0.1:8700\"\nlog_level = info\n");
  EXPECT_THAT(message, HasSubstr(dir_.file("hub.toml") + ":3:"));
  EXPECT_THAT(message, HasSubstr("invalid TOML"));
}

TEST_F(HubConfigErrorTest, SyntaxErrorOnASecretLineShowsNoDetail) {
  const auto message = fileError(std::string("[cc]\nclient_secret = ") + kSecret + "\n");
  EXPECT_THAT(message, HasSubstr(dir_.file("hub.toml") + ":2:"));
  EXPECT_THAT(message, HasSubstr("details withheld"));
}

TEST_F(HubConfigErrorTest, UnknownSettingsAreRefused) {
  EXPECT_THAT(
      fileError("[cc]\nclientid = \"a\"\n"),
      HasSubstr("unknown setting cc.clientid (" + dir_.file("hub.toml") + ":2); [cc] takes base_url"));
  EXPECT_THAT(fileError("[cc]\nclient_id = \"a\"\n[servr]\nlisten = \"127.0.0.1:1\"\n"),
              HasSubstr("unknown setting servr ("));
  EXPECT_THAT(fileError("listen = \"127.0.0.1:1\"\n[cc]\nclient_id = \"a\"\n"),
              HasSubstr("unknown setting listen ("));
  EXPECT_THAT(fileError("[cc]\nclient_id = \"a\"\n[server.tls]\ncert = \"x\"\n"),
              HasSubstr("unknown setting server.tls"));
  EXPECT_THAT(envError({{"LIAISON_CC_CLIENTID", "a"}}),
              HasSubstr("unknown setting LIAISON_CC_CLIENTID (environment)"));
  // Variables of other commands are not the hub's business.
  auto env = kMinimalEnv;
  env["LIAISON_SANDBOX_TRANSPORT"] = "x";
  EXPECT_TRUE(loadHubConfig({}, env).ok());
  // The vault key comes from the environment but is no setting: the vault reads it.
  env["LIAISON_VAULT_KEY"] = "lvk1.x";
  EXPECT_TRUE(loadHubConfig({}, env).ok());
}

TEST_F(HubConfigErrorTest, LiteralClientSecretInFileIsRefused) {
  const auto message =
      fileError(std::string("[cc]\nclient_id = \"a\"\nclient_secret = \"") + kSecret + "\"\n");
  EXPECT_THAT(message,
              HasSubstr("cc.client_secret (" + dir_.file("hub.toml") + ":3): not allowed in a config file"));
  EXPECT_THAT(message, HasSubstr("LIAISON_CC_CLIENT_SECRET"));
  EXPECT_THAT(message, HasSubstr("cc.client_secret_file"));
}

TEST_F(HubConfigErrorTest, UnreadableFilesAreNamed) {
  const auto missing = dir_.file("missing.toml");
  EXPECT_THAT(errorOf(loadHubConfig({.config_file = missing}, kMinimalEnv)),
              HasSubstr("config (--config): cannot read '" + missing + "'"));
  auto env = kMinimalEnv;
  env["LIAISON_CONFIG"] = missing;
  EXPECT_THAT(errorOf(loadHubConfig({}, env)),
              HasSubstr("config (LIAISON_CONFIG): cannot read '" + missing + "'"));

  const auto missing_secret = dir_.file("no-secret");
  EXPECT_THAT(errorOf(loadHubConfig(
                  {.config_file = write("hub.toml", "[cc]\nclient_id = \"a\"\nclient_secret_file = \"" +
                                                        missing_secret + "\"\n")},
                  {})),
              HasSubstr("cc.client_secret_file (" + dir_.file("hub.toml") + ":3): cannot read '" +
                        missing_secret + "'"));
  const auto empty = write("empty-secret", "\n");
  EXPECT_THAT(
      errorOf(loadHubConfig({}, {{"LIAISON_CC_CLIENT_ID", "a"}, {"LIAISON_CC_CLIENT_SECRET_FILE", empty}})),
      HasSubstr("cc.client_secret_file (LIAISON_CC_CLIENT_SECRET_FILE): '" + empty + "' is empty"));
}

TEST_F(HubConfigErrorTest, DirectoriesAndOversizedFilesAreRefused) {
  EXPECT_THAT(errorOf(loadHubConfig({.config_file = dir_.path().string()}, kMinimalEnv)),
              HasSubstr("config (--config): '" + dir_.path().string() + "' is a directory"));
  const auto big = write("big-secret", std::string(5000, 'x'));
  EXPECT_THAT(
      errorOf(loadHubConfig({}, {{"LIAISON_CC_CLIENT_ID", "a"}, {"LIAISON_CC_CLIENT_SECRET_FILE", big}})),
      HasSubstr("cc.client_secret_file (LIAISON_CC_CLIENT_SECRET_FILE): '" + big + "' is over 4096 bytes"));
}

TEST_F(HubConfigErrorTest, StoreUrlMustBePostgresAndNeverHoldAPassword) {
  EXPECT_EQ(envError({{"LIAISON_STORE_URL", "mysql://db/liaison"}}),
            "store.url (LIAISON_STORE_URL): expected a postgresql:// URL, got 'mysql://db/liaison'");
  for (const char* url :
       {"postgresql://liaison:hunter2-pw@db/liaison", "postgres://db/liaison?password=hunter2-pw"}) {
    const auto message = envError({{"LIAISON_STORE_URL", url}});
    EXPECT_THAT(message, HasSubstr("store.url (LIAISON_STORE_URL): must not hold a password"));
    EXPECT_THAT(message, HasSubstr("PGPASSWORD"));
    EXPECT_THAT(message, Not(HasSubstr("hunter2-pw")));
  }
  // Empty keeps SQLite in the data directory.
  Env env = kMinimalEnv;
  env.emplace("LIAISON_STORE_URL", "");
  auto config = loadHubConfig({}, env);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->store_url, "");
}

}  // namespace
}  // namespace liaison::app::testing
