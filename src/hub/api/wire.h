#pragma once
// The hub REST API's JSON shapes and its one error format:
// {"error": {"code", "message", "remedy"?}}. Domain types stay free of JSON; this file maps them.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/message.h"
#include "hub/budget/governor.h"
#include "hub/store/connection_repository.h"
#include "hub/store/model.h"

namespace liaison::hub::api {

nlohmann::json connectionJson(const Connection& connection);
nlohmann::json sessionJson(const ConnectSession& session, const std::string& public_url);
nlohmann::json eventJson(const Event& event);
nlohmann::json budgetJson(const BudgetSnapshot& budget);

// The connection list's `next_after`: the page key as an opaque token, so clients pass it back
// as it is and the key's shape can change without changing the API.
std::string connectionCursor(const ConnectionPageKey& key);
// The key a cursor names; nullopt for anything connectionCursor did not make.
std::optional<ConnectionPageKey> parseConnectionCursor(std::string_view cursor);

// The hub's error body; the status comes from http::statusFor. `remedy` is what fixes it.
http::Response errorResponse(const Error& error, const std::string& remedy = {});
http::Response errorResponse(ErrorCode code, const std::string& key, const std::string& message,
                             const std::string& remedy = {});

}  // namespace liaison::hub::api
