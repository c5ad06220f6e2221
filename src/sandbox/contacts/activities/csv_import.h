#pragma once
// POST /v3/activities/contacts_file_import: a multipart/form-data body with one CSV `file` and one
// comma-separated `list_ids`, turned into the same request as the JSON import, so both imports
// share one set of rules.
#include <nlohmann/json.hpp>

#include <string_view>

#include "core/result.h"

namespace liaison::sandbox {

// At most 40,000 lines including the header, and an `email` column.
Result<nlohmann::json> csvImportRequest(std::string_view content_type, std::string_view body);

}  // namespace liaison::sandbox
