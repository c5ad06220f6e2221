#include "sandbox/auth/pages.h"

#include "core/encoding.h"

namespace liaison::sandbox::pages {

namespace {

std::string layout(const std::string& title, const std::string& body) {
  return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" + htmlEscape(title) + " · Constant Contact sandbox</title><style>"
         "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}"
         "main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;"
         "box-shadow:0 1px 4px rgba(0,0,0,.15)}"
         "h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem}"
         "input[type=text],input[type=email],input[type=password]{width:100%;padding:.5rem;"
         "box-sizing:border-box}button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem}"
         ".error{color:#b00020}.muted{color:#555;font-size:.9rem}li{margin:.4rem 0}"
         "</style></head><body><main>" + body + "<p class=\"muted\">Liaison sandbox: a local "
         "emulator of Constant Contact's authorization server.</p></main></body></html>";
}

std::string hidden(const std::string& name, const std::string& value) {
  return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + htmlEscape(value) + "\">";
}

std::string errorLine(const std::string& error) {
  return error.empty() ? "" : "<p class=\"error\" role=\"alert\">" + htmlEscape(error) + "</p>";
}

}  // namespace

std::string login(const std::string& app_name, const std::string& interaction_id,
                  const std::string& csrf, const std::string& email, const std::string& error) {
  return layout("Log in",
                "<h1>Log in to Constant Contact</h1><p><strong>" + htmlEscape(app_name) +
                    "</strong> wants to connect to your account.</p>" + errorLine(error) +
                    "<form method=\"post\" action=\"/oauth2/default/v1/login\">" +
                    hidden("interaction", interaction_id) + hidden("csrf", csrf) +
                    "<label for=\"email\">Email</label><input type=\"email\" id=\"email\" "
                    "name=\"email\" autocomplete=\"username\" required value=\"" +
                    htmlEscape(email) +
                    "\"><label for=\"password\">Password</label><input type=\"password\" "
                    "id=\"password\" name=\"password\" autocomplete=\"current-password\" required>"
                    "<button type=\"submit\">Log in</button></form>");
}

std::string consent(const std::string& app_name, const std::string& user_email,
                    const std::vector<ScopeLine>& scopes, const std::string& interaction_id,
                    const std::string& csrf) {
  std::string items;
  for (const auto& scope : scopes) {
    items += "<li><strong>" + htmlEscape(scope.description) + "</strong> <span class=\"muted\">(" +
             htmlEscape(scope.name) + ")</span></li>";
  }
  return layout("Allow access",
                "<h1>Allow " + htmlEscape(app_name) + " to access your account?</h1>"
                "<p>Signed in as " + htmlEscape(user_email) + ". <strong>" + htmlEscape(app_name) +
                    "</strong> will be able to:</p><ul id=\"scopes\">" + items +
                    "</ul><form method=\"post\" action=\"/oauth2/default/v1/consent\">" +
                    hidden("interaction", interaction_id) + hidden("csrf", csrf) +
                    "<button type=\"submit\" name=\"decision\" value=\"allow\">Allow Access</button> "
                    "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>");
}

std::string activate(const std::string& user_code, const std::string& error) {
  return layout("Activate a device",
                "<h1>Activate your device</h1><p>Enter the code shown on your device.</p>" +
                    errorLine(error) +
                    "<form method=\"post\" action=\"/activate\"><label for=\"user_code\">Code</label>"
                    "<input type=\"text\" id=\"user_code\" name=\"user_code\" autocomplete=\"off\" "
                    "autocapitalize=\"characters\" required value=\"" +
                    htmlEscape(user_code) + "\"><button type=\"submit\">Next</button></form>");
}

std::string message(const std::string& title, const std::string& text) {
  return layout(title, "<h1>" + htmlEscape(title) + "</h1><p id=\"message\">" + htmlEscape(text) + "</p>");
}

http::Response page(int status, std::string html) {
  auto response = http::Response::html(status, std::move(html));
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("X-Frame-Options", "DENY");
  response.headers.set("Content-Security-Policy",
                       "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  response.headers.set("Referrer-Policy", "no-referrer");
  response.headers.set("X-Content-Type-Options", "nosniff");
  return response;
}

}  // namespace liaison::sandbox::pages
