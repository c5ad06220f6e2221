#include "core/json_fields.h"

#include <cmath>

#include "core/encoding.h"

namespace liaison {

using nlohmann::json;

namespace {

const char* typeName(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    default:
      return "null";
  }
}

std::string wrongType(const char* wanted, const json& got) {
  return std::string("must be ") + wanted + ", not " + typeName(got) + ".";
}

}  // namespace

size_t utf8Length(std::string_view text) {
  size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::optional<std::string> textProblem(std::string_view text, const TextRule& rule) {
  if (!isValidUtf8(text)) return std::string("must be valid UTF-8.");
  // A byte count above 4x the limit is over it whatever the encoding: no need to look further.
  if (text.size() > rule.max_chars * 4 || utf8Length(text) > rule.max_chars) {
    return "must be at most " + std::to_string(rule.max_chars) + " characters.";
  }
  if (hasControlCharacter(text, rule.multiline ? "\t\n\r" : ""))
    return std::string("must not contain control characters.");
  if (!rule.allow_empty && text.empty()) return std::string("must not be empty.");
  return std::nullopt;
}

Status checkText(std::string_view text, const TextRule& rule, std::string_view what,
                 const std::string& error_key) {
  if (auto problem = textProblem(text, rule)) {
    return makeError(ErrorCode::InvalidRequest, error_key, std::string(what) + " " + *problem);
  }
  return okStatus();
}

JsonFields::JsonFields(const json& object, std::string error_key, std::string path)
    : object_(&object), error_key_(std::move(error_key)), path_(std::move(path)) {}

const json* JsonFields::find(std::string_view name) const {
  if (!object_->is_object()) return nullptr;
  const auto it = object_->find(name);
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

bool JsonFields::has(std::string_view name) const { return find(name) != nullptr; }

std::string JsonFields::stringOr(std::string_view name, std::string_view fallback) const {
  const json* value = find(name);
  return value && value->is_string() ? value->get<std::string>() : std::string(fallback);
}

bool JsonFields::boolOr(std::string_view name, bool fallback) const {
  const json* value = find(name);
  return value && value->is_boolean() ? value->get<bool>() : fallback;
}

std::string JsonFields::path(std::string_view name) const {
  return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
}

Error JsonFields::invalid(std::string_view name, std::string_view problem) const {
  return makeError(ErrorCode::InvalidRequest, error_key_, path(name) + " " + std::string(problem));
}

Result<std::optional<std::string>> JsonFields::optionalString(std::string_view name,
                                                              const TextRule& rule) const {
  const json* value = find(name);
  if (!value) return std::optional<std::string>();
  if (!value->is_string()) return invalid(name, wrongType("a string", *value));
  const auto& text = value->get_ref<const std::string&>();
  if (auto problem = textProblem(text, rule)) return invalid(name, *problem);
  return std::optional<std::string>(text);
}

Result<std::string> JsonFields::requiredString(std::string_view name, const TextRule& rule) const {
  auto value = optionalString(name, rule);
  if (!value) return value.error();
  if (!*value) return invalid(name, "is required.");
  return std::move(**value);
}

Result<std::optional<std::string>> JsonFields::optionalEnum(
    std::string_view name, const std::vector<std::string_view>& allowed) const {
  auto value = optionalString(name, TextRule{64, false, true});
  if (!value || !*value) return value;
  for (const auto a : allowed) {
    if (a == **value) return value;
  }
  std::string list;
  for (const auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  return invalid(name, "must be one of: " + list + ".");
}

Result<std::optional<int64_t>> JsonFields::optionalInteger(std::string_view name, int64_t min,
                                                           int64_t max) const {
  const json* value = find(name);
  if (!value) return std::optional<int64_t>();
  if (!value->is_number()) return invalid(name, wrongType("a whole number", *value));
  const std::string range =
      "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ".";
  if (value->is_number_float()) {
    const double d = value->get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(min) ||
        d > static_cast<double>(max)) {
      return invalid(name, range);
    }
    return std::optional<int64_t>(static_cast<int64_t>(d));
  }
  if (value->is_number_unsigned() && value->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return invalid(name, range);
  }
  const int64_t n = value->get<int64_t>();
  if (n < min || n > max) return invalid(name, range);
  return std::optional<int64_t>(n);
}

Result<std::optional<double>> JsonFields::optionalNumber(std::string_view name, double min,
                                                         double max) const {
  const json* value = find(name);
  if (!value) return std::optional<double>();
  if (!value->is_number()) return invalid(name, wrongType("a number", *value));
  const double d = value->get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    return invalid(name, "must be a number from " + json(min).dump() + " to " + json(max).dump() + ".");
  }
  return std::optional<double>(d);
}

Result<std::optional<bool>> JsonFields::optionalBool(std::string_view name) const {
  const json* value = find(name);
  if (!value) return std::optional<bool>();
  if (!value->is_boolean()) return invalid(name, wrongType("true or false", *value));
  return std::optional<bool>(value->get<bool>());
}

Result<const json*> JsonFields::optionalArray(std::string_view name, size_t max_items) const {
  const json* value = find(name);
  if (!value) return static_cast<const json*>(nullptr);
  if (!value->is_array()) return invalid(name, wrongType("an array", *value));
  if (value->size() > max_items) {
    return invalid(name, "allows at most " + std::to_string(max_items) + " entries.");
  }
  return value;
}

Result<const json*> JsonFields::optionalObject(std::string_view name) const {
  const json* value = find(name);
  if (!value) return static_cast<const json*>(nullptr);
  if (!value->is_object()) return invalid(name, wrongType("an object", *value));
  return value;
}

Result<std::optional<std::vector<std::string>>> JsonFields::optionalStrings(std::string_view name,
                                                                            size_t max_items,
                                                                            const TextRule& rule) const {
  auto array = optionalArray(name, max_items);
  if (!array) return array.error();
  if (!*array) return std::optional<std::vector<std::string>>();
  std::vector<std::string> out;
  out.reserve((*array)->size());
  for (size_t i = 0; i < (*array)->size(); ++i) {
    const json& item = (**array)[i];
    const std::string where = std::string(name) + "[" + std::to_string(i) + "]";
    if (!item.is_string()) return invalid(where, wrongType("a string", item));
    if (auto problem = textProblem(item.get_ref<const std::string&>(), rule)) return invalid(where, *problem);
    out.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<JsonFields> JsonFields::object(std::string_view name) const {
  const json* value = find(name);
  if (!value) return invalid(name, "is required.");
  if (!value->is_object()) return invalid(name, wrongType("an object", *value));
  return JsonFields(*value, error_key_, path(name));
}

Result<JsonFields> JsonFields::element(const json& array, std::string_view name, size_t index) const {
  const std::string where = std::string(name) + "[" + std::to_string(index) + "]";
  const json& item = array.at(index);
  if (!item.is_object()) return invalid(where, wrongType("an object", item));
  return JsonFields(item, error_key_, path(where));
}

}  // namespace liaison
