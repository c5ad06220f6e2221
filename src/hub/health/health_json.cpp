#include "hub/health/health_json.h"

#include <nlohmann/json.hpp>

namespace liaison::hub {

namespace {

// ordered_json keeps the documented key order on the wire and CC's own order inside
// connection_status, which is passed through as CC sent it.
using Json = nlohmann::ordered_json;

Json verbatim(const std::string& text) {
  Json parsed = Json::parse(text, nullptr, false);
  return parsed.is_discarded() ? Json() : parsed;
}

Json renderCc(const CcLinkHealth& cc) {
  Json out = {{"has_token", cc.has_token},
              {"token_is_valid", cc.token_is_valid},
              {"token_has_scopes", cc.token_has_scopes},
              {"missing_scopes", cc.missing_scopes},
              {"is_active_user", cc.is_active_user},
              {"rate_limited", cc.rate_limited},
              {"last_refresh",
               {{"at", cc.last_refresh.at ? Json(formatIso8601(*cc.last_refresh.at)) : Json()},
                {"outcome", cc.last_refresh.outcome}}}};
  if (!cc.remedy.empty()) out["remedy"] = cc.remedy;
  return out;
}

Json renderProfiles(const std::vector<SocialProfileHealth>& profiles) {
  Json out = Json::array();
  for (const auto& p : profiles) {
    out.push_back({{"profile_id", p.profile_id},
                   {"name", p.name},
                   {"network", p.network},
                   {"connected", p.connected},
                   {"accessible", p.accessible}});
  }
  return out;
}

Json renderSocial(const SocialLinkHealth& link) {
  Json out = {{"network", link.network},
              {"network_account_id", link.network_account_id},
              {"display_name", link.display_name},
              {"connection_status", verbatim(link.connection_status_json)},
              {"profiles", renderProfiles(link.profiles)},
              {"healthy", link.healthy}};
  if (!link.remedy.empty()) out["remedy"] = link.remedy;
  out["blocked"] = link.blocked;
  return out;
}

// Typed reads that fall back to a default: a field a newer hub added or an older one left out
// must not make the whole cached report unreadable.
std::string text(const Json& object, const char* name) {
  return object.contains(name) && object[name].is_string() ? object[name].get<std::string>() : std::string();
}

bool flag(const Json& object, const char* name) {
  return object.contains(name) && object[name].is_boolean() && object[name].get<bool>();
}

std::vector<std::string> texts(const Json& object, const char* name) {
  std::vector<std::string> out;
  if (!object.contains(name) || !object[name].is_array()) return out;
  for (const auto& item : object[name]) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

CcLinkHealth parseCc(const Json& cc) {
  CcLinkHealth out;
  out.has_token = flag(cc, "has_token");
  out.token_is_valid = flag(cc, "token_is_valid");
  out.token_has_scopes = flag(cc, "token_has_scopes");
  out.missing_scopes = texts(cc, "missing_scopes");
  out.is_active_user = flag(cc, "is_active_user");
  out.rate_limited = flag(cc, "rate_limited");
  out.remedy = text(cc, "remedy");
  if (cc.contains("last_refresh") && cc["last_refresh"].is_object()) {
    const Json& last = cc["last_refresh"];
    TimePoint at;
    if (parseIso8601(text(last, "at"), at)) out.last_refresh.at = at;
    out.last_refresh.outcome = text(last, "outcome");
  }
  return out;
}

// A report stored before profiles were checked has none: the link then shows none.
std::vector<SocialProfileHealth> parseProfiles(const Json& item) {
  std::vector<SocialProfileHealth> out;
  if (!item.contains("profiles") || !item["profiles"].is_array()) return out;
  for (const auto& p : item["profiles"]) {
    if (!p.is_object()) continue;
    out.push_back({text(p, "profile_id"), text(p, "name"), text(p, "network"), flag(p, "connected"),
                   flag(p, "accessible")});
  }
  return out;
}

SocialLinkHealth parseSocial(const Json& item) {
  SocialLinkHealth out;
  out.network = text(item, "network");
  out.network_account_id = text(item, "network_account_id");
  out.display_name = text(item, "display_name");
  out.connection_status_json = item.contains("connection_status") ? item["connection_status"].dump() : "null";
  out.profiles = parseProfiles(item);
  out.healthy = flag(item, "healthy");
  out.remedy = text(item, "remedy");
  out.blocked = texts(item, "blocked");
  return out;
}

}  // namespace

std::string renderHealthJson(const HealthReport& report) {
  Json out = {{"status", std::string(toString(report.status))},
              {"checked_at", formatIso8601(report.checked_at)}};
  if (!report.remedy.empty()) out["remedy"] = report.remedy;
  out["cc"] = renderCc(report.cc);
  out["social"] = Json::array();
  for (const auto& link : report.social) out["social"].push_back(renderSocial(link));
  return out.dump();
}

Result<HealthReport> parseHealthJson(const std::string& connection_id, const std::string& body) {
  const Json json = Json::parse(body, nullptr, false);
  const auto unreadable = [] {
    return makeError(ErrorCode::Internal, "health.unreadable", "The stored health report could not be read.");
  };
  if (!json.is_object() || !json.contains("cc") || !json["cc"].is_object()) return unreadable();
  const auto status = healthStatusFrom(text(json, "status"));
  TimePoint checked_at;
  if (!status || !parseIso8601(text(json, "checked_at"), checked_at)) return unreadable();
  HealthReport report;
  report.connection_id = connection_id;
  report.status = *status;
  report.checked_at = checked_at;
  report.remedy = text(json, "remedy");
  report.cc = parseCc(json["cc"]);
  if (json.contains("social") && json["social"].is_array()) {
    for (const auto& item : json["social"]) {
      if (item.is_object()) report.social.push_back(parseSocial(item));
    }
  }
  return report;
}

}  // namespace liaison::hub
