#pragma once
// The mapped fields of one linked pair: each field's value on both sides against the agreed one.
// Changed on one side only: copied to the other (if the mapping runs that way). Changed on both
// to different values: a conflict, settled by the sync's rule and reported. Sets (lists, tags)
// merge item by item. A full name on b is split against the agreed parts, so editing one part
// leaves the other alone.
#include "sync/mapping/mapping.h"
#include "sync/model/definition.h"
#include "sync/planner/plan.h"

namespace liaison::sync {

struct PairContext {
  const SyncDefinition& definition;
  const ResolvedMapping& mapping;
  Plan& plan;
};

// Whether a side may be written for this pair (not when its record is deleted and must stay so).
struct Writable {
  bool a = true;
  bool b = true;
};

// Field updates for a linked pair (either record may be absent from an incremental read: it is
// then as agreed). Adds to `to_a`/`to_b` and moves `link.agreed` to the merged state.
void mergeFields(const PairContext& context, const Record* ra, const Record* rb, Link& link, Write& to_a,
                 Write& to_b, Writable writable);

// A new record on the other side for `from`'s record: its values, and the link's agreed state.
void createFields(const PairContext& context, Side from, const Record& record, Write& create, Link& link);

}  // namespace liaison::sync
