#include "core/csv.h"

#include <array>

#include "core/encoding.h"

namespace liaison {

namespace {

Error csvError(const std::string& message) {
  return makeError(ErrorCode::InvalidRequest, "csv.invalid", message);
}
Error encodingError(const std::string& message) {
  return makeError(ErrorCode::InvalidRequest, "csv.encoding", message);
}

// windows-1252's 0x80-0x9F. The five bytes it leaves undefined map to the C1 control of the
// same number, as WHATWG decodes them, so any byte sequence reads and writes back unchanged.
constexpr std::array<char32_t, 32> kWindows1252High = {
    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008d, 0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178};

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xc0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += char(0xe0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  } else {
    out += char(0xf0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3f));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  }
}

// The code point starting at `i` of valid UTF-8; advances `i` past it.
char32_t nextCodePoint(std::string_view utf8, size_t& i) {
  const auto lead = uint8_t(utf8[i++]);
  if (lead < 0x80) return lead;
  const int extra = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
  char32_t cp = lead & (0x3f >> extra);
  for (int k = 0; k < extra && i < utf8.size(); ++k) cp = (cp << 6) | (uint8_t(utf8[i++]) & 0x3f);
  return cp;
}

// The single byte for `cp`, or -1 when the encoding has none.
int singleByteFor(char32_t cp, TextEncoding encoding) {
  if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff)) return int(cp);
  if (encoding == TextEncoding::Latin1) return cp <= 0xff ? int(cp) : -1;
  for (size_t b = 0; b < kWindows1252High.size(); ++b) {
    if (kWindows1252High[b] == cp) return int(0x80 + b);
  }
  return -1;
}

Result<std::string> decodeUtf16(std::string_view bytes, bool little_endian) {
  if (bytes.size() % 2 != 0) return encodingError("The file is not valid UTF-16 (an odd number of bytes).");
  auto unit_at = [&](size_t i) -> char32_t {
    const auto first = uint8_t(bytes[i]), second = uint8_t(bytes[i + 1]);
    return little_endian ? char32_t(first | (second << 8)) : char32_t((first << 8) | second);
  };
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size(); i += 2) {
    char32_t cp = unit_at(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 3 < bytes.size()) {
      const char32_t low = unit_at(i + 2);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i += 2;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff)
      return encodingError("The file is not valid UTF-16 (a lone surrogate).");
    appendUtf8(out, cp);
  }
  return out;
}

void appendUtf16(std::string& out, char32_t unit, bool little_endian) {
  const char high = char(unit >> 8), low = char(unit & 0xff);
  out += little_endian ? low : high;
  out += little_endian ? high : low;
}

bool startsWith(std::string_view bytes, std::string_view prefix) {
  return bytes.substr(0, prefix.size()) == prefix;
}

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kUtf16LeBom = "\xFF\xFE";
constexpr std::string_view kUtf16BeBom = "\xFE\xFF";

}  // namespace

Result<std::vector<CsvRow>> parseCsv(std::string_view text, size_t max_rows) {
  auto parsed = parseCsvRows(text, max_rows, ',');
  if (!parsed) return parsed.error();
  return std::move(parsed->rows);
}

