#pragma once
// Both sides of a sync kept in memory, with a virtual clock, for scenario tests: records are
// edited as a person would (each edit stamps its change time), the planner's writes are applied
// as a CC account or a table would apply them, and links live in a vector as the store keeps them.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "sync/mapping/mapping.h"
#include "sync/planner/planner.h"

namespace liaison::sync::testing {

struct MemorySide {
  bool cc = true;
  std::string id_prefix;
  ListFilter filter;  // a CC side reads only its lists' members
  std::map<std::string, Record> records;
  int next_id = 1;

  SideRead read() const;
  // Applies writes; returns the ids of created records by write index.
  std::map<size_t, std::string> apply(const std::vector<Write>& writes, int64_t now_ms);
};

struct RunOutcome {
  Plan plan;
  bool applied = false;
};

class MemorySync {
 public:
  MemorySync(SyncDefinition definition, ResolvedMapping mapping, MemorySide a, MemorySide b);

  MemorySide& side(Side s) { return s == Side::A ? a_ : b_; }
  int64_t tick() { return now_ms_ += 1000; }
  int64_t now() const { return now_ms_; }
  const std::vector<Link>& links() const { return links_; }

  Plan preview(bool approved = false) const;
  // Plans and, unless held, applies and stores the links.
  RunOutcome run(bool approved = false);

 private:
  SyncDefinition definition_;
  ResolvedMapping mapping_;
  MemorySide a_, b_;
  std::vector<Link> links_;
  int64_t now_ms_ = 1'800'000'000'000;
};

// A record from a scenario file: "id" and "changed_at" are the record's own, and on a CC side
// also "deleted", "unsubscribed", "lists" and "tags" (arrays); every other key is a text field.
Record recordFromJson(const nlohmann::json& object, bool cc);

}  // namespace liaison::sync::testing
