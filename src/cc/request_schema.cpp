#include "cc/request_schema.h"

#include <cmath>
#include <map>
#include <string>

#include "core/json_fields.h"

namespace liaison::cc {

using nlohmann::json;

namespace {

// request_schemas.json, embedded at build time (see CMakeLists.txt).
constexpr const char kRequestSchemasJson[] =
#include "cc/request_schemas_json.inc"
    ;

const json& schemas() {
  static const json parsed = json::parse(kRequestSchemasJson)["operations"];
  return parsed;
}

Error invalid(const std::string& error_key, const std::string& path, const std::string& problem) {
  return makeError(ErrorCode::InvalidRequest, error_key, (path.empty() ? "The body" : path) + " " + problem);
}

// A whole number, also written as 3.0; a string of digits is not one.
bool isWholeNumber(const json& value) {
  if (value.is_number_integer()) return true;
  if (!value.is_number_float()) return false;
  const double d = value.get<double>();
  return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15;
}

std::string expected(const std::string& type) {
  if (type == "integer") return "must be a whole number.";
  if (type == "number") return "must be a number.";
  if (type == "boolean") return "must be true or false.";
  if (type == "array") return "must be an array.";
  if (type == "object") return "must be an object.";
  return "must be a string.";
}

Status check(const json& value, const json& schema, const std::string& path, const std::string& error_key) {
  if (value.is_null()) return okStatus();
  const auto type = schema.find("type");
  if (type == schema.end()) return okStatus();  // the document leaves it open
  const std::string& kind = type->get_ref<const std::string&>();
  bool matches = false;
  if (kind == "string")
    matches = value.is_string();
  else if (kind == "integer")
    matches = isWholeNumber(value);
  else if (kind == "number")
    matches = value.is_number();
  else if (kind == "boolean")
    matches = value.is_boolean();
  else if (kind == "array")
    matches = value.is_array();
  else if (kind == "object")
    matches = value.is_object();
  else
    matches = true;
  if (!matches) return invalid(error_key, path, expected(kind));

  if (kind == "string") {
    const size_t max = schema.value("maxLength", kLongestDocumentedText);
    if (auto problem = textProblem(value.get_ref<const std::string&>(), TextRule{max, true, true})) {
      return invalid(error_key, path, *problem);
    }
  } else if (kind == "array") {
    if (auto limit = schema.find("maxItems"); limit != schema.end() && value.size() > limit->get<size_t>()) {
      return invalid(error_key, path, "allows at most " + std::to_string(limit->get<size_t>()) + " items.");
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (size_t i = 0; i < value.size(); ++i) {
        if (auto status = check(value[i], *items, path + "[" + std::to_string(i) + "]", error_key); !status) {
          return status;
        }
      }
    }
  } else if (kind == "object") {
    if (auto properties = schema.find("properties"); properties != schema.end()) {
      for (const auto& [name, child] : properties->items()) {
        const auto field = value.find(name);
        if (field == value.end()) continue;
        if (auto status = check(*field, child, path.empty() ? name : path + "." + name, error_key); !status) {
          return status;
        }
      }
    }
  }
  return okStatus();
}

}  // namespace

const json* requestSchema(std::string_view operation_id) {
  const json& all = schemas();
  const auto it = all.find(operation_id);
  return it == all.end() ? nullptr : &*it;
}

Status checkAgainstSchema(const json& body, const json& schema, const std::string& error_key) {
  return check(body, schema, "", error_key);
}

}  // namespace liaison::cc
