#pragma once
// What a field holds and how its values compare and travel. A value is kept in a canonical
// text form per type (a number without trailing zeros, a boolean as 1/0, a date as YYYY-MM-DD or
// --MM-DD, a set as its sorted items), so the same value read from two sides compares equal and a
// value the engine wrote compares equal when it comes back.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "sync/model/definition.h"
#include "sync/model/record.h"

namespace liaison::sync {

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::Text;
  size_t max_length = 0;  // characters; 0 = no limit
  // A column that holds any value as text (a CSV column, a SQL TEXT column): it takes what the
  // other side's field is, and its values are checked one by one when they travel.
  bool untyped = false;
};

// The canonical form of `text` as a value of `type`, or nullopt when it is not one (a bad phone
// number, "soon" as a date). Empty stays empty.
std::optional<std::string> canonical(FieldType type, std::string_view text);

// Whether every value of `from` can be written to `to`. An untyped side takes anything and gives
// anything (its values are checked as they travel); text cannot always become a number, a date,
// an email address or a phone number, but all of those can become text.
bool canCarry(const FieldSpec& from, const FieldSpec& to);

// Why `from` cannot carry values to `to`, for the mapping's report.
std::string whyNotCarried(const FieldSpec& from, const FieldSpec& to);

// A set's items joined for a text column ("Customers; VIP") and read back.
std::string joinItems(const Items& items);
Items splitItems(std::string_view text);

}  // namespace liaison::sync
