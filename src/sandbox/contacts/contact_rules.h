#pragma once
// CC's contact model rules (ContactResource of the v3 document): field limits, enums, the
// create and replace semantics. Pure functions on JSON; the store applies them.
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace liaison::sandbox {

// A 400 in CC's vocabulary: contacts.api.validation.error with a message naming the field.
Error contactValidation(const std::string& message);
Error badRequestBody(const std::string& message);
// A 400 for bulk activities: activities.api.validation.error.
Error activityValidation(const std::string& message);

bool isUuid(const std::string& text);
// Parses a request body that must be a JSON object (415/400 otherwise).
Result<nlohmann::json> parseJsonObject(const std::string& content_type, const std::string& body);

// Validates the writable fields of a POST /contacts or PUT /contacts/{id} body. `creating`
// selects create_source (POST) or update_source (PUT) as the required source field.
Status validateContactBody(const nlohmann::json& body, bool creating);

// Builds the stored contact from a valid body. For a replace, `existing` is the stored contact:
// top-level fields not sent become absent, sub-resources not sent are kept (CC's PUT rules).
nlohmann::json buildContact(const nlohmann::json& body, const nlohmann::json* existing,
                            const std::string& contact_id, const std::string& now,
                            const std::function<std::string()>& new_id);

// What GET returns: the sub-resources are included only when asked for (`include`).
nlohmann::json presentContact(const nlohmann::json& stored, const std::vector<std::string>& include);

// The contact's email permission_to_send ("not_set" when it has no email address).
std::string permissionToSend(const nlohmann::json& contact);

// include= values CC accepts.
bool isContactInclude(const std::string& value);

}  // namespace liaison::sandbox
