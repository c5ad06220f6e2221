#pragma once
// After an incremental CC read, the plan may write to linked contacts the read did not list (a
// change on the table's side of an unchanged contact). Their links' agreed state stands in for
// them as partial Records, so the CC side can import field updates without reading every
// contact first; it still reads what a partial record cannot tell (deletions, lists, consent
// for a list add, the whole contact a PUT replaces).
#include <vector>

#include "sync/planner/plan.h"

namespace liaison::sync {

// Adds to `read` a partial Record for each contact `writes` name that `read` lacks and a link
// knows. A complete read lists every contact in scope: nothing is added to it.
void addAgreedRecords(const std::vector<Write>& writes, const std::vector<Link>& links, SideRead& read);

// Keeps in `read` only the records `writes` name (an update, delete or unsubscribe of that id),
// in their order: the others are planned and never looked at again. A first sync mostly creates,
// so this lets go of nearly every contact read before the writes begin.
void keepWrittenRecords(const std::vector<Write>& writes, SideRead& read);

}  // namespace liaison::sync
