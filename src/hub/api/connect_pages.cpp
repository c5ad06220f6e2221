// The connect pages a person sees: what the app will be able to do, then CC's sign-in
// (redirect flow) or the code to enter (device flow), and the outcome. They load nothing from
// elsewhere, cannot be framed, and send no Referer.
#include <nlohmann/json.hpp>

#include "cc/features.h"
#include "cc/scopes.h"
#include "core/encoding.h"
#include "hub/api/hub_api.h"
#include "hub/api/wire.h"

namespace liaison::hub::api {

namespace {

http::Response page(int status, const std::string& title, const std::string& body) {
  auto response = http::Response::html(
      status,
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + htmlEscape(title) +
          "</title><meta name=\"viewport\" content=\"width=device-width\"><style>"
          "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}"
          ".code{font-size:2rem;letter-spacing:.2rem;font-weight:bold}.muted{color:#666}"
          "a.button,button{display:inline-block;background:#1856ed;color:#fff;padding:.6rem 1.2rem;"
          "border-radius:.3rem;text-decoration:none;border:0;font-size:1rem}</style></head><body>" +
          body + "</body></html>");
  response.headers.set("Referrer-Policy", "no-referrer");
  response.headers.set("X-Frame-Options", "DENY");
  response.headers.set("Content-Security-Policy",
                       "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'");
  response.headers.set("Cache-Control", "no-store");
  return response;
}

std::string scopeList(const std::vector<std::string>& scopes) {
  std::string out = "<ul>";
  for (const auto& name : scopes) {
    const auto* scope = cc::findScope(name);
    if (!scope) continue;
    out += "<li><strong>" + htmlEscape(scope->description) + "</strong>";
    if (!scope->not_allowed.empty())
      out += "<br><span class=\"muted\">" + htmlEscape(scope->not_allowed) + "</span>";
    out += "</li>";
  }
  return out + "</ul>";
}

// The device page's script (after `left` and `id`): counts down, polls the outcome, and once it is
// known removes the spent code, link and countdown. A failed status request (the hub restarting, a
// rate limit) is retried, never shown as the outcome.
constexpr const char* kDeviceScript =
    "const tick=setInterval(()=>{if(left>0)left--;"
    "document.getElementById('countdown').textContent=left;},1000);"
    "function end(text){clearInterval(tick);document.getElementById('pending').remove();"
    "document.getElementById('outcome').textContent=text;}"
    "async function poll(){try{const r=await fetch('/connect/'+id+'/status');if(r.ok){const s=await r.json();"
    "if(s.status==='connected'){end('Connected: '+(s.organization_name||''));return;}"
    "if(s.status!=='pending'){end('Not connected: '+(s.error||s.status));return;}}}catch(e){}"
    "setTimeout(poll,2000);}poll();";

std::string withQuery(const std::string& url, const std::string& query) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

}  // namespace

void HubApi::addConnectPages() {
  router_.add(
      "GET", "/connect/callback",
      [this](http::Request& request) {
        auto query = request.query();
        CallbackOutcome outcome = query ? deps_.connect.handleCallback(*query) : CallbackOutcome{};
        if (!query)
          outcome.error = "The answer from Constant Contact could not be read. Start again from the app.";
        if (outcome.session && !outcome.session->return_url.empty()) {
          Params back;
          if (!outcome.connection_id.empty()) back.add("connection_id", outcome.connection_id);
          back.add("status", std::string(toString(outcome.session->status)));
          auto response = http::Response::seeOther(withQuery(outcome.session->return_url, back.encode()));
          response.headers.set("Referrer-Policy", "no-referrer");
          return response;
        }
        if (!outcome.error.empty()) {
          return page(400, "Not connected", "<h1>Not connected</h1><p>" + htmlEscape(outcome.error) + "</p>");
        }
        return page(
            200, "Connected",
            "<h1>Connected</h1><p>The Constant Contact account is connected. You can close this page.</p>");
      },
      http::Execution::Blocking);

  router_.add(
      "GET", "/connect/{id}",
      [this](http::Request& request) {
        auto found = deps_.sessions.find(request.param("id"));
        if (!found || !*found) {
          return page(404, "Unknown link", "<h1>This link is not valid</h1><p>Start again from the app.</p>");
        }
        const ConnectSession& s = **found;
        const std::string app = htmlEscape(deps_.app_name);
        std::string body = "<h1>Connect Constant Contact to " + app + "</h1><p>" + app +
                           " asks to act on your Constant Contact account. It will be able to:</p>" +
                           scopeList(s.scopes);
        if (s.status == SessionStatus::Connected) {
          body +=
              "<p id=\"outcome\">This link was used: the Constant Contact account is connected. You can "
              "close "
              "this page.</p>";
          return page(200, "Connect Constant Contact", body);
        }
        if (s.status != SessionStatus::Pending || s.expires_at <= deps_.clock.now()) {
          // A pending session past its expiry has not been swept yet: it is expired all the same.
          const std::string ended =
              s.status == SessionStatus::Pending ? "expired" : std::string(toString(s.status));
          body +=
              "<p id=\"outcome\">This connect link has ended (" + ended + "). Start again from the app.</p>";
          return page(200, "Connect Constant Contact", body);
        }
        if (s.flow == SessionFlow::Redirect) {
          body += "<p><a class=\"button\" id=\"continue\" href=\"/connect/" + htmlEscape(s.id) +
                  "/authorize\">Continue to Constant Contact</a></p><p class=\"muted\">You sign in at "
                  "Constant Contact; " +
                  app + " never sees your password.</p>";
          return page(200, "Connect Constant Contact", body);
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::seconds>(s.expires_at - deps_.clock.now()).count();
        body +=
            "<div id=\"pending\"><p>Enter this code at Constant Contact:</p><p class=\"code\" "
            "id=\"user-code\">" +
            htmlEscape(s.user_code) + "</p><p><a class=\"button\" id=\"activate\" target=\"_blank\" " +
            "rel=\"noopener noreferrer\" href=\"" +
            htmlEscape(s.verification_uri_complete.empty() ? s.verification_uri
                                                           : s.verification_uri_complete) +
            "\">Open Constant Contact</a></p><p>Time left: <span id=\"countdown\">" + std::to_string(left) +
            "</span> s</p></div><p id=\"outcome\">Waiting for approval…</p><script>let left=" +
            std::to_string(left) + ";const id=" + nlohmann::json(s.id).dump() + ";" + kDeviceScript +
            "</script>";
        return page(200, "Connect Constant Contact", body);
      },
      http::Execution::Blocking);

  router_.add(
      "GET", "/connect/{id}/authorize",
      [this](http::Request& request) {
        auto url = deps_.connect.authorizeUrl(request.param("id"));
        if (!url) {
          return page(
              url.error().code == ErrorCode::NotFound ? 404 : 409, "Not available",
              "<h1>This link is not valid any more</h1><p>" + htmlEscape(url.error().message) + "</p>");
        }
        auto response = http::Response::found(*url);
        response.headers.set("Referrer-Policy", "no-referrer");
        response.headers.set("Cache-Control", "no-store");
        return response;
      },
      http::Execution::Blocking);

  // What the device page polls: the session's outcome only (the id is an unguessable capability).
  router_.add(
      "GET", "/connect/{id}/status",
      [this](http::Request& request) {
        auto found = deps_.sessions.find(request.param("id"));
        if (!found || !*found)
          return errorResponse(ErrorCode::NotFound, "not_found", "No connect session has that id.");
        const ConnectSession& s = **found;
        nlohmann::json out = {{"status", std::string(toString(s.status))}};
        if (!s.error.empty()) out["error"] = s.error;
        if (!s.connection_id.empty()) {
          auto c = deps_.connections.find(s.connection_id);
          if (c && *c) out["organization_name"] = (*c)->organization_name;
        }
        return http::Response::json(200, out);
      },
      http::Execution::Blocking);
}

http::Response HubApi::permissions(const std::string& connection_id) const {
  auto found = deps_.connections.find(connection_id);
  if (!found) return errorResponse(found.error());
  if (!*found) return errorResponse(ErrorCode::NotFound, "not_found", "No connection has that id.");
  const Connection& c = **found;
  std::vector<std::string> privileges;
  bool privileges_known = false;
  if (c.status == ConnectionStatus::Active) {
    auto token = deps_.refresher.accessToken(c.id, CallClass::Interactive);
    if (token) {
      auto body = deps_.cc.getV3("/account/user/privileges", *token, CallClass::Interactive, c.id);
      if (body) {
        const auto list = nlohmann::json::parse(*body, nullptr, false);
        if (list.is_array()) {
          privileges_known = true;
          for (const auto& p : list) {
            if (p.is_object() && p.contains("privilege_name") && p["privilege_name"].is_string()) {
              privileges.push_back(p["privilege_name"].get<std::string>());
            }
          }
        }
      }
    }
  }
  nlohmann::json features = nlohmann::json::array();
  for (const auto& f : cc::featureCatalogue()) {
    nlohmann::json item = {
        {"feature", f.id}, {"description", f.description}, {"scope", f.scope}, {"privilege", f.privilege}};
    const bool has_scope = cc::hasScope(c.scopes, f.scope);
    const bool has_privilege =
        std::find(privileges.begin(), privileges.end(), std::string(f.privilege)) != privileges.end();
    if (c.status != ConnectionStatus::Active) {
      item["allowed"] = false;
      item["reason"] = "The connection is " + std::string(toString(c.status)) + ".";
      item["remedy"] = "Reconnect the account (POST /api/v1/connections/" + c.id + "/reconnect).";
    } else if (!has_scope) {
      item["allowed"] = false;
      item["reason"] = "The app was not granted the scope " + std::string(f.scope) + ".";
      item["remedy"] = "Reconnect asking for the scope " + std::string(f.scope) + ".";
    } else if (!privileges_known) {
      item["allowed"] = nullptr;
      item["reason"] = "The user's privileges could not be read from Constant Contact just now.";
    } else if (!has_privilege) {
      item["allowed"] = false;
      item["reason"] =
          "The Constant Contact user who connected lacks the privilege " + std::string(f.privilege) + ".";
      item["remedy"] = "Ask the account owner to give this user the privilege " + std::string(f.privilege) +
                       " (the " + std::string(cc::leastRoleWith(f.privilege)) + " role has it).";
    } else {
      item["allowed"] = true;
    }
    features.push_back(item);
  }
  return http::Response::json(200, {{"connection_id", c.id}, {"features", features}});
}

}  // namespace liaison::hub::api
