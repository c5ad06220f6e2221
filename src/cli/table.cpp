#include "cli/table.h"

#include <algorithm>

#include "core/encoding.h"

namespace liaison::cli {

namespace {

// Characters on screen, counting a UTF-8 sequence as one (wide CJK glyphs are rare in ids and
// organization names; they only shift a column).
size_t displayWidth(const std::string& text) {
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string printable(const std::string& text) { return replaceControlCharacters(text); }

std::string renderTable(const TableRow& header, const std::vector<TableRow>& rows) {
  const size_t columns = !header.empty() ? header.size() : rows.empty() ? 0 : rows.front().size();
  std::vector<TableRow> lines;
  lines.reserve(rows.size() + 1);
  if (!header.empty()) lines.push_back(header);
  for (const auto& row : rows) lines.push_back(row);
  std::vector<size_t> widths(columns, 0);
  for (auto& line : lines) {
    line.resize(columns);
    for (size_t i = 0; i < line.size(); ++i) {
      line[i] = printable(line[i]);
      widths[i] = std::max(widths[i], displayWidth(line[i]));
    }
  }
  std::string out;
  for (const auto& line : lines) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size()) text += std::string(widths[i] - displayWidth(line[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  }
  return out;
}

}  // namespace liaison::cli
