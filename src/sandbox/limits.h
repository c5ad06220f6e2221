#pragma once
// Fixed-window counters on the injected clock: the strict profile's token-endpoint rate, and
// the brakes on client-secret, password and user-code guessing.
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace liaison::sandbox {

class WindowLimiter {
 public:
  // At most `limit` events per key in each `window`; limit <= 0 disables the limiter.
  WindowLimiter(const Clock& clock, int limit, std::chrono::seconds window);
  // Counts the event and says whether it is within the limit.
  bool tryAcquire(const std::string& key);
  // Whether the key has used up its window, without counting anything.
  bool exhausted(const std::string& key);
  void setLimit(int limit);
  void clear();

 private:
  struct Slot {
    int64_t window_start = 0;
    int count = 0;
  };
  Slot& slot(const std::string& key, int64_t now);

  const Clock& clock_;
  int limit_;
  int64_t window_micros_;
  std::mutex mutex_;
  std::unordered_map<std::string, Slot> slots_;
};

}  // namespace liaison::sandbox
