#pragma once
// Test driver for the sandbox: sends requests through a pluggable transport (the pure handler,
// or real HTTP) and walks the browser steps a person takes (login form, consent buttons),
// keeping the session cookie as a browser would.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <regex>
#include <string>

#include "core/encoding.h"
#include "http/message.h"

namespace liaison::testing {

using Transport = std::function<http::Response(http::Request&)>;

inline std::string formBody(std::initializer_list<std::pair<std::string, std::string>> fields) {
  Params params;
  for (const auto& [name, value] : fields) params.add(name, value);
  return params.encode();
}

inline std::string basicAuth(const std::string& user, const std::string& password) {
  return "Basic " + base64Encode(percentEncode(user) + ":" + percentEncode(password));
}

// Query or fragment parameters of a redirect Location.
inline Params redirectParams(const std::string& location) {
  auto pos = location.find_first_of("?#");
  if (pos == std::string::npos) return {};
  return Params::parse(location.substr(pos + 1)).value_or(Params{});
}

inline std::string hiddenField(const std::string& html, const std::string& name) {
  std::smatch m;
  std::regex re("name=\"" + name + "\" value=\"([^\"]*)\"");
  return std::regex_search(html, m, re) ? m[1].str() : "";
}

class SandboxClient {
 public:
  explicit SandboxClient(Transport transport, std::string remote_address = "10.0.0.1")
      : transport_(std::move(transport)), remote_address_(std::move(remote_address)) {}

  http::Response send(const std::string& method, const std::string& target, const std::string& body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request request;
    request.method = method;
    request.target = target;
    request.body = body;
    request.remote_address = remote_address_;
    for (auto& [name, value] : headers) request.headers.add(name, value);
    if (!cookie_.empty()) request.headers.add("Cookie", cookie_);
    auto response = transport_(request);
    if (auto set = response.headers.get("Set-Cookie")) cookie_ = set->substr(0, set->find(';'));
    return response;
  }

  http::Response postForm(const std::string& target, const std::string& body,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return send("POST", target, body, std::move(headers));
  }

  http::Response postJson(const std::string& target, const nlohmann::json& body) {
    return send("POST", target, body.dump(), {{"Content-Type", "application/json"}});
  }

  http::Response get(const std::string& target, const std::string& bearer = "") {
    if (bearer.empty()) return send("GET", target);
    return send("GET", target, "", {{"Authorization", "Bearer " + bearer}});
  }

  // Follows a login page and consent page from a 303 to the login page. Returns the response
  // to the consent decision (a redirect to the client, or the final device page).
  http::Response loginAndDecide(const http::Response& to_login, const std::string& email,
                                const std::string& password, const std::string& decision) {
    EXPECT_EQ(to_login.status, 303) << to_login.body;
    auto login_page = get(to_login.headers.get("Location").value_or(""));
    EXPECT_EQ(login_page.status, 200) << login_page.body;
    const auto interaction = hiddenField(login_page.body, "interaction");
    const auto csrf = hiddenField(login_page.body, "csrf");
    auto after_login = postForm("/oauth2/default/v1/login",
                                formBody({{"interaction", interaction}, {"csrf", csrf},
                                          {"email", email}, {"password", password}}));
    if (after_login.status != 303) return after_login;
    auto consent_page = get(after_login.headers.get("Location").value_or(""));
    EXPECT_EQ(consent_page.status, 200) << consent_page.body;
    last_consent_html_ = consent_page.body;
    return postForm("/oauth2/default/v1/consent",
                    formBody({{"interaction", hiddenField(consent_page.body, "interaction")},
                              {"csrf", hiddenField(consent_page.body, "csrf")},
                              {"decision", decision}}));
  }

  // Runs an authorization request through login and consent; returns the redirect Location.
  std::string authorize(const std::string& query, const std::string& email = "owner@sandbox.test",
                        const std::string& decision = "allow") {
    auto start = get("/oauth2/default/v1/authorize?" + query);
    auto done = loginAndDecide(start, email, "sandbox", decision);
    EXPECT_EQ(done.status, 303) << done.body;
    return done.headers.get("Location").value_or("");
  }

  const std::string& lastConsentHtml() const { return last_consent_html_; }
  void forgetCookies() { cookie_.clear(); }

 private:
  Transport transport_;
  std::string remote_address_;
  std::string cookie_;
  std::string last_consent_html_;
};

inline nlohmann::json jsonOf(const http::Response& response) {
  return nlohmann::json::parse(response.body, nullptr, false);
}

}  // namespace liaison::testing
