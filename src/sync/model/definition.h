#pragma once
// A sync as its owner defines it (POST /api/v1/syncs, `liaison sync create --file F`): side `a`,
// always a CC connection, side `b` (a SQL table, a CSV file or another CC connection), the field
// mapping and the rules for unsubscribes, deletions, conflicts and the mass-change guard. Plain
// data: definition_json.h reads and writes the JSON document, mapping/ checks fields against the
// sides.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace liaison::sync {

enum class SideType { Cc, Sql, Csv };

// A CC side's scope: every contact, or the members of some lists (names or list ids).
struct ListFilter {
  bool all = true;
  std::vector<std::string> lists;
};

struct SideSpec {
  SideType type = SideType::Cc;
  // cc
  std::string connection_id;
  ListFilter filter;
  // sql: a SQLite file or a postgresql:// URL, the table, its key column, an optional change-time
  // column and an optional condition selecting the synced rows.
  std::string url;
  std::string table;
  std::string key;
  std::string updated_at;
  std::string where;
  // csv: the file, its key column ("" = the email column), delimiter and encoding ("" = detect).
  std::string path;
  std::string delimiter;
  std::string encoding;
};

// What a field holds. Text has a maximum length (0 = none); a list membership is a set of list
// names (or, as boolean, membership of one list).
enum class FieldType { Text, Email, Phone, Date, Number, Boolean, Choice, ListMembership };

enum class Direction { Both, AToB, BToA };

// What happens to a value that does not fit the other side (longer than it holds): it is left
// out of that record's write (skip) or cut to fit (truncate); both are reported in the run.
enum class TooLong { Skip, Truncate };

struct MappingEntry {
  // One field on `a`, or two (first and last name) joined into one field on `b` and split back.
  std::vector<std::string> a;
  std::string b;
  std::optional<FieldType> b_type;     // when `b`'s own type is not known (a CSV column)
  std::optional<Direction> direction;  // asked for; type compatibility may narrow it
  TooLong too_long = TooLong::Skip;
};

// How a table side records an unsubscribe: a boolean column (1 / 0) or a timestamp column
// (when, or empty). An empty column means consent is not synced to `b` (CC keeps it).
struct UnsubscribeRule {
  std::string column;
  enum class Format { Boolean, Timestamp } format = Format::Boolean;
};

// What a deletion on one side does to the other: nothing, a mark (a column on a table, a tag in
// CC) or a soft delete (a deleted-at column on a table; CC's own delete, which is soft).
enum class DeletionAction { Ignore, Mark, SoftDelete };

struct DeletionRule {
  DeletionAction from_a = DeletionAction::Ignore;  // CC contact deleted → b
  DeletionAction from_b = DeletionAction::Ignore;  // b record deleted → CC
  std::string column;       // b's soft-delete column (a timestamp): also how b says "deleted"
  std::string mark_column;  // b's mark column (set to 1)
  std::string mark_tag;     // the CC tag a mark adds
};

enum class ConflictPolicy { LastWriterWins, AWins, BWins };

struct ConflictRule {
  ConflictPolicy policy = ConflictPolicy::LastWriterWins;
  std::map<std::string, ConflictPolicy> fields;  // by `a` field name
  bool empty_wins = false;                       // an empty value on the winning side clears the other
};

// A run that would delete or unsubscribe more than max(count, percent % of the synced set) is
// held until a person approves it.
struct Guard {
  int64_t count = 50;
  double percent = 5;
};

struct SyncDefinition {
  std::string name;
  SideSpec a;
  SideSpec b;
  std::vector<MappingEntry> mapping;  // empty: the default mapping for b's type
  UnsubscribeRule unsubscribes;
  DeletionRule deletions;
  ConflictRule conflicts;
  Guard guard;
  int64_t interval_seconds = 3600;
};

const char* toString(SideType type);
const char* toString(FieldType type);
const char* toString(Direction direction);
const char* toString(DeletionAction action);
const char* toString(ConflictPolicy policy);
const char* toString(UnsubscribeRule::Format format);
const char* toString(TooLong rule);
std::optional<FieldType> fieldTypeNamed(std::string_view name);

}  // namespace liaison::sync
