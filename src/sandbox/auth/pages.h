#pragma once
// The HTML a person sees during authorization: login, consent, device activation, and the
// final or error messages. Every value is HTML-escaped here; callers pass raw text.
#include <string>
#include <vector>

#include "http/message.h"

namespace liaison::sandbox::pages {

struct ScopeLine {
  std::string name;
  std::string description;
};

std::string login(const std::string& app_name, const std::string& interaction_id,
                  const std::string& csrf, const std::string& email, const std::string& error);
std::string consent(const std::string& app_name, const std::string& user_email,
                    const std::vector<ScopeLine>& scopes, const std::string& interaction_id,
                    const std::string& csrf);
std::string activate(const std::string& user_code, const std::string& error);
std::string message(const std::string& title, const std::string& text);

// An HTML response that may not be framed (clickjacking), cached, or leak its URL as a referrer.
http::Response page(int status, std::string html);

}  // namespace liaison::sandbox::pages
