#include "hub/api/wire.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "core/encoding.h"
#include "http/status.h"

namespace liaison::hub::api {

using nlohmann::json;

json connectionJson(const Connection& c) {
  return {{"id", c.id},
          {"end_user_id", c.end_user_id},
          {"account", {{"encoded_account_id", c.account_id}, {"organization_name", c.organization_name}}},
          {"scopes", c.scopes},
          {"status", std::string(toString(c.status))},
          {"created_at", formatIso8601(c.created_at)},
          {"updated_at", formatIso8601(c.updated_at)},
          {"access_token_expires_at",
           c.sealed_access_token.empty() ? json(nullptr) : json(formatIso8601(c.access_expires_at))}};
}

json budgetJson(const BudgetSnapshot& b) {
  json top = json::array();
  for (const auto& use : b.top_connections) {
    top.push_back({{"connection_id", use.connection_id}, {"calls_today", use.calls_today}});
  }
  json queue = json::object();
  for (size_t c = 0; c < kCallClasses; ++c) queue[toString(static_cast<CallClass>(c))] = b.queued[c];
  return {{"app_id", b.app_id},
          {"limits",
           {{"per_second", b.api_per_second},
            {"per_day", b.api_per_day},
            {"token_per_second", b.token_per_second},
            {"reserve_percent", b.reserve_percent}}},
          {"used_today", b.used_today},
          {"remaining_today", b.remaining_today},
          {"resets_at", formatIso8601(b.resets_at)},
          {"token_calls_today", b.token_calls_today},
          {"rate", {{"last_second", b.calls_last_second}, {"last_minute", b.calls_last_minute}}},
          {"queue", queue},
          {"top_connections", top},
          {"refused_today", b.refused_today}};
}

json sessionJson(const ConnectSession& s, const std::string& public_url) {
  json out = {{"id", s.id},
              {"flow", std::string(toString(s.flow))},
              {"status", std::string(toString(s.status))},
              {"end_user_id", s.end_user_id},
              {"scopes", s.scopes},
              {"expires_at", formatIso8601(s.expires_at)},
              {"connect_url", public_url + "/connect/" + s.id}};
  if (!s.connection_id.empty()) out["connection_id"] = s.connection_id;
  if (!s.reconnect_connection_id.empty()) out["reconnects"] = s.reconnect_connection_id;
  if (!s.error.empty()) out["error"] = s.error;
  if (s.flow == SessionFlow::Device) {
    out["user_code"] = s.user_code;
    out["verification_uri"] = s.verification_uri;
    out["verification_uri_complete"] = s.verification_uri_complete;
    out["interval"] = s.interval_s;
  }
  return out;
}

json eventJson(const Event& e) {
  auto data = json::parse(e.data_json, nullptr, false);
  return {{"id", e.id},
          {"sequence", e.sequence},
          {"type", e.type},
          {"connection_id", e.connection_id.empty() ? json(nullptr) : json(e.connection_id)},
          {"created_at", formatIso8601(e.created_at)},
          {"data", data.is_discarded() ? json::object() : data}};
}

namespace {
constexpr std::string_view kCursorVersion = "c1.";
}  // namespace

std::string connectionCursor(const ConnectionPageKey& key) {
  return base64UrlEncode(std::string(kCursorVersion) + std::to_string(toMillis(key.created_at)) + "." +
                         key.id);
}

std::optional<ConnectionPageKey> parseConnectionCursor(std::string_view cursor) {
  if (cursor.size() > 512) return std::nullopt;
  const auto text = base64UrlDecode(cursor);
  if (!text || !text->starts_with(kCursorVersion)) return std::nullopt;
  const std::string_view rest = std::string_view(*text).substr(kCursorVersion.size());
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == rest.size()) return std::nullopt;
  int64_t millis = 0;
  const auto [end, error] = std::from_chars(rest.data(), rest.data() + dot, millis);
  if (error != std::errc() || end != rest.data() + dot || millis < 0) return std::nullopt;
  const std::string_view id = rest.substr(dot + 1);
  if (!isValidUtf8(id) || hasControlCharacter(id)) return std::nullopt;
  return ConnectionPageKey{fromMillis(millis), std::string(id)};
}

http::Response errorResponse(const Error& error, const std::string& remedy) {
  if (error.code == ErrorCode::Internal && !error.detail.empty()) {
    spdlog::error("hub api: {} ({})", error.key, error.detail);
  }
  json body = {{"code", error.key.empty() ? "error" : error.key}, {"message", error.message}};
  if (!remedy.empty()) body["remedy"] = remedy;
  auto response = http::Response::json(http::statusFor(error.code), {{"error", body}});
  response.headers.set("Cache-Control", "no-store");
  return response;
}

http::Response errorResponse(ErrorCode code, const std::string& key, const std::string& message,
                             const std::string& remedy) {
  return errorResponse(makeError(code, key, message), remedy);
}

}  // namespace liaison::hub::api
