#pragma once
// CSV as RFC 4180 writes it: comma-separated fields, double quotes around fields that hold a
// comma, quote or line break (quotes doubled inside), CRLF or LF line ends.
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace liaison {

using CsvRow = std::vector<std::string>;

// Parses `text` into rows; fails on an unterminated quote, text after a closing quote, or more
// than `max_rows` rows. Blank lines are skipped.
Result<std::vector<CsvRow>> parseCsv(std::string_view text, size_t max_rows);

// One CSV line (with CRLF), quoting fields that need it.
std::string csvLine(const CsvRow& fields);

}  // namespace liaison
