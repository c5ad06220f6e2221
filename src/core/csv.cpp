#include "core/csv.h"

namespace liaison {

namespace {

Error csvError(const std::string& message) { return makeError(ErrorCode::InvalidRequest, "csv.invalid", message); }

}  // namespace

Result<std::vector<CsvRow>> parseCsv(std::string_view text, size_t max_rows) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  bool quoted = false;       // inside a quoted field
  bool was_quoted = false;   // the current field was quoted (and has closed)
  size_t line = 1;
  auto end_row = [&]() -> Status {
    row.push_back(std::move(field));
    field.clear();
    was_quoted = false;
    const bool blank = row.size() == 1 && row[0].empty();
    if (!blank) {
      if (rows.size() == max_rows) return csvError("The file has more than " + std::to_string(max_rows) + " lines.");
      rows.push_back(std::move(row));
    }
    row.clear();
    return okStatus();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        if (c == '\n') ++line;
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
        was_quoted = true;
      }
      continue;
    }
    if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (auto status = end_row(); !status) return status.error();
      ++line;
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = true;
    } else if (was_quoted) {
      return csvError("Line " + std::to_string(line) + ": text after a closing quote.");
    } else {
      field += c;
    }
  }
  if (quoted) return csvError("Line " + std::to_string(line) + ": a quoted field is never closed.");
  if (!field.empty() || !row.empty() || was_quoted) {
    if (auto status = end_row(); !status) return status.error();
  }
  return rows;
}

std::string csvLine(const CsvRow& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

}  // namespace liaison
