#pragma once
// Elapsed time for measurements only (access-log durations, start-up time), on the monotonic
// clock. Time that drives behaviour (expiry, limits) always comes from an injected Clock.
#include <chrono>

namespace liaison {

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
