#pragma once
// What a run will do, as typed data: the writes per side, the agreed state each link reaches
// once they are done, and the report (conflicts and the rule that settled each, records skipped
// and why, values that did not fit). preview shows it; a run applies it unless it is held.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sync/model/record.h"

namespace liaison::sync {

// The last state both sides agreed on for one linked pair: per field (by CC's field name) the
// canonical value, and per side whether the contact was unsubscribed and deleted. A change is a
// difference from this; what the engine wrote comes back equal to it, so echoes write nothing.
struct Link {
  std::string a_id;
  std::string b_id;
  Fields agreed;
  bool a_unsubscribed = false;
  bool b_unsubscribed = false;
  bool a_deleted = false;
  bool b_deleted = false;
  // The CC contact left the sync's lists: the pair rests (no writes either way, and the b record
  // is not taken for a new contact, which would put it back on the list) until it returns.
  bool out_of_scope = false;
  bool operator==(const Link&) const = default;
};

struct Write {
  enum class Kind { Create, Update, Delete, Unsubscribe };
  Kind kind = Kind::Update;
  std::string id;  // the written record ("" for a create)
  int link = -1;   // index into Plan::links: a create's new id completes that link
  Fields values;   // the side's field or column → new value (canonical; "" clears)
  Sets add;        // set fields ("lists", "tags"): items to add
  Sets remove;     // ... and to remove
  bool unsubscribed = false;  // a CC contact created unsubscribed (consent carried from the other side)
};

struct Conflict {
  std::string a_id, b_id, field, a_value, b_value;
  std::string rule;    // "last_writer_wins", "a_wins", "b_wins", "empty_does_not_win"
  std::string winner;  // "a" or "b"
};

struct Skipped {
  Side side = Side::A;
  std::string id;
  std::string reason;
};

// A value that could not travel as it was: cut to fit, or left out of the record's write.
struct ValueIssue {
  Side to = Side::B;
  std::string id;  // the record written to ("" for a create: see partner)
  std::string partner;
  std::string field;
  std::string value;
  std::string action;  // "skipped" or "truncated"
  std::string why;
};

struct SideCounts {
  int64_t read = 0, created = 0, updated = 0, deleted = 0, unsubscribed = 0, skipped = 0;
};

struct Plan {
  std::vector<Write> a_writes;
  std::vector<Write> b_writes;
  std::vector<Link> links;  // the agreed state after the writes, for every link touched
  std::vector<Conflict> conflicts;
  std::vector<Skipped> skipped;
  std::vector<ValueIssue> issues;
  std::vector<std::string> notes;  // resubscribes refused, revivals seen, ...
  SideCounts a, b;                 // per side: what was read, and what the writes do to it
  int64_t removals = 0;            // deletions and unsubscribes this run would carry
  int64_t left_scope = 0;          // linked CC contacts that left the sync's scope this run
  int64_t guard_limit = 0;
  bool held = false;
  std::string held_reason;

  bool empty() const { return a_writes.empty() && b_writes.empty(); }
};

}  // namespace liaison::sync
