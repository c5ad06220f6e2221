#pragma once
// A side as the runner sees it: its fields, its records (all of them, or what changed since a
// time) and the planner's writes applied. Adapters make one of a CC connection (CcSide) or a
// table (SqlTable, CsvTable); tests use in-memory sides.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "sync/mapping/catalog.h"
#include "sync/model/definition.h"
#include "sync/planner/plan.h"

namespace liaison::sync {

struct ApplyOutcome {
  std::map<size_t, std::string> created;               // write index → the new record's id
  std::vector<std::pair<size_t, std::string>> failed;  // write index → why (retried next run)
  // A span of the side's change times in which only these writes changed records in scope (a
  // CC side checks this after a large import): later incremental reads skip it.
  std::optional<TimeWindow> own_window;
};

class SyncSide {
 public:
  virtual ~SyncSide() = default;
  virtual Result<Catalog> catalog() = 0;
  // Everything in scope (complete) without a cursor; else what changed since it.
  virtual Result<SideRead> read(const std::optional<ReadCursor>& from) = 0;
  // `current`: what this run read of the side (a CC PUT needs the whole contact).
  virtual Result<ApplyOutcome> apply(const std::vector<Write>& writes, const SideRead& current) = 0;
  // CC calls made since the side was opened (0 for a table), and the fewest that could have
  // done the same reads and writes.
  virtual int64_t calls() const { return 0; }
  virtual int64_t fewestCalls() const { return 0; }
};

class SideFactory {
 public:
  virtual ~SideFactory() = default;
  // The side a sync's definition names, for the app that owns the sync.
  virtual Result<std::unique_ptr<SyncSide>> open(const std::string& app_id, const SideSpec& spec) = 0;
};

}  // namespace liaison::sync
