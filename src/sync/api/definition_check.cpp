#include "sync/api/definition_check.h"

#include <memory>
#include <optional>

#include "sync/mapping/mapping.h"
#include "sync/model/definition_json.h"

namespace liaison::sync {

namespace {

// Where a side is, as a problem may show it (a URL without its password).
std::string location(const SideSpec& spec) {
  switch (spec.type) {
    case SideType::Cc:
      return spec.connection_id;
    case SideType::Sql:
      return redactUrl(spec.url) + " " + spec.table;
    case SideType::Csv:
      return spec.path;
  }
  return {};
}

// The side's catalogue, or nullopt with the problem noted.
std::optional<Catalog> openCatalog(const char* name, const SideSpec& spec, const std::string& app_id,
                                   SideFactory& sides,
                                   const std::function<bool(const std::string&)>& connection_exists,
                                   Problems& problems) {
  if (spec.type == SideType::Cc && connection_exists && !connection_exists(spec.connection_id)) {
    problems.push_back({std::string(name) + ".connection_id", spec.connection_id,
                        "is not a connection of this app (or it was disconnected)"});
    return std::nullopt;
  }
  auto side = sides.open(app_id, spec);
  if (!side) {
    problems.push_back({name, location(spec), "cannot be opened: " + side.error().message});
    return std::nullopt;
  }
  auto catalog = (*side)->catalog();
  if (!catalog) {
    problems.push_back({name, location(spec), "cannot be read: " + catalog.error().message});
    return std::nullopt;
  }
  return std::move(*catalog);
}

}  // namespace

Problems checkDefinition(const SyncDefinition& definition, const std::string& app_id, SideFactory& sides,
                         const std::function<bool(const std::string&)>& connection_exists) {
  Problems problems;
  auto a = openCatalog("a", definition.a, app_id, sides, connection_exists, problems);
  auto b = openCatalog("b", definition.b, app_id, sides, connection_exists, problems);
  if (!a || !b) return problems;  // the mapping can only be checked against both sides' fields
  auto mapping = resolveMapping(definition, *a, *b);
  if (auto* found = std::get_if<Problems>(&mapping)) {
    problems.insert(problems.end(), found->begin(), found->end());
  }
  return problems;
}

}  // namespace liaison::sync
