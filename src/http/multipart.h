#pragma once
// multipart/form-data request bodies (RFC 7578): the parts of a form, each with its field name,
// optional file name and content.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace liaison::http {

struct FormPart {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string data;
};

// Splits `body` by the boundary named in `content_type`; fails (400) when the Content-Type is not
// multipart/form-data with a boundary, or the body is not well-formed.
Result<std::vector<FormPart>> parseMultipartForm(std::string_view content_type, std::string_view body);

// The first part named `name`, if any.
const FormPart* findPart(const std::vector<FormPart>& parts, std::string_view name);

}  // namespace liaison::http
