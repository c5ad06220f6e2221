#include "sandbox/robustness/mutations.h"

#include <cstdio>

namespace liaison::testing {

using nlohmann::json;

namespace {

// Strings with no documented maxLength are sent this long: beyond any sane field, well under
// the 4 MB body limit, so the answer is about the field and not the body's size.
constexpr size_t kUndocumentedOverLong = 200'001;

struct Step {
  bool element = false;  // "[]": the array's first element
  std::string key;
};

std::vector<Step> steps(const std::string& path) {
  std::vector<Step> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path.compare(i, 2, "[]") == 0) {
      out.push_back({true, ""});
      i += 2;
    } else if (path[i] == '.') {
      ++i;
    } else {
      size_t end = i;
      while (end < path.size() && path[end] != '.' && path.compare(end, 2, "[]") != 0) ++end;
      out.push_back({false, path.substr(i, end - i)});
      i = end;
    }
  }
  return out;
}

// An empty container of the kind the next step walks into.
json emptyFor(const std::vector<Step>& path, size_t next) {
  if (next >= path.size()) return nullptr;
  return path[next].element ? json::array() : json::object();
}

std::string withControl(const json& current, char control) {
  const std::string base = current.is_string() && current.get<std::string>().size() >= 2
                               ? current.get<std::string>()
                               : std::string("ab");
  // Inside a valid value, so nothing but the control character is wrong with it.
  return base.substr(0, 1) + control + base.substr(1);
}

std::string overLong(const json& current, size_t length) {
  const std::string base = current.is_string() ? current.get<std::string>() : "";
  // The valid value padded in front keeps its shape (an email address stays one).
  if (base.size() >= length) return std::string(length, 'a');
  return std::string(length - base.size(), 'a') + base;
}

}  // namespace

FieldSpec FieldSpec::fromJson(const json& field) {
  FieldSpec spec;
  spec.path = field.value("path", "");
  spec.type = field.value("type", "any");
  if (field.contains("max_length")) spec.max_length = field["max_length"].get<size_t>();
  spec.read_only = field.value("read_only", false);
  return spec;
}

std::vector<Mutation> mutationsFor(const FieldSpec& field, const json& current, bool form_field) {
  std::vector<Mutation> out;
  const json object = {{"x", 1}};
  const json array = json::array({"x"});
  if (field.type == "string") {
    if (!form_field) {
      out.push_back({"number 42", 42});
      out.push_back({"boolean true", true});
      out.push_back({"object {\"x\":1}", object});
      out.push_back({"array [\"x\"]", array});
    }
    const size_t length = field.max_length ? *field.max_length + 1 : kUndocumentedOverLong;
    out.push_back({"over-long string (" + std::to_string(length) + " chars)", overLong(current, length)});
    out.push_back({"string with U+0000", withControl(current, '\0')});
    out.push_back({"string with U+0001", withControl(current, '\x01')});
  } else if (form_field) {
    return out;
  } else if (field.type == "integer" || field.type == "number") {
    out.push_back({"string \"7\"", "7"});
    out.push_back({"boolean true", true});
    out.push_back({"object {\"x\":1}", object});
    out.push_back({"array [\"x\"]", array});
    if (field.type == "integer") out.push_back({"fraction 1.5", 1.5});
  } else if (field.type == "boolean") {
    out.push_back({"string \"true\"", "true"});
    out.push_back({"number 1", 1});
  } else if (field.type == "array") {
    out.push_back({"string \"x\"", "x"});
    out.push_back({"number 7", 7});
    out.push_back({"object {\"x\":1}", object});
  } else if (field.type == "object") {
    out.push_back({"string \"x\"", "x"});
    out.push_back({"number 7", 7});
    out.push_back({"array [\"x\"]", array});
  }
  return out;
}

json valueAt(const json& body, const std::string& path) {
  const json* at = &body;
  for (const Step& step : steps(path)) {
    if (step.element) {
      if (!at->is_array() || at->empty()) return nullptr;
      at = &(*at)[0];
    } else {
      if (!at->is_object() || !at->contains(step.key)) return nullptr;
      at = &(*at)[step.key];
    }
  }
  return *at;
}

void setAt(json& body, const std::string& path, json value) {
  const auto walk = steps(path);
  json* at = &body;
  for (size_t i = 0; i < walk.size(); ++i) {
    const bool last = i + 1 == walk.size();
    if (walk[i].element) {
      if (!at->is_array()) *at = json::array();
      if (at->empty()) at->push_back(emptyFor(walk, i + 1));
      at = &(*at)[0];
    } else {
      if (!at->is_object()) *at = json::object();
      if (!at->contains(walk[i].key)) (*at)[walk[i].key] = emptyFor(walk, i + 1);
      at = &(*at)[walk[i].key];
    }
    if (last) break;
  }
  *at = std::move(value);
}

std::string printable(const std::string& text, size_t max) {
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace liaison::testing
