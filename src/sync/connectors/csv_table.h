#pragma once
// A CSV file as a table side: its header row names the columns, one column holds each row's key.
// The file is the user's: its delimiter, text encoding (BOM included) and line ends are found on
// reading and kept on writing; columns and values the sync does not know stay as they are, and
// the file is only ever replaced whole and atomically, never left half written.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/csv.h"
#include "core/result.h"
#include "sync/connectors/table_side.h"

namespace liaison::sync {

struct CsvOptions {
  std::string path;
  std::string key;  // the key column; "" = the column named by email_column
  std::string email_column = "email";
  std::string delimiter;  // "" = found in the header row among , ; TAB |  (',' for a new file)
  // "" = found: UTF-8 (a BOM allowed and kept), UTF-16LE/BE with a BOM, else windows-1252 when
  // the bytes are not valid UTF-8 (UTF-8 for a new file). Or given: "utf-8", "utf-16le",
  // "utf-16be", "windows-1252", "latin-1".
  std::string encoding;
  size_t max_rows = 1000000;  // data rows, the header not counted
  // Where columns a write adds go: those named here first, in this order (a new file's header
  // reads like the sync's default mapping), then any others by name.
  std::vector<std::string> column_order;
};

class CsvTable final : public TableSide {
 public:
  // Checks the options; the file itself may not exist yet: it is then an empty table whose header
  // the first apply() writes (the key column first, then the written columns).
  static Result<std::unique_ptr<CsvTable>> open(CsvOptions options);

  // Every column of the header (declared_type ""), every row with a key as a Record (id = key,
  // text = every named column). Rows with an empty key or a key an earlier row has are left out
  // and listed in problems().
  Result<TableRead> readAll() override;
  // Re-reads the file and fails with Conflict when it changed since the last readAll(); then
  // appends the Creates, changes the Updates (by key), appends new columns to the header, and
  // replaces the file in one rename. Nothing is written when any write fails.
  Result<std::vector<std::string>> apply(const std::vector<RowWrite>& writes) override;

  // The rows the last readAll() left out, one line each: "row 12: empty key",
  // "row 40: key 'x' repeats row 3". A row's number is the file line it starts on (header: 1).
  const std::vector<std::string>& problems() const { return problems_; }
  const std::string& keyColumn() const { return key_column_; }

 private:
  CsvTable(CsvOptions options, std::optional<TextEncoding> encoding, std::optional<char> delimiter);

  CsvOptions options_;
  std::string key_column_;
  std::optional<TextEncoding> given_encoding_;
  std::optional<char> given_delimiter_;
  std::optional<std::string> read_fingerprint_;  // of the file as the last readAll() or apply() left it
  std::vector<std::string> problems_;
};

}  // namespace liaison::sync
