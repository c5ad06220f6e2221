#pragma once
// The data objects of the hub's events, rendered in one place so the event log and the
// webhooks carry the same documented shapes.
#include <string>

#include "hub/store/model.h"

namespace liaison::hub {

std::string connectionEventData(const Connection& connection, const std::string& reason = {});
std::string sessionFailedData(const ConnectSession& session);
std::string socialChangeData(const std::string& network, const std::string& network_account_id, bool healthy,
                             const std::string& status_json, const std::string& previous_status_json);

}  // namespace liaison::hub
