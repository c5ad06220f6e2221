#pragma once
// The wrong values a request-body field is sent as: each JSON type its documented type is not,
// an over-long string and strings with control characters; and where in a body a field sits.
// A field's path is the one tools/gen_request_fields.py writes: `email_address.address` is a
// property of an object, `street_addresses[].city` one of each array element (the first stands
// for all), `list_ids[]` an array's element itself, and "" the body as a whole.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace liaison::testing {

struct FieldSpec {
  std::string path;
  std::string type;  // string, integer, number, boolean, array, object; file or any are not mutated
  std::optional<size_t> max_length;
  bool read_only = false;

  static FieldSpec fromJson(const nlohmann::json& field);
};

struct Mutation {
  std::string label;  // what the field was set to, for the failure list
  nlohmann::json value;
};

// The mutations of a field whose current value in the base body is `current` (null if absent).
// `form_field` limits a multipart form field to the string mutations: a form value has no type.
std::vector<Mutation> mutationsFor(const FieldSpec& field, const nlohmann::json& current,
                                   bool form_field = false);

// The value at `path` in `body`, or null when some part of the path is absent.
nlohmann::json valueAt(const nlohmann::json& body, const std::string& path);

// Sets the value at `path`, creating what is missing on the way: an absent property becomes an
// object or array as the path needs, an empty array gets a first element.
void setAt(nlohmann::json& body, const std::string& path, nlohmann::json value);

// A string with its control characters escaped and cut to `max` bytes, for failure messages.
std::string printable(const std::string& text, size_t max = 160);

}  // namespace liaison::testing
