#include "sync/connectors/csv_table.h"

#include <openssl/evp.h>

#include <filesystem>
#include <unordered_map>
#include <utility>

#include "core/encoding.h"
#include "core/random.h"
#include "sync/connectors/stamped_file.h"

namespace liaison::sync {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kAbsentFingerprint = "absent";

Error csvError(ErrorCode code, const std::string& key, const std::string& message) {
  return makeError(code, "sync.csv." + key, message);
}

std::string hexOf(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < size; ++i) {
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 0xf];
  }
  return hex;
}

std::string fingerprintOf(const FileStamp& stamp, std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &digest_size, EVP_sha256(), nullptr);
  return std::to_string(stamp.size) + ":" + std::to_string(stamp.mtime_ns) + ":" + hexOf(digest, digest_size);
}

std::string randomHex(size_t bytes) {
  CryptoRandom random;
  const auto raw = random.bytes(bytes);
  return hexOf(raw.data(), raw.size());
}

// The file as read: its shape (encoding, dialect) to write it back in, and its cells.
struct CsvFile {
  std::optional<FileStamp> stamp;  // nullopt: no file yet
  std::string fingerprint{kAbsentFingerprint};
  TextEncoding encoding = TextEncoding::Utf8;
  bool bom = false;
  CsvDialect dialect;
  CsvRow header;              // empty: no header yet (no file, or an empty one)
  std::vector<CsvRow> rows;   // each as wide as the header
  std::vector<size_t> lines;  // the line each row starts on
};

Result<CsvFile> loadCsvFile(const std::string& path, std::optional<TextEncoding> encoding,
                            std::optional<char> delimiter, size_t max_rows) {
  CsvFile file;
  auto raw = readStampedFile(path);
  if (!raw) return raw.error();
  if (!*raw) {
    // What a new file will be written as: UTF-16 without a BOM would be unreadable to most tools.
    file.encoding = encoding.value_or(TextEncoding::Utf8);
    file.bom = file.encoding == TextEncoding::Utf16Le || file.encoding == TextEncoding::Utf16Be;
    file.dialect.delimiter = delimiter.value_or(',');
    return file;
  }
  file.stamp = (*raw)->stamp;
  file.fingerprint = fingerprintOf((*raw)->stamp, (*raw)->bytes);
  auto text = decodeText((*raw)->bytes, encoding);
  if (!text) return csvError(ErrorCode::InvalidRequest, "encoding", path + ": " + text.error().message);
  file.encoding = text->encoding;
  file.bom = text->bom;
  file.dialect = detectCsvDialect(text->utf8);
  if (delimiter) file.dialect.delimiter = *delimiter;
  auto parsed = parseCsvRows(text->utf8, max_rows + 1, file.dialect.delimiter);  // + the header
  if (!parsed) return csvError(ErrorCode::InvalidRequest, "syntax", path + ": " + parsed.error().message);
  if (parsed->rows.empty()) return file;
  file.header = std::move(parsed->rows.front());
  for (size_t column = 0; column < file.header.size(); ++column) {
    const std::string& name = file.header[column];
    for (size_t earlier = 0; !name.empty() && earlier < column; ++earlier) {
      if (file.header[earlier] == name) {
        return csvError(ErrorCode::InvalidRequest, "duplicate_column",
                        path + ": the header names column '" + name + "' twice.");
      }
    }
  }
  for (size_t i = 1; i < parsed->rows.size(); ++i) {
    CsvRow& row = parsed->rows[i];
    if (row.size() > file.header.size()) {
      return csvError(ErrorCode::InvalidRequest, "long_row",
                      path + ": row " + std::to_string(parsed->first_lines[i]) + " has " +
                          std::to_string(row.size()) + " fields, the header " +
                          std::to_string(file.header.size()) + ".");
    }
    row.resize(file.header.size());  // a short row's missing fields are empty
    file.rows.push_back(std::move(row));
    file.lines.push_back(parsed->first_lines[i]);
  }
  return file;
}

Result<size_t> columnIndex(const CsvRow& header, const std::string& name, const std::string& path) {
  for (size_t column = 0; column < header.size(); ++column) {
    if (header[column] == name) return column;
  }
  return csvError(ErrorCode::InvalidRequest, "key_column_missing",
                  path + " has no column '" + name + "' (the key column).");
}

// Where writes put a value: the cell must be text the file's encoding can hold.
Status setCell(CsvRow& row, size_t column, const std::string& value, const CsvFile& file,
               const std::string& key, const std::string& column_name) {
  const std::string where = "column '" + column_name + "' of the row with key '" + key + "'";
  if (!isValidUtf8(value))
    return csvError(ErrorCode::InvalidRequest, "not_utf8", "The value for " + where + " is not UTF-8.");
  if (!canEncodeText(value, file.encoding)) {
    return csvError(
        ErrorCode::Unprocessable, "unencodable",
        "The value for " + where + " has a character " + textEncodingName(file.encoding) + " cannot hold.");
  }
  row[column] = value;
  return okStatus();
}

