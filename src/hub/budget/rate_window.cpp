#include "hub/budget/rate_window.h"

#include <algorithm>
#include <vector>

namespace liaison::hub {

void RateWindow::forget(TimePoint now) {
  while (!calls_.empty() && calls_.front() + window_ <= now) calls_.pop_front();
}

std::chrono::milliseconds RateWindow::waitAt(TimePoint now) {
  forget(now);
  if (limit_ <= 0 || static_cast<int>(calls_.size()) < limit_) return std::chrono::milliseconds(0);
  // The oldest call leaves the window a second after it went; rounded up, so a caller that sleeps
  // this long finds the room.
  const auto left = calls_[calls_.size() - static_cast<size_t>(limit_)] + window_ - now;
  return std::max(std::chrono::milliseconds(1), std::chrono::ceil<std::chrono::milliseconds>(left));
}

void RateWindow::take(TimePoint now) {
  if (limit_ <= 0) return;
  calls_.push_back(now);
  // Only the last `limit` calls ever decide a wait.
  while (static_cast<int>(calls_.size()) > limit_) calls_.pop_front();
}

TimePoint RateWindow::slotAt(TimePoint now, int64_t ahead) {
  forget(now);
  if (limit_ <= 0) return now;
  std::vector<TimePoint> times(calls_.begin(), calls_.end());
  TimePoint slot = now;
  for (int64_t i = 0; i <= ahead; ++i) {
    const size_t n = times.size();
    slot = n < static_cast<size_t>(limit_) ? now
                                           : std::max(now, times[n - static_cast<size_t>(limit_)] + window_);
    times.push_back(slot);
  }
  return slot;
}

}  // namespace liaison::hub