Result<CsvRows> parseCsvRows(std::string_view text, size_t max_rows, char delimiter) {
  CsvRows parsed;
  CsvRow row;
  std::string field;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // the current field was quoted (and has closed)
  size_t line = 1;
  size_t row_start_line = 1;
  auto end_row = [&]() -> Status {
    row.push_back(std::move(field));
    field.clear();
    was_quoted = false;
    const bool blank = row.size() == 1 && row[0].empty();
    if (!blank) {
      if (parsed.rows.size() == max_rows) {
        return csvError("The file has more than " + std::to_string(max_rows) + " lines.");
      }
      parsed.rows.push_back(std::move(row));
      parsed.first_lines.push_back(row_start_line);
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
    if (c == delimiter) {
      row.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (auto status = end_row(); !status) return status.error();
      row_start_line = ++line;
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
  return parsed;
}

CsvDialect detectCsvDialect(std::string_view text) {
  constexpr std::string_view kCandidates = ",;\t|";
  std::array<size_t, kCandidates.size()> counts{};
  CsvDialect dialect;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      quoted = !quoted;  // a doubled quote toggles twice: still the same state
    } else if (!quoted && (c == '\n' || c == '\r')) {
      dialect.line_end = c == '\n' ? "\n" : (i + 1 < text.size() && text[i + 1] == '\n') ? "\r\n" : "\r";
      break;
    } else if (!quoted) {
      if (auto at = kCandidates.find(c); at != std::string_view::npos) ++counts[at];
    }
  }
  for (size_t k = 1; k < counts.size(); ++k) {
    if (counts[k] > counts[kCandidates.find(dialect.delimiter)]) dialect.delimiter = kCandidates[k];
  }
  return dialect;
}

std::string csvLine(const CsvRow& fields) { return csvLine(fields, CsvDialect{}); }

std::string csvLine(const CsvRow& fields, const CsvDialect& dialect) {
  const std::string needs_quotes = std::string("\"\r\n") + dialect.delimiter;
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += dialect.delimiter;
    const std::string& f = fields[i];
    if (f.find_first_of(needs_quotes) == std::string::npos) {
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
  out += dialect.line_end;
  return out;
}

std::optional<TextEncoding> textEncodingNamed(std::string_view name) {
  const std::string lower = toLower(name);
  for (auto encoding : {TextEncoding::Utf8, TextEncoding::Utf16Le, TextEncoding::Utf16Be,
                        TextEncoding::Windows1252, TextEncoding::Latin1}) {
    if (lower == textEncodingName(encoding)) return encoding;
  }
  return std::nullopt;
}

const char* textEncodingName(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::Utf8:
      return "utf-8";
    case TextEncoding::Utf16Le:
      return "utf-16le";
    case TextEncoding::Utf16Be:
      return "utf-16be";
    case TextEncoding::Windows1252:
      return "windows-1252";
    case TextEncoding::Latin1:
      return "latin-1";
  }
  return "utf-8";
}

Result<DecodedText> decodeText(std::string_view bytes, std::optional<TextEncoding> given) {
  DecodedText decoded;
  if (!given) {
    if (startsWith(bytes, kUtf16LeBom))
      given = TextEncoding::Utf16Le;
    else if (startsWith(bytes, kUtf16BeBom))
      given = TextEncoding::Utf16Be;
    else if (startsWith(bytes, kUtf8Bom) || isValidUtf8(bytes))
      given = TextEncoding::Utf8;
    else
      given = TextEncoding::Windows1252;
  }
  decoded.encoding = *given;
  switch (decoded.encoding) {
    case TextEncoding::Utf8:
      decoded.bom = startsWith(bytes, kUtf8Bom);
      if (decoded.bom) bytes.remove_prefix(kUtf8Bom.size());
      if (!isValidUtf8(bytes)) return encodingError("The file is not valid UTF-8.");
      decoded.utf8 = std::string(bytes);
      return decoded;
    case TextEncoding::Utf16Le:
    case TextEncoding::Utf16Be: {
      const bool little_endian = decoded.encoding == TextEncoding::Utf16Le;
      decoded.bom = startsWith(bytes, little_endian ? kUtf16LeBom : kUtf16BeBom);
      if (decoded.bom) bytes.remove_prefix(2);
      auto utf8 = decodeUtf16(bytes, little_endian);
      if (!utf8) return utf8.error();
      decoded.utf8 = std::move(*utf8);
      return decoded;
    }
    case TextEncoding::Windows1252:
    case TextEncoding::Latin1:
      decoded.utf8.reserve(bytes.size());
      for (char c : bytes) {
        const auto byte = uint8_t(c);
        const bool mapped = decoded.encoding == TextEncoding::Windows1252 && byte >= 0x80 && byte < 0xa0;
        appendUtf8(decoded.utf8, mapped ? kWindows1252High[byte - 0x80] : char32_t(byte));
      }
      return decoded;
  }
  return decoded;
}

bool canEncodeText(std::string_view utf8, TextEncoding encoding) {
  if (encoding != TextEncoding::Windows1252 && encoding != TextEncoding::Latin1) return true;
  for (size_t i = 0; i < utf8.size();) {
    if (singleByteFor(nextCodePoint(utf8, i), encoding) < 0) return false;
  }
  return true;
}

Result<std::string> encodeText(std::string_view utf8, TextEncoding encoding, bool bom) {
  if (!isValidUtf8(utf8)) return encodingError("The text is not valid UTF-8.");
  std::string out;
  switch (encoding) {
    case TextEncoding::Utf8:
      if (bom) out = kUtf8Bom;
      out += utf8;
      return out;
    case TextEncoding::Utf16Le:
    case TextEncoding::Utf16Be: {
      const bool little_endian = encoding == TextEncoding::Utf16Le;
      out.reserve(utf8.size() * 2 + 2);
      if (bom) out = little_endian ? kUtf16LeBom : kUtf16BeBom;
      for (size_t i = 0; i < utf8.size();) {
        const char32_t cp = nextCodePoint(utf8, i);
        if (cp < 0x10000) {
          appendUtf16(out, cp, little_endian);
        } else {
          appendUtf16(out, 0xd800 + ((cp - 0x10000) >> 10), little_endian);
          appendUtf16(out, 0xdc00 + ((cp - 0x10000) & 0x3ff), little_endian);
        }
      }
      return out;
    }
    case TextEncoding::Windows1252:
    case TextEncoding::Latin1:
      out.reserve(utf8.size());
      for (size_t i = 0; i < utf8.size();) {
        const int byte = singleByteFor(nextCodePoint(utf8, i), encoding);
        if (byte < 0)
          return encodingError(std::string("The text has a character ") + textEncodingName(encoding) +
                               " cannot hold.");
        out += char(byte);
      }
      return out;
  }
  return out;
}

}  // namespace liaison
