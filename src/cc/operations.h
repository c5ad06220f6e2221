#pragma once
// CC's v3 operations as data: one row per operation of CC's own API document, with the scope
// and user privileges it requires. The API guard, the router and docs/API-COVERAGE.md all read
// this one table.
#include <string>
#include <string_view>
#include <vector>

namespace liaison::cc {

struct Operation {
  std::string_view tag;
  std::string_view id;  // operationId, as the official SDK names it
  std::string_view method;
  std::string_view path;        // template with {params}, including the /v3 base path
  std::string_view scopes;      // comma-separated; any one suffices (empty: none needed)
  std::string_view privileges;  // comma-separated; all are required
  std::string_view auth;        // "oauth2", or the partner schemes this sandbox does not serve
};

const std::vector<Operation>& operationTable();
const Operation* findOperationById(std::string_view id);
std::vector<std::string> splitList(std::string_view csv);

}  // namespace liaison::cc
