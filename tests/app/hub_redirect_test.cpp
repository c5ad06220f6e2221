// The redirect flow through the hub's connect page and the sandbox's login and consent pages,
// driven in process like a browser: cookies and hidden form fields carried by hand.
#include <string>

#include "app/hub_fixture.h"
#include "core/encoding.h"

namespace liaison::testing {
namespace {

// Hidden input `name` of an HTML form.
std::string hidden(const std::string& html, const std::string& name) {
  const std::string marker = "name=\"" + name + "\" value=\"";
  const auto at = html.find(marker);
  if (at == std::string::npos) return "";
  const auto start = at + marker.size();
  return html.substr(start, html.find('"', start) - start);
}

std::string pathOf(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  return url.substr(url.find('/', scheme + 3));
}

class HubRedirectTest : public HubFixture {
 protected:
  // A browser session at the sandbox: cookie jar of one cookie, form posts, redirects by hand.
  http::Response sandboxGet(const std::string& target) {
    http::Request request;
    request.method = "GET";
    request.target = pathOf(target);
    request.remote_address = "127.0.0.1";
    if (!cookie_.empty()) request.headers.set("Cookie", cookie_);
    auto response = sandbox_->handle(request);
    keepCookie(response);
    return response;
  }
  http::Response sandboxPost(const std::string& target, const Params& form) {
    http::Request request;
    request.method = "POST";
    request.target = pathOf(target);
    request.remote_address = "127.0.0.1";
    request.body = form.encode();
    request.headers.set("Content-Type", "application/x-www-form-urlencoded");
    if (!cookie_.empty()) request.headers.set("Cookie", cookie_);
    auto response = sandbox_->handle(request);
    keepCookie(response);
    return response;
  }
  void keepCookie(const http::Response& response) {
    if (auto set = response.headers.get("Set-Cookie")) cookie_ = set->substr(0, set->find(';'));
  }

  // From the hub's connect page to the hub's callback URL that CC redirects to.
  std::string consentAndGetCallback(const std::string& session_id, const std::string& decision) {
    auto authorize = hubCall("GET", "/connect/" + session_id + "/authorize", nullptr, "");
    EXPECT_EQ(authorize.status, 302);
    const std::string cc_authorize = *authorize.raw.headers.get("Location");
    EXPECT_TRUE(cc_authorize.starts_with(std::string(kSandboxOrigin) + "/oauth2/default/v1/authorize?"));
    EXPECT_NE(cc_authorize.find("code_challenge_method=S256"), std::string::npos);
    auto login_redirect = sandboxGet(cc_authorize);
    auto login_page = sandboxGet(*login_redirect.headers.get("Location"));
    Params login;
    login.add("interaction", hidden(login_page.body, "interaction"));
    login.add("csrf", hidden(login_page.body, "csrf"));
    login.add("email", "owner@sandbox.test");
    login.add("password", "sandbox");
    auto consent_redirect = sandboxPost("/oauth2/default/v1/login", login);
    auto consent_page = sandboxGet(*consent_redirect.headers.get("Location"));
    Params consent;
    consent.add("interaction", hidden(consent_page.body, "interaction"));
    consent.add("csrf", hidden(consent_page.body, "csrf"));
    consent.add("decision", decision);
    auto back = sandboxPost("/oauth2/default/v1/consent", consent);
    const auto location = back.headers.get("Location");
    EXPECT_TRUE(location) << back.status << " " << back.body.substr(0, 300);
    return location ? *location : "";
  }

  std::string cookie_;
};

TEST_F(HubRedirectTest, TheConnectPageLeadsThroughCcsConsentToAStoredConnection) {
  auto session = hubCall("POST", "/api/v1/connect-sessions",
                         {{"end_user_id", "user-7"}, {"return_url", "https://app.example/done"}});
  ASSERT_EQ(session.status, 201) << session.body.dump();
  const std::string id = session.body["id"];
  EXPECT_EQ(session.body["connect_url"], std::string(kHubUrl) + "/connect/" + id);
  auto page = hubCall("GET", "/connect/" + id, nullptr, "");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.raw.body.find("hub-app"), std::string::npos) << "the page names the app";
  EXPECT_NE(page.raw.body.find("contact"), std::string::npos) << "and says what each scope allows";
  EXPECT_NE(page.raw.body.find("/connect/" + id + "/authorize"), std::string::npos);
  EXPECT_EQ(page.raw.headers.get("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(page.raw.headers.get("X-Frame-Options"), "DENY");

  const std::string callback = consentAndGetCallback(id, "allow");
  ASSERT_TRUE(callback.starts_with(std::string(kHubUrl) + "/connect/callback?")) << callback;
  auto done = hubCall("GET", pathOf(callback), nullptr, "");
  ASSERT_EQ(done.status, 303) << done.raw.body;
  const std::string back = *done.raw.headers.get("Location");
  EXPECT_TRUE(back.starts_with("https://app.example/done?connection_id=conn_")) << back;
  EXPECT_NE(back.find("status=connected"), std::string::npos);
  auto state = hubCall("GET", "/api/v1/connect-sessions/" + id);
  EXPECT_EQ(state.body["status"], "connected");
  auto connection = hubCall("GET", "/api/v1/connections/" + state.body["connection_id"].get<std::string>());
  EXPECT_EQ(connection.body["account"]["organization_name"], "Sandbox Bakery");

  // T10: the state is single use. The same callback again ends on a clear page, not a connection.
  auto replay = hubCall("GET", pathOf(callback), nullptr, "");
  EXPECT_EQ(replay.status, 400);
  EXPECT_NE(replay.raw.body.find("not valid"), std::string::npos);
  EXPECT_EQ(replay.raw.body.find("{\""), std::string::npos) << "never a raw JSON body";
}

TEST_F(HubRedirectTest, TheConnectPageNamesTheConfiguredAppEscaped) {
  app_name_ = "Bakery <script>alert(1)</script> & \"Co\"";
  startHub();
  for (const std::string flow : {"redirect", "device"}) {
    auto session = hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "user-13"}, {"flow", flow}});
    ASSERT_EQ(session.status, 201) << session.body.dump();
    auto page = hubCall("GET", "/connect/" + session.body["id"].get<std::string>(), nullptr, "");
    ASSERT_EQ(page.status, 200);
    const std::string escaped = "Bakery &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;";
    EXPECT_NE(page.raw.body.find("<h1>Connect Constant Contact to " + escaped + "</h1>"), std::string::npos)
        << page.raw.body;
    EXPECT_EQ(page.raw.body.find("<script>alert(1)"), std::string::npos) << "the name is never markup";
    EXPECT_EQ(page.raw.body.find("hub-app"), std::string::npos) << "the name replaces the client_id";
  }
}

