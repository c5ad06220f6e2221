#include "sync/connectors/change_time.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>

namespace liaison::sync {
namespace {

// Unix times above this are milliseconds: as seconds it would be the year 5138.
constexpr int64_t kMillisecondsAbove = 100'000'000'000;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at `pos`, moving past them.
bool readDigits(std::string_view text, size_t& pos, size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (size_t i = 0; i < count; ++i) {
    if (!isDigit(text[pos + i])) return false;
    value = value * 10 + (text[pos + i] - '0');
  }
  pos += count;
  return true;
}

bool skip(std::string_view text, size_t& pos, char expected) {
  if (pos >= text.size() || text[pos] != expected) return false;
  ++pos;
  return true;
}

// Milliseconds from digits after a decimal point: the first three count, the rest are dropped.
int64_t fractionMs(std::string_view digits) {
  int64_t ms = 0;
  for (size_t i = 0; i < 3; ++i) ms = ms * 10 + (i < digits.size() ? digits[i] - '0' : 0);
  return ms;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t daysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

int64_t parseUnixNumber(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || !std::ranges::all_of(whole, isDigit) || !std::ranges::all_of(fraction, isDigit))
    return 0;
  int64_t value = 0;
  if (std::from_chars(whole.data(), whole.data() + whole.size(), value).ec != std::errc()) return 0;
  if (value > kMillisecondsAbove) return value;
  return value * 1000 + fractionMs(fraction);
}

int64_t parseIso(std::string_view text) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!readDigits(text, pos, 4, year) || !skip(text, pos, '-') || !readDigits(text, pos, 2, month) ||
      !skip(text, pos, '-') || !readDigits(text, pos, 2, day) || month < 1 || month > 12 || day < 1 ||
      day > 31)
    return 0;
  const int64_t midnight = daysFromCivil(year, month, day) * 86'400;
  if (pos == text.size()) return midnight * 1000;  // a DATE column: the day's start, UTC
  if (text[pos] != ' ' && text[pos] != 'T' && text[pos] != 't') return 0;
  ++pos;
  if (!readDigits(text, pos, 2, hour) || !skip(text, pos, ':') || !readDigits(text, pos, 2, minute) ||
      !skip(text, pos, ':') || !readDigits(text, pos, 2, second) || hour > 23 || minute > 59 || second > 60)
    return 0;
  int64_t ms = 0;
  if (skip(text, pos, '.')) {
    const size_t start = pos;
    while (pos < text.size() && isDigit(text[pos])) ++pos;
    if (pos == start) return 0;
    ms = fractionMs(text.substr(start, pos - start));
  }
  int64_t offset_seconds = 0;
  const bool utc = skip(text, pos, 'Z') || skip(text, pos, 'z');
  if (!utc && pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    // ±hh:mm as ISO writes it, and ±hh / ±hhmm as PostgreSQL prints a timestamptz.
    const int sign = text[pos++] == '-' ? -1 : 1;
    int offset_hours = 0, offset_minutes = 0;
    if (!readDigits(text, pos, 2, offset_hours)) return 0;
    const bool colon = skip(text, pos, ':');
    if ((colon || pos < text.size()) && !readDigits(text, pos, 2, offset_minutes)) return 0;
    offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
  }
  if (pos != text.size()) return 0;
  return (midnight + hour * 3600 + minute * 60 + second - offset_seconds) * 1000 + ms;
}

}  // namespace

int64_t parseChangeTimeMs(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.size() >= 10 && text[4] == '-') return parseIso(text);
  return parseUnixNumber(text);
}

}  // namespace liaison::sync
