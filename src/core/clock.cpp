#include "core/clock.h"

#include <cstdio>
#include <ctime>

namespace liaison {

TimePoint SystemClock::now() const { return std::chrono::system_clock::now(); }

namespace {
int64_t toMicros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
TimePoint fromMicros(int64_t micros) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros)));
}
}  // namespace

ManualClock::ManualClock(TimePoint start) : micros_(toMicros(start)) {}
TimePoint ManualClock::now() const { return fromMicros(micros_.load()); }
void ManualClock::advance(std::chrono::microseconds by) { micros_ += by.count(); }
void ManualClock::set(TimePoint to) { micros_ = toMicros(to); }

OffsetClock::OffsetClock(const Clock& base) : base_(base) {}
TimePoint OffsetClock::now() const {
  return base_.now() + std::chrono::duration_cast<TimePoint::duration>(offset());
}
void OffsetClock::advance(std::chrono::microseconds by) { offset_micros_ += by.count(); }
void OffsetClock::set(TimePoint to) {
  offset_micros_ = toMicros(to) - toMicros(base_.now());
}
std::chrono::microseconds OffsetClock::offset() const {
  return std::chrono::microseconds(offset_micros_.load());
}
void OffsetClock::setOffset(std::chrono::microseconds offset) { offset_micros_ = offset.count(); }

int64_t toUnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
TimePoint fromUnixSeconds(int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

std::string formatIso8601(TimePoint t) {
  const int64_t micros = toMicros(t);
  int64_t secs = micros / 1000000;
  int64_t ms = (micros % 1000000) / 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

bool parseIso8601(std::string_view text, TimePoint& out) { return readIso8601(text, out) == Iso8601::Ok; }

namespace {

// `n` digits at `at` as a number; false unless all are ASCII digits. Runs syncs read 100,000s of
// change times, so no sscanf (which would also take signs and spaces a time never has).
bool digitsAt(std::string_view text, size_t at, size_t n, int& out) {
  if (at + n > text.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

Iso8601 readIso8601(std::string_view text, TimePoint& out) {
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0;
  if (text.size() < 19 || !digitsAt(text, 0, 4, year) || text[4] != '-' || !digitsAt(text, 5, 2, mon) ||
      text[7] != '-' || !digitsAt(text, 8, 2, day) || text[10] != 'T' || !digitsAt(text, 11, 2, hour) ||
      text[13] != ':' || !digitsAt(text, 14, 2, min) || text[16] != ':' || !digitsAt(text, 17, 2, sec)) {
    return Iso8601::Malformed;
  }
  static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mon < 1 || mon > 12 || day < 1 || day > kDaysInMonth[mon - 1] || hour > 23 || min > 59 || sec > 60) {
    return Iso8601::Malformed;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (mon == 2 && day == 29 && !leap) return Iso8601::Malformed;
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return Iso8601::Malformed;
    for (int d = digits; d < 6; ++d) micros *= 10;
  }
  int64_t offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (text.size() - pos != 6 || !digitsAt(text, pos + 1, 2, oh) || text[pos + 3] != ':' ||
        !digitsAt(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return Iso8601::Malformed;
    }
    offset_seconds = (oh * 3600 + om * 60) * (text[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return Iso8601::Malformed;
  }
  if (pos != text.size()) return Iso8601::Malformed;
  // TimePoint counts nanoseconds in 64 bits: it spans the years 1678 to 2261.
  if (year < 1678 || year > 2261) return Iso8601::OutOfRange;
  const auto days = std::chrono::sys_days(std::chrono::year(year) / mon / day).time_since_epoch().count();
  const int64_t secs = static_cast<int64_t>(days) * 86400 + hour * 3600 + min * 60 + sec - offset_seconds;
  out = fromMicros(secs * 1000000 + micros);
  return Iso8601::Ok;
}

}  // namespace liaison