TEST_F(HubRedirectTest, ADenialEndsOnAPageAndAnEvent) {
  auto session = hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "user-8"}});
  const std::string id = session.body["id"];
  const std::string callback = consentAndGetCallback(id, "deny");
  auto done = hubCall("GET", pathOf(callback), nullptr, "");
  EXPECT_EQ(done.status, 400);
  EXPECT_NE(done.raw.body.find("not granted"), std::string::npos) << done.raw.body;
  EXPECT_EQ(hubCall("GET", "/api/v1/connect-sessions/" + id).body["status"], "denied");
  auto events = hubCall("GET", "/api/v1/events");
  ASSERT_FALSE(events.body["events"].empty());
  EXPECT_EQ(events.body["events"].back()["type"], "connect_session.failed");
}

// A spent link tells the person where things stand: connected (nothing more to do), or ended and
// why, even before the background sweep has marked an old session expired.
TEST_F(HubRedirectTest, ASpentConnectLinkSaysHowItEnded) {
  auto used = hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "user-11"}});
  const std::string used_id = used.body["id"];
  ASSERT_EQ(hubCall("GET", pathOf(consentAndGetCallback(used_id, "allow")), nullptr, "").status, 200);
  auto connected = hubCall("GET", "/connect/" + used_id, nullptr, "");
  EXPECT_NE(connected.raw.body.find("account is connected"), std::string::npos) << connected.raw.body;
  EXPECT_EQ(connected.raw.body.find("Start again"), std::string::npos);
  EXPECT_EQ(connected.raw.body.find("/authorize"), std::string::npos);

  auto stale = hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "user-12"}});
  const std::string stale_id = stale.body["id"];
  clock_.advance(std::chrono::minutes(11));  // past the 10 minutes a session lasts, with no tick
  ASSERT_EQ(hubCall("GET", "/api/v1/connect-sessions/" + stale_id).body["status"], "pending");
  auto ended = hubCall("GET", "/connect/" + stale_id, nullptr, "");
  EXPECT_NE(ended.raw.body.find("has ended (expired)"), std::string::npos) << ended.raw.body;
  EXPECT_EQ(ended.raw.body.find("/authorize"), std::string::npos);
}

TEST_F(HubRedirectTest, AnIssuerMismatchOrUnknownStateAborts) {
  auto session = hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "user-9"}});
  const std::string id = session.body["id"];
  std::string callback = consentAndGetCallback(id, "allow");
  // RFC 9207: an answer naming another issuer is refused even with a valid state and code.
  auto mixed =
      hubCall("GET", pathOf(callback) + "&iss=" + percentEncode("https://evil.example"), nullptr, "");
  EXPECT_EQ(mixed.status, 400);
  EXPECT_EQ(hubCall("GET", "/api/v1/connect-sessions/" + id).body["status"], "failed");
  EXPECT_EQ(hubCall("GET", "/api/v1/connections").body["connections"].size(), 0u);
  EXPECT_EQ(hubCall("GET", "/connect/callback?state=forged&code=x", nullptr, "").status, 400);
  EXPECT_EQ(hubCall("GET", "/connect/callback", nullptr, "").status, 400);
}

TEST_F(HubRedirectTest, OnlyTheNewestAuthorizeUrlCanComplete) {
  auto session = hubCall("POST", "/api/v1/connect-sessions", {{"end_user_id", "user-10"}});
  const std::string id = session.body["id"];
  auto first = hubCall("GET", "/connect/" + id + "/authorize", nullptr, "");
  const std::string old_state = [&] {
    auto q = Params::parse(
        first.raw.headers.get("Location")->substr(first.raw.headers.get("Location")->find('?') + 1));
    return q->getOr("state");
  }();
  const std::string callback = consentAndGetCallback(id, "allow");  // asks for a new URL: new state
  EXPECT_EQ(hubCall("GET", "/connect/callback?code=x&state=" + percentEncode(old_state), nullptr, "").status,
            400);
  EXPECT_EQ(hubCall("GET", pathOf(callback), nullptr, "").status, 200);
}

}  // namespace
}  // namespace liaison::testing
