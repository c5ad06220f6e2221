#pragma once
// CSV as RFC 4180 writes it: comma-separated fields, double quotes around fields that hold a
// comma, quote or line break (quotes doubled inside), CRLF or LF line ends. Files that people
// keep (spreadsheet exports) also come with another delimiter (; TAB |) and in another text
// encoding (UTF-16 with a BOM, windows-1252), so both are found and kept when writing back.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace liaison {

using CsvRow = std::vector<std::string>;

// How a CSV file separates fields and ends lines.
struct CsvDialect {
  char delimiter = ',';
  std::string line_end = "\r\n";
};

// Rows with the line each starts on (1-based), so messages can point into the file.
struct CsvRows {
  std::vector<CsvRow> rows;
  std::vector<size_t> first_lines;
};

// Parses `text` into rows; fails on an unterminated quote, text after a closing quote, or more
// than `max_rows` rows. Blank lines are skipped.
Result<std::vector<CsvRow>> parseCsv(std::string_view text, size_t max_rows);
Result<CsvRows> parseCsvRows(std::string_view text, size_t max_rows, char delimiter);

// The delimiter among , ; TAB | that the first row uses most outside quotes (',' on a tie or
// when it has none), and the line end it ends with (CRLF when it is the only line).
CsvDialect detectCsvDialect(std::string_view text);

// One CSV line (with CRLF), quoting fields that need it.
std::string csvLine(const CsvRow& fields);
std::string csvLine(const CsvRow& fields, const CsvDialect& dialect);

enum class TextEncoding { Utf8, Utf16Le, Utf16Be, Windows1252, Latin1 };

// "utf-8", "utf-16le", "utf-16be", "windows-1252", "latin-1" (any case); nullopt otherwise.
std::optional<TextEncoding> textEncodingNamed(std::string_view name);
const char* textEncodingName(TextEncoding encoding);

struct DecodedText {
  std::string utf8;
  TextEncoding encoding = TextEncoding::Utf8;
  bool bom = false;  // the bytes began with the encoding's byte order mark (not in `utf8`)
};

// Bytes to UTF-8. Without `given`, the encoding is found: a UTF-8 or UTF-16 BOM, else UTF-8
// when the bytes are valid UTF-8, else windows-1252 (what spreadsheets save on Windows).
Result<DecodedText> decodeText(std::string_view bytes, std::optional<TextEncoding> given);
// Whether every character of `utf8` (valid UTF-8) has a form in `encoding`.
bool canEncodeText(std::string_view utf8, TextEncoding encoding);
// UTF-8 to bytes in `encoding`, led by its BOM when `bom`; fails on what it cannot encode.
Result<std::string> encodeText(std::string_view utf8, TextEncoding encoding, bool bom);

}  // namespace liaison
