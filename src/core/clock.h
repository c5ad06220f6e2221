#pragma once
// All time goes through an injected Clock so the sandbox can fast-forward and tests never sleep.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace liaison {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// Wall clock of the machine. The only place that reads the system clock.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// A clock that tests and the sandbox control API move by hand. It starts at `start` and
// only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start);
  TimePoint now() const override;
  void advance(std::chrono::microseconds by);
  void set(TimePoint to);

 private:
  std::atomic<int64_t> micros_;
};

// Real time shifted by an adjustable offset: time flows normally, and the sandbox can jump
// forward ("advance 180 days") or set an absolute time without stopping it.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(const Clock& base);
  TimePoint now() const override;
  void advance(std::chrono::microseconds by);
  void set(TimePoint to);
  std::chrono::microseconds offset() const;
  void setOffset(std::chrono::microseconds offset);

 private:
  const Clock& base_;
  std::atomic<int64_t> offset_micros_{0};
};

int64_t toUnixSeconds(TimePoint t);
TimePoint fromUnixSeconds(int64_t seconds);
// RFC 3339 / ISO-8601 in UTC with milliseconds, e.g. 2026-01-23T13:48:44.108Z.
std::string formatIso8601(TimePoint t);
// Accepts date-times with Z or +hh:mm offsets and optional fractional seconds.
bool parseIso8601(std::string_view text, TimePoint& out);
// parseIso8601 telling why a text was refused: not an ISO-8601 date-time, or one whose year
// TimePoint cannot hold (before 1678 or after 2261), so a caller can name the real reason.
enum class Iso8601 { Ok, Malformed, OutOfRange };
Iso8601 readIso8601(std::string_view text, TimePoint& out);

// Elapsed time for measurements only (access-log durations, start-up time), on the monotonic
// clock. Time that drives behaviour (expiry, limits) always comes from an injected Clock.
class Stopwatch {
 public:
  Stopwatch() : started_(std::chrono::steady_clock::now()) {}
  std::chrono::microseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
  }

 private:
  std::chrono::steady_clock::time_point started_;
};

}  // namespace liaison
