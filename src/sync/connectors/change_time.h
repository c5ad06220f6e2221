#pragma once
// A row's change time as tables keep it (a SQL updated_at column, a CSV file's column), read into
// Record::changed_at_ms. Connectors share it so that every table side reads the same forms.
#include <cstdint>
#include <string_view>

namespace liaison::sync {

// Unix milliseconds from Unix seconds ("1700000000", with an optional fraction), Unix milliseconds
// (a number above 10^11), ISO-8601 "YYYY-MM-DD[ T]HH:MM:SS[.fff][Z|±hh[:mm]|±hhmm]" (no offset:
// UTC; more fraction digits are cut off) or a date alone "YYYY-MM-DD" (its start, UTC). 0 when
// empty or unreadable: the side then has no change time for the row.
int64_t parseChangeTimeMs(std::string_view text);

}  // namespace liaison::sync
