#pragma once
// One contact as a side of a sync holds it, in that side's own vocabulary: a CC contact (field
// names of the sync's CC catalogue: "email", "first_name", "phone:mobile", "cf:shoe_size", and the
// sets "lists" and "tags"), a row of a SQL table or a CSV file (its column names). Values are text
// as the side stores it; what a value means (a date, a number, a set) is the mapping's business,
// so connectors stay free of sync rules.
#include <boost/container/flat_map.hpp>
#include <boost/container/flat_set.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace liaison::sync {

enum class Side { A, B };
inline Side other(Side side) { return side == Side::A ? Side::B : Side::A; }
inline const char* sideName(Side side) { return side == Side::A ? "a" : "b"; }

// Sorted vectors, not trees: a record holds a handful of fields, and a run holds 100,000s of
// records, links and writes, so one allocation per map instead of one per field is most of
// a large run's memory and time.
using Fields = boost::container::flat_map<std::string, std::string, std::less<>>;
using Items = boost::container::flat_set<std::string, std::less<>>;
using Sets = boost::container::flat_map<std::string, Items, std::less<>>;

struct Record {
  std::string id;  // CC contact_id, the table's key, the CSV file's key column
  Fields text;     // absent and "" both mean empty
  Sets sets;       // CC only: "lists" (names), "tags" (names)
  bool deleted = false;       // CC: deleted_at is set. Tables: the mapping reads its own column.
  bool unsubscribed = false;  // CC: permission_to_send is "unsubscribed". Tables: see above.
  int64_t changed_at_ms = 0;  // the side's own change time (CC updated_at, an updated-at column)
  // Not read this run: the fields the sync maps as both sides last agreed on them (the runner
  // adds these for CC contacts it writes to after an incremental read). Sets are unknown.
  bool partial = false;

  const std::string& field(std::string_view name) const {
    static const std::string kEmpty;
    auto it = text.find(name);
    return it == text.end() ? kEmpty : it->second;
  }
};

// What a side read this time. `complete` is a full read: every record in the sync's scope is
// there, so a linked record that is missing has gone (a table's row deleted, a CC contact that
// left the filtered lists). An incremental read lists only what changed since its cursor.
struct SideRead {
  std::vector<Record> records;
  bool complete = false;
};

// A span of a side's own change times (CC's updated_at), in milliseconds since the epoch of
// that side's clock.
struct TimeWindow {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// Where an incremental read starts: changes since `since` (the engine's clock), except those
// inside `skip`: spans in which, as checked when they were written, only the sync's own writes
// changed records. Their echoes need no reading back; everything else in them was counted.
struct ReadCursor {
  std::chrono::system_clock::time_point since{};
  std::vector<TimeWindow> skip;
};

// A write to a table side (SQL or CSV): a new row, or new values for some columns of a row.
// Deletions on a table are column values too (a soft-delete or mark column): rows are never
// removed by the engine.
struct RowWrite {
  enum class Kind { Create, Update };
  Kind kind = Kind::Update;
  std::string id;  // the row's key; for Create, empty unless the key column is mapped
  Fields values;   // column → new value ("" = empty / NULL)
};

}  // namespace liaison::sync
