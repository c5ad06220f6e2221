#pragma once
// A sliding one-second window: at most `limit` calls in any second. Pure: the caller passes the
// time, so it is tested without a clock or threads. A sliding window rather than a token bucket
// because CC counts requests per second without saying how; a window never lets more than
// `limit` calls fall in any second, however CC cuts its seconds.
#include <chrono>
#include <cstdint>
#include <deque>

#include "core/clock.h"

namespace liaison::hub {

class RateWindow {
 public:
  // At most `limit` calls in any `window` (a second, plus any safety margin); limit <= 0: no limit.
  explicit RateWindow(int limit, std::chrono::milliseconds window = std::chrono::seconds(1))
      : limit_(limit), window_(window) {}

  // How long until a call may go at `now`: zero when the last second has room.
  std::chrono::milliseconds waitAt(TimePoint now);
  // Records a call at `now` (the caller checked waitAt first).
  void take(TimePoint now);
  // When the call with `ahead` calls before it could go, if calls go as fast as the window lets
  // them from `now` on: each call goes one second after the one `limit` places before it.
  TimePoint slotAt(TimePoint now, int64_t ahead);
  int limit() const { return limit_; }

 private:
  void forget(TimePoint now);

  int limit_;
  std::chrono::milliseconds window_;
  std::deque<TimePoint> calls_;  // the calls of the last second, oldest first
};

}  // namespace liaison::hub
