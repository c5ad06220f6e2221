#include "cc/errors.h"

#include <nlohmann/json.hpp>

#include "http/status.h"

namespace liaison::cc {

http::Response errorResponse(const Error& error) {
  const int status = http::statusFor(error.code);
  nlohmann::json item = {{"error_key", error.key}, {"error_message", error.message}};
  const bool auth = error.code == ErrorCode::Unauthorized || error.code == ErrorCode::Forbidden;
  auto response = http::Response::json(status, auth ? item : nlohmann::json::array({item}));
  if (error.code == ErrorCode::Unauthorized) {
    response.headers.set("WWW-Authenticate", "Bearer realm=\"api.cc.email\"");
  }
  return response;
}

std::vector<ApiError> parseErrors(std::string_view body) {
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  std::vector<ApiError> out;
  auto take = [&](const nlohmann::json& item) {
    if (!item.is_object() || !item.contains("error_key") || !item["error_key"].is_string()) return false;
    const auto& message = item.contains("error_message") ? item["error_message"] : nlohmann::json();
    out.push_back(
        {item["error_key"].get<std::string>(), message.is_string() ? message.get<std::string>() : ""});
    return true;
  };
  if (parsed.is_object()) {
    take(parsed);
  } else if (parsed.is_array()) {
    for (const auto& item : parsed) {
      if (!take(item)) return {};
    }
  }
  return out;
}

}  // namespace liaison::cc