using ColumnIndex = std::unordered_map<std::string, size_t>;

// Every column of the header by name, after appending those the writes name that it lacks.
Result<ColumnIndex> appendNewColumns(CsvFile& file, const std::vector<RowWrite>& writes,
                                     const std::vector<std::string>& column_order) {
  ColumnIndex column_of;
  for (size_t column = 0; column < file.header.size(); ++column) {
    if (!file.header[column].empty()) column_of.emplace(file.header[column], column);
  }
  std::vector<std::string> named;  // the columns the writes name: the preferred ones first
  for (const auto& preferred : column_order) {
    for (const RowWrite& write : writes) {
      if (write.values.count(preferred) != 0) {
        named.push_back(preferred);
        break;
      }
    }
  }
  for (const RowWrite& write : writes) {
    for (const auto& [name, value] : write.values) named.push_back(name);
  }
  {
    for (const auto& name : named) {
      if (name.empty()) {
        return csvError(ErrorCode::InvalidRequest, "column_name", "A write names a column ''.");
      }
      if (column_of.count(name)) continue;
      if (!isValidUtf8(name) || !canEncodeText(name, file.encoding)) {
        return csvError(
            ErrorCode::Unprocessable, "unencodable",
            "The column name '" + name + "' cannot be written in " + textEncodingName(file.encoding) + ".");
      }
      column_of.emplace(name, file.header.size());
      file.header.push_back(name);
    }
  }
  for (CsvRow& row : file.rows) row.resize(file.header.size());
  return column_of;
}

// A new row's key: the key column's value, else the write's id, else (the key column not being
// the email column, which only the email can fill) a random one no other row has.
Result<std::string> keyForCreate(const RowWrite& write, const std::string* written_key,
                                 const std::string& key_column, const std::string& email_column,
                                 const std::unordered_map<std::string, size_t>& row_of_key) {
  std::string key = written_key && !written_key->empty() ? *written_key : write.id;
  if (!write.id.empty() && key != write.id) {
    return csvError(ErrorCode::InvalidRequest, "key_mismatch",
                    "A new row's id '" + write.id + "' differs from its key column's '" + key + "'.");
  }
  if (key.empty() && key_column == email_column) {
    return csvError(ErrorCode::InvalidRequest, "key_missing",
                    "A new row needs a value in its key column '" + key_column + "'.");
  }
  if (key.empty()) {
    // 64 random bits practically never clash with another row's key; the loop makes sure.
    do key = randomHex(8);
    while (row_of_key.count(key));
  } else if (row_of_key.count(key)) {
    return csvError(ErrorCode::Conflict, "duplicate_key", "A row has the key '" + key + "' already.");
  }
  return key;
}

}  // namespace

CsvTable::CsvTable(CsvOptions options, std::optional<TextEncoding> encoding, std::optional<char> delimiter)
    : options_(std::move(options)),
      key_column_(options_.key.empty() ? options_.email_column : options_.key),
      given_encoding_(encoding),
      given_delimiter_(delimiter) {}

Result<std::unique_ptr<CsvTable>> CsvTable::open(CsvOptions options) {
  auto invalid = [](const std::string& message) {
    return csvError(ErrorCode::InvalidRequest, "options", message);
  };
  if (options.path.empty()) return invalid("A CSV table needs the path of its file.");
  if (options.key.empty() && options.email_column.empty()) return invalid("A CSV table needs a key column.");
  std::optional<TextEncoding> encoding;
  if (!options.encoding.empty()) {
    encoding = textEncodingNamed(options.encoding);
    if (!encoding) return invalid("Unknown text encoding '" + options.encoding + "'.");
  }
  std::optional<char> delimiter;
  if (!options.delimiter.empty()) {
    const char c = options.delimiter[0];
    if (options.delimiter.size() != 1 || c == '"' || c == '\r' || c == '\n') {
      return invalid("A CSV delimiter is one character other than a quote or a line break.");
    }
    delimiter = c;
  }
  std::error_code error;
  if (fs::is_directory(options.path, error)) return invalid(options.path + " is a directory.");
  const fs::path parent = fs::path(options.path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, error)) {
    return invalid("The directory of " + options.path + " does not exist.");
  }
  return std::unique_ptr<CsvTable>(new CsvTable(std::move(options), encoding, delimiter));
}

