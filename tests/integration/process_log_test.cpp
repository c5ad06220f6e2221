// README: "Tokens, codes, secrets and passwords are never logged". The real binary at the most
// verbose level (trace, so debug too) runs every flow that carries one, in bodies, headers and
// query strings, and its whole stderr is searched for each.
#include <signal.h>

#include <fstream>
#include <iterator>

#include "http/client/http_client.h"
#include "integration/child_process.h"
#include "sandbox/sandbox_fixture.h"
#include "support/temp_dir.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

TEST(ProcessLog, NoTokenSecretCodeOrPasswordReachesTheLog) {
  TempDir dir("liaison-log");
  const std::string log_file = dir.file("stderr.log");
  auto http = http::makeCurlHttpClient();
  std::vector<std::string> secrets;
  {
    ChildProcess child(sandboxArgs({"--profile", "fast"}, "127.0.0.1:0", "trace"), log_file);
    const std::string base = bannerUrl(child);
    ASSERT_FALSE(base.empty());
    SandboxClient client(clientTransport(base, *http));

    // A user and a confidential app of our own, so each secret is a string found nowhere else.
    const std::string password = "pw-Log-Probe-7731";
    ASSERT_EQ(
        client
            .postJson("/__sandbox/users",
                      {{"email", "logprobe@sandbox.test"}, {"password", password}, {"role", "Account Owner"}})
            .status,
        201);
    auto app = client.postJson(
        "/__sandbox/apps",
        {{"name", "Log probe"}, {"redirect_uris", {kRedirect}}, {"flows", {"authorization_code"}}});
    ASSERT_EQ(app.status, 201) << app.body;
    const std::string client_id = jsonOf(app)["client_id"];
    const std::string client_secret = jsonOf(app)["client_secret"];
    secrets = {password, client_secret};

    // Authorization code flow: password in the login form, code in the redirect and token body.
    auto start =
        client.get("/oauth2/default/v1/authorize?" + formBody({{"client_id", client_id},
                                                               {"redirect_uri", kRedirect},
                                                               {"response_type", "code"},
                                                               {"scope", "account_read offline_access"},
                                                               {"state", "st"}}));
    auto wrong = client.loginAndDecide(start, "logprobe@sandbox.test", "wrong-" + password, "allow");
    EXPECT_EQ(wrong.status, 401);
    secrets.push_back("wrong-" + password);
    auto done = client.loginAndDecide(
        client.get("/oauth2/default/v1/authorize?" + formBody({{"client_id", client_id},
                                                               {"redirect_uri", kRedirect},
                                                               {"response_type", "code"},
                                                               {"scope", "account_read offline_access"}})),
        "logprobe@sandbox.test", password, "allow");
    ASSERT_EQ(done.status, 303) << done.body;
    const std::string code = redirectParams(done.headers.get("Location").value_or("")).getOr("code");
    ASSERT_FALSE(code.empty());
    auto exchanged = client.postForm(
        kTokenPath,
        formBody({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", kRedirect}}),
        {{"Authorization", basicAuth(client_id, client_secret)}});
    ASSERT_EQ(exchanged.status, 200) << exchanged.body;
    const json tokens = jsonOf(exchanged);
    const std::string access = tokens["access_token"], refresh = tokens["refresh_token"];
    secrets.insert(secrets.end(), {code, access, refresh});
    // The token as bearer and in query strings, a refresh, a revoke, then the replays.
    client.get("/v3/account/summary", access);
    client.get("/v3/account/summary?access_token=" + access);
    client.get("/oauth2/default/v1/authorize?code=" + code + "&client_secret=" + client_secret);

    // Device flow: device code in the poll, user code on the activation page and in its query.
    auto device =
        jsonOf(client.postForm("/oauth2/default/v1/device/authorize",
                               formBody({{"client_id", "sandbox-public"}, {"scope", "account_read"}})));
    const std::string device_code = device["device_code"], user_code = device["user_code"];
    secrets.insert(secrets.end(), {device_code, user_code});
    client.get("/activate?user_code=" + user_code);
    client.postForm("/activate", formBody({{"user_code", user_code}}));
    client.postForm(kTokenPath, formBody({{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                                          {"client_id", "sandbox-public"},
                                          {"device_code", device_code}}));
    auto refreshed =
        client.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}),
                        {{"Authorization", basicAuth(client_id, client_secret)}});
    ASSERT_EQ(refreshed.status, 200) << refreshed.body;
    const std::string rotated = jsonOf(refreshed)["refresh_token"];
    secrets.push_back(rotated);
    client.postForm("/oauth2/default/v1/revoke", formBody({{"token", rotated}}),
                    {{"Authorization", basicAuth(client_id, client_secret)}});
    // A replayed code and a replayed old refresh token each revoke what they minted, which the
    // sandbox logs.
    EXPECT_EQ(
        client
            .postForm(
                kTokenPath,
                formBody({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", kRedirect}}),
                {{"Authorization", basicAuth(client_id, client_secret)}})
            .status,
        400);
    client.postForm(kTokenPath, formBody({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}),
                    {{"Authorization", basicAuth(client_id, client_secret)}});
    child.stop(SIGTERM);
  }

  std::ifstream file(log_file);
  const std::string log((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  // The log was written, at the verbose level, with the access lines this test searches.
  EXPECT_NE(log.find("/oauth2/default/v1/token"), std::string::npos) << log.substr(0, 2000);
  EXPECT_NE(log.find("/v3/account/summary"), std::string::npos);
  EXPECT_NE(log.find("revoked"), std::string::npos);  // the sandbox's own lines, not only access lines
  for (const auto& secret : secrets) {
    ASSERT_FALSE(secret.empty());
    EXPECT_EQ(log.find(secret), std::string::npos) << "logged: " << secret;
  }
  // User codes are also entered without the hyphen and in lower case.
  for (const auto& secret : secrets) {
    if (secret.size() != 9 || secret[4] != '-') continue;
    EXPECT_EQ(log.find(secret.substr(0, 4) + secret.substr(5)), std::string::npos);
  }
}

}  // namespace
}  // namespace liaison::testing
