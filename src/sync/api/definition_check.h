#pragma once
// A definition checked against the world before it is stored: its CC connections are the app's,
// both sides open, and the mapping resolves against their fields. Every problem is listed, so a
// definition is fixed in one go; a side that cannot be opened (a missing directory, a database
// or CC that does not answer) is a problem on "a" or "b" with the error's message, never its
// detail (which may name internals).
#include <functional>
#include <string>

#include "sync/model/definition.h"
#include "sync/model/problems.h"
#include "sync/runner/sync_side.h"

namespace liaison::sync {

Problems checkDefinition(const SyncDefinition& definition, const std::string& app_id, SideFactory& sides,
                         const std::function<bool(const std::string& connection_id)>& connection_exists);

}  // namespace liaison::sync
