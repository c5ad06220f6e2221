#include "sandbox/limits.h"

namespace liaison::sandbox {

WindowLimiter::WindowLimiter(const Clock& clock, int limit, std::chrono::seconds window)
    : clock_(clock),
      limit_(limit),
      window_micros_(std::chrono::duration_cast<std::chrono::microseconds>(window).count()) {}

WindowLimiter::Slot& WindowLimiter::slot(const std::string& key, int64_t now) {
  if (slots_.size() > 100000) slots_.clear();  // bound memory under address-spraying attacks
  Slot& s = slots_[key];
  if (now - s.window_start >= window_micros_ || now < s.window_start) {
    s.window_start = now - (now % window_micros_);
    s.count = 0;
  }
  return s;
}

bool WindowLimiter::tryAcquire(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (limit_ <= 0) return true;
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          clock_.now().time_since_epoch()).count();
  Slot& s = slot(key, now);
  if (s.count >= limit_) return false;
  ++s.count;
  return true;
}

bool WindowLimiter::exhausted(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (limit_ <= 0) return false;
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          clock_.now().time_since_epoch()).count();
  return slot(key, now).count >= limit_;
}

void WindowLimiter::setLimit(int limit) {
  std::lock_guard lock(mutex_);
  limit_ = limit;
}

void WindowLimiter::clear() {
  std::lock_guard lock(mutex_);
  slots_.clear();
}

}  // namespace liaison::sandbox
