#pragma once
// The hub API's OpenAPI 3 document (openapi.json, compiled in), served at /api/v1/openapi.json.
#include <string_view>

namespace liaison::hub::api {

std::string_view openApiDocument();

}  // namespace liaison::hub::api
