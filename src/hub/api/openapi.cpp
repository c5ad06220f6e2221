#include "hub/api/openapi.h"

namespace liaison::hub::api {

namespace {
constexpr const char kDocument[] =
#include "hub/api/openapi_json.inc"
    ;
}  // namespace

std::string_view openApiDocument() { return kDocument; }

}  // namespace liaison::hub::api
