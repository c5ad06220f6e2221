#include "storage/postgres_sql.h"

#include <cctype>
#include <string_view>

namespace liaison::storage {
namespace {

bool isIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

// The end (one past the closing quote) of a literal or quoted name opened at `at`. A doubled
// quote is an escaped quote; in an E'…' string a backslash escapes the next character.
size_t skipQuoted(std::string_view sql, size_t at, char quote, bool backslashEscapes) {
  size_t i = at + 1;
  while (i < sql.size()) {
    if (backslashEscapes && sql[i] == '\\') {
      i += 2;
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        i += 2;
      } else {
        return i + 1;
      }
    } else {
      ++i;
    }
  }
  return sql.size();
}

// PostgreSQL's block comments nest.
size_t skipBlockComment(std::string_view sql, size_t at) {
  int depth = 0;
  size_t i = at;
  while (i + 1 < sql.size()) {
    if (sql[i] == '/' && sql[i + 1] == '*') {
      ++depth;
      i += 2;
    } else if (sql[i] == '*' && sql[i + 1] == '/') {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return sql.size();
}

// The length of the `$tag$` opening a dollar-quoted body at `at`, or 0 when there is none.
size_t dollarTagLength(std::string_view sql, size_t at) {
  size_t i = at + 1;
  if (i < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i])) != 0) return 0;  // $1
  while (i < sql.size() && sql[i] != '$') {
    if (!isIdentifierChar(sql[i])) return 0;
    ++i;
  }
  return i < sql.size() ? i - at + 1 : 0;
}

}  // namespace

PostgresSql toPostgresPlaceholders(const std::string& input) {
  std::string_view sql = input;
  PostgresSql out;
  out.text.reserve(sql.size());
  out.referenced.assign(1, false);
  size_t i = 0;
  auto copyTo = [&](size_t end) {
    out.text.append(sql.substr(i, end - i));
    i = end;
  };
  while (i < sql.size()) {
    const char c = sql[i];
    const bool tokenStart = i == 0 || !isIdentifierChar(sql[i - 1]);
    if (c == '\'') {
      const bool escapes =
          i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i == 1 || !isIdentifierChar(sql[i - 2]));
      copyTo(skipQuoted(sql, i, '\'', escapes));
    } else if (c == '"') {
      copyTo(skipQuoted(sql, i, '"', false));
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      copyTo(end == std::string_view::npos ? sql.size() : end);
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      copyTo(skipBlockComment(sql, i));
    } else if (c == '$' && tokenStart && dollarTagLength(sql, i) > 0) {
      const size_t tagLength = dollarTagLength(sql, i);
      const size_t close = sql.find(sql.substr(i, tagLength), i + tagLength);
      copyTo(close == std::string_view::npos ? sql.size() : close + tagLength);
    } else if (c == '?' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1])) != 0) {
      size_t end = i + 1;
      int number = 0;
      while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end])) != 0) {
        number = number * 10 + (sql[end] - '0');
        if (number > 65535) number = 65535;  // PostgreSQL's limit; it rejects the statement
        ++end;
      }
      out.text += '$';
      out.text.append(sql.substr(i + 1, end - i - 1));
      i = end;
      if (number >= static_cast<int>(out.referenced.size())) out.referenced.resize(number + 1, false);
      out.referenced[number] = true;
      if (number > out.parameterCount) out.parameterCount = number;
    } else {
      out.text += c;
      ++i;
    }
  }
  return out;
}

}  // namespace liaison::storage
