#pragma once
// A link's agreed state as the store keeps it: one JSON object per pair,
// {"agreed": {field: value, ...}, "a_unsubscribed": true, ...} (a flag left out is false). A run
// stores and loads 100,000s of them, so both ways go without a JSON tree: the text is written
// directly and read with the JSON library's event (SAX) parser.
#include <string>
#include <string_view>

#include "sync/planner/plan.h"

namespace liaison::sync {

std::string linkStateText(const Link& link);
// The same text appended to `out` (a buffer reused link after link).
void appendLinkState(std::string& out, const Link& link);

// Fills `link`'s state (not its ids) from `text`. Text that is not such an object leaves the
// state empty: the pair is then met as if for the first time, which writes nothing that both
// sides already agree on.
void readLinkState(std::string_view text, Link& link);

}  // namespace liaison::sync
