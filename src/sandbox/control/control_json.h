#pragma once
// Reading control API bodies: JSON objects, with typed fields that answer CC-format 400s.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/encoding.h"
#include "core/json_fields.h"
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

// One typed field of a control API body (absent or null: `fallback`), read through JsonFields
// so that a wrong type, a control character or an over-long value is a 400 like anywhere else.
// Strings hold at most kControlTextMax characters; lists at most kControlListMax entries.
inline constexpr size_t kControlTextMax = 1000;
inline constexpr size_t kControlListMax = 100;

inline JsonFields controlFields(const nlohmann::json& body) {
  return JsonFields(body, "sandbox.validation.error");
}

template <typename T>
Result<T> field(const nlohmann::json& body, const char* name, T fallback);

template <>
inline Result<std::string> field(const nlohmann::json& body, const char* name, std::string fallback) {
  auto value = controlFields(body).optionalString(name, {kControlTextMax});
  if (!value) return value.error();
  return value->value_or(std::move(fallback));
}

template <>
inline Result<bool> field(const nlohmann::json& body, const char* name, bool fallback) {
  auto value = controlFields(body).optionalBool(name);
  if (!value) return value.error();
  return value->value_or(fallback);
}

template <>
inline Result<int64_t> field(const nlohmann::json& body, const char* name, int64_t fallback) {
  auto value = controlFields(body).optionalInteger(name, INT64_MIN, INT64_MAX);
  if (!value) return value.error();
  return value->value_or(fallback);
}

template <>
inline Result<std::vector<std::string>> field(const nlohmann::json& body, const char* name,
                                              std::vector<std::string> fallback) {
  auto value = controlFields(body).optionalStrings(name, kControlListMax, {kControlTextMax});
  if (!value) return value.error();
  return value->value_or(std::move(fallback));
}

template <>
inline Result<std::set<std::string>> field(const nlohmann::json& body, const char* name,
                                           std::set<std::string> fallback) {
  auto value = controlFields(body).optionalStrings(name, kControlListMax, {kControlTextMax});
  if (!value) return value.error();
  if (!*value) return fallback;
  return std::set<std::string>((*value)->begin(), (*value)->end());
}

}  // namespace liaison::sandbox
