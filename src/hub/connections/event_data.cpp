#include "hub/connections/event_data.h"

#include <nlohmann/json.hpp>

namespace liaison::hub {

std::string connectionEventData(const Connection& c, const std::string& reason) {
  nlohmann::json data = {
      {"connection_id", c.id},
      {"end_user_id", c.end_user_id},
      {"account", {{"encoded_account_id", c.account_id}, {"organization_name", c.organization_name}}},
      {"status", std::string(toString(c.status))}};
  if (!reason.empty()) data["reason"] = reason;
  return data.dump();
}

std::string sessionFailedData(const ConnectSession& s) {
  return nlohmann::json{{"connect_session_id", s.id},
                        {"end_user_id", s.end_user_id},
                        {"flow", std::string(toString(s.flow))},
                        {"status", std::string(toString(s.status))},
                        {"error", s.error}}
      .dump();
}

std::string socialChangeData(const std::string& network, const std::string& network_account_id, bool healthy,
                             const std::string& status_json, const std::string& previous_status_json) {
  const auto parse = [](const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
  };
  return nlohmann::json{{"network", network},
                        {"network_account_id", network_account_id},
                        {"healthy", healthy},
                        {"connection_status", parse(status_json)},
                        {"previous_connection_status", parse(previous_status_json)}}
      .dump();
}

}  // namespace liaison::hub
