#pragma once
// CC's rules for an account's summary and physical address, shared by the v3 endpoints and the
// control API that creates accounts.
#include <nlohmann/json.hpp>

#include <string>

#include "core/result.h"

namespace liaison::sandbox {

// PUT /v3/account/summary: checks every writable field, then copies the given ones onto
// `summary` (a partial update; other fields are read-only).
// `error_key` names the API answering (the control API creates accounts with the same rules).
Status applySummary(nlohmann::json& summary, const nlohmann::json& body,
                    const std::string& error_key = "account.api.validation.error");

// A physical address as POST/PUT /v3/account/summary/physical_address take it.
Status validateAddress(const nlohmann::json& body,
                       const std::string& error_key = "account.api.validation.error");
nlohmann::json addressOf(const nlohmann::json& body);

}  // namespace liaison::sandbox