Result<TableRead> CsvTable::readAll() {
  auto file = loadCsvFile(options_.path, given_encoding_, given_delimiter_, options_.max_rows);
  if (!file) return file.error();
  TableRead read;
  read.rows.complete = true;
  read.fingerprint = file->fingerprint;
  std::vector<std::string> problems;
  if (!file->header.empty()) {
    auto key_at = columnIndex(file->header, key_column_, options_.path);
    if (!key_at) return key_at.error();
    for (const std::string& name : file->header) {
      if (!name.empty()) read.columns.push_back(Column{name, ""});
    }
    std::unordered_map<std::string, size_t> line_of_key;
    for (size_t i = 0; i < file->rows.size(); ++i) {
      CsvRow& row = file->rows[i];
      const std::string row_name = "row " + std::to_string(file->lines[i]);
      if (row[*key_at].empty()) {
        problems.push_back(row_name + ": empty key");
        continue;
      }
      auto [first, inserted] = line_of_key.emplace(row[*key_at], file->lines[i]);
      if (!inserted) {
        problems.push_back(row_name + ": key '" + row[*key_at] + "' repeats row " +
                           std::to_string(first->second));
        continue;
      }
      Record record;
      record.id = row[*key_at];
      for (size_t column = 0; column < row.size(); ++column) {
        if (!file->header[column].empty()) record.text[file->header[column]] = std::move(row[column]);
      }
      read.rows.records.push_back(std::move(record));
    }
  }
  problems_ = std::move(problems);
  read_fingerprint_ = file->fingerprint;
  return read;
}

Result<std::vector<std::string>> CsvTable::apply(const std::vector<RowWrite>& writes) {
  if (writes.empty()) return std::vector<std::string>{};
  auto loaded = loadCsvFile(options_.path, given_encoding_, given_delimiter_, options_.max_rows);
  if (!loaded) return loaded.error();
  CsvFile& file = *loaded;
  if (read_fingerprint_ && *read_fingerprint_ != file.fingerprint) {
    return csvError(ErrorCode::Conflict, "changed",
                    "The CSV file " + options_.path + " changed since it was read; read it again.");
  }
  if (file.header.empty()) file.header.push_back(key_column_);  // a new file: the key column first
  auto key_at = columnIndex(file.header, key_column_, options_.path);
  if (!key_at) return key_at.error();

  auto column_of = appendNewColumns(file, writes, options_.column_order);
  if (!column_of) return column_of.error();

  // The first row with a key is the one updates change, as readAll() made it the record.
  std::unordered_map<std::string, size_t> row_of_key;
  for (size_t i = 0; i < file.rows.size(); ++i) {
    if (!file.rows[i][*key_at].empty()) row_of_key.emplace(file.rows[i][*key_at], i);
  }
  std::vector<std::string> created;
  for (const RowWrite& write : writes) {
    auto key_value = write.values.find(key_column_);
    const std::string* written_key = key_value == write.values.end() ? nullptr : &key_value->second;
    size_t row_index = 0;
    std::string key;
    if (write.kind == RowWrite::Kind::Update) {
      auto found = row_of_key.find(write.id);
      if (write.id.empty() || found == row_of_key.end()) {
        return csvError(ErrorCode::NotFound, "unknown_key",
                        "No row of " + options_.path + " has the key '" + write.id + "'.");
      }
      if (written_key && *written_key != write.id) {
        return csvError(ErrorCode::InvalidRequest, "key_changed",
                        "An update cannot change the key '" + write.id + "' to '" + *written_key + "'.");
      }
      row_index = found->second;
      key = write.id;
    } else {
      auto new_key = keyForCreate(write, written_key, key_column_, options_.email_column, row_of_key);
      if (!new_key) return new_key.error();
      key = std::move(*new_key);
      row_index = file.rows.size();
      file.rows.emplace_back(file.header.size());
      row_of_key.emplace(key, row_index);
      if (auto set = setCell(file.rows[row_index], *key_at, key, file, key, key_column_); !set) {
        return set.error();
      }
      created.push_back(key);
    }
    for (const auto& [name, value] : write.values) {
      if (name == key_column_) continue;  // set (or checked unchanged) above
      const size_t column = column_of->at(name);
      if (auto set = setCell(file.rows[row_index], column, value, file, key, name); !set) return set.error();
    }
  }
  if (file.rows.size() > options_.max_rows) {
    return csvError(ErrorCode::Unprocessable, "too_many_rows",
                    options_.path + " would have more than " + std::to_string(options_.max_rows) + " rows.");
  }

  std::string text = csvLine(file.header, file.dialect);
  for (const CsvRow& row : file.rows) text += csvLine(row, file.dialect);
  auto bytes = encodeText(text, file.encoding, file.bom);
  if (!bytes) return csvError(ErrorCode::Unprocessable, "unencodable", bytes.error().message);
  auto written = replaceFileAtomically(options_.path, *bytes, file.stamp);
  if (!written) return written.error();
  read_fingerprint_ = fingerprintOf(*written, *bytes);
  return created;
}

}  // namespace liaison::sync
