#pragma once
// The sync definition's JSON document, read with every problem listed and written back in the
// same shape (defaults filled in, so a GET shows what the sync really does).
#include <nlohmann/json.hpp>

#include <variant>

#include "sync/model/definition.h"
#include "sync/model/problems.h"

namespace liaison::sync {

// The definition, or every structural problem in the document (unknown keys, wrong types, bad
// values). Fields are checked against the sides later (mapping/), which lists its own problems.
std::variant<SyncDefinition, Problems> parseDefinition(const nlohmann::json& document);

// A PATCH: `patch`'s top-level keys replace the definition's (an object key replaces the whole
// part, as JSON merge patch on the first level).
std::variant<SyncDefinition, Problems> patchDefinition(const SyncDefinition& current,
                                                       const nlohmann::json& patch);

nlohmann::json toJson(const SyncDefinition& definition);

// The URL as it may be shown: a password in it replaced by "***".
std::string redactUrl(const std::string& url);

}  // namespace liaison::sync
