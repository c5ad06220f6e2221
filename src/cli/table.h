#pragma once
// Plain-text tables for the terminal: columns as wide as their widest cell, two spaces apart.
// Cells are shown as text, never as terminal commands: control characters a hub or CC sent
// (an organization name with an escape sequence) are replaced.
#include <string>
#include <vector>

namespace liaison::cli {

using TableRow = std::vector<std::string>;

// One line per row, the header first (none when `header` is empty: a list of name/value pairs);
// the last column is not padded.
std::string renderTable(const TableRow& header, const std::vector<TableRow>& rows);

// `text` safe to print: control characters replaced, so it cannot move the cursor or recolour.
std::string printable(const std::string& text);

}  // namespace liaison::cli
