#pragma once
// The one way to read a field from a JSON body a client sent. Every accessor answers the value
// or an InvalidRequest error naming the field by its path ("street_addresses[0].city"), so a
// wrong type, an over-long string or a control character is the API's own 400 and never an
// exception, a silent default or a stored surprise. The error key is the caller's (a CC
// error_key on /v3, "sandbox.validation.error" on the control API...); the caller's renderer
// turns the Error into its wire format.
//
// Absent and null read alike as "not given" for optional fields: CC treats an explicit null as
// absent, and so does every API here.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace liaison {

// What a text field may hold. Lengths count Unicode characters, as CC's documented limits do.
struct TextRule {
  size_t max_chars = 255;
  bool multiline = false;  // tab, CR and LF allowed (notes, messages, HTML)
  bool allow_empty = true;
};

// Why `text` breaks `rule`, as a sentence starting with "must" ("must be at most 50
// characters."), or nullopt when it is fine. Checked in this order: UTF-8, length (before any
// per-character work, so the cost is bounded by the limit), control characters, emptiness.
std::optional<std::string> textProblem(std::string_view text, const TextRule& rule);

// Number of Unicode characters in valid UTF-8 text.
size_t utf8Length(std::string_view text);

class JsonFields {
 public:
  // `object` must outlive the reader. `path` prefixes field names in messages.
  JsonFields(const nlohmann::json& object, std::string error_key, std::string path = {});

  bool has(std::string_view name) const;  // present and not null

  Result<std::optional<std::string>> optionalString(std::string_view name, const TextRule& rule) const;
  Result<std::string> requiredString(std::string_view name, const TextRule& rule) const;
  // One of `allowed` (exact match); the message lists them.
  Result<std::optional<std::string>> optionalEnum(std::string_view name,
                                                  const std::vector<std::string_view>& allowed) const;
  // Whole numbers only (1.0 counts, 1.5 does not), within [min, max].
  Result<std::optional<int64_t>> optionalInteger(std::string_view name, int64_t min, int64_t max) const;
  Result<std::optional<double>> optionalNumber(std::string_view name, double min, double max) const;
  Result<std::optional<bool>> optionalBool(std::string_view name) const;
  // The array or object itself (nullptr when not given), with its size bounded.
  Result<const nlohmann::json*> optionalArray(std::string_view name, size_t max_items) const;
  Result<const nlohmann::json*> optionalObject(std::string_view name) const;
  // An array of strings, each checked against `rule`.
  Result<std::optional<std::vector<std::string>>> optionalStrings(std::string_view name, size_t max_items,
                                                                  const TextRule& rule) const;

  // A reader for a nested object or an array element, with its path for messages.
  Result<JsonFields> object(std::string_view name) const;  // the field must be an object
  Result<JsonFields> element(const nlohmann::json& array, std::string_view name, size_t index) const;

  // For a field already checked by one of the accessors above: its text, or `fallback` when
  // absent (or, never reached after a check, of another type). Never throws.
  std::string stringOr(std::string_view name, std::string_view fallback) const;
  bool boolOr(std::string_view name, bool fallback) const;

  std::string path(std::string_view name) const;
  Error invalid(std::string_view name, std::string_view problem) const;  // "<path> <problem>"
  const nlohmann::json& body() const { return *object_; }

 private:
  const nlohmann::json* find(std::string_view name) const;  // nullptr when absent or null

  const nlohmann::json* object_;
  std::string error_key_;
  std::string path_;
};

// A string value checked against `rule` (for values that are not object fields: array items,
// query parameters). `what` names it in the message.
Status checkText(std::string_view text, const TextRule& rule, std::string_view what,
                 const std::string& error_key);

}  // namespace liaison
