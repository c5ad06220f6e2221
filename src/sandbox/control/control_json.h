#pragma once
// Reading control API bodies: JSON objects, with typed fields that answer CC-format 400s.
#include <nlohmann/json.hpp>

#include <string>

#include "core/encoding.h"
#include "core/result.h"
#include "http/message.h"

namespace liaison::sandbox {

// Parses a JSON object body; an empty body counts as {}.
inline Result<nlohmann::json> readJson(const http::Request& request) {
  if (request.body.empty()) return nlohmann::json::object();
  const std::string type = toLower(request.header("Content-Type").value_or(""));
  if (type.rfind("application/json", 0) != 0) {
    return makeError(ErrorCode::UnsupportedMediaType, "sandbox.unsupported_media_type",
                     "The body must be application/json.");
  }
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                     "The body must be a JSON object.");
  }
  return body;
}

template <typename T>
Result<T> field(const nlohmann::json& body, const char* name, T fallback) {
  if (!body.contains(name)) return fallback;
  try {
    return body.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                     std::string("The field '") + name + "' has the wrong type.");
  }
}

}  // namespace liaison::sandbox
