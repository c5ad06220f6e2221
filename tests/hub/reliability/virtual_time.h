#pragma once
// Virtual time for the reliability tests. The clock's one counter can live in memory shared
// with forked children, so four "hub processes" agree on what time it is; waiting moves the
// clock instead of sleeping. Concurrent waiters behave like real sleepers: two threads that each
// wait one second move the clock by one second, not two.
#include <sys/mman.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <utility>

#include "core/clock.h"
#include "hub/upstream/cc_client.h"

namespace liaison::hub::reliability {

// One T placed in an anonymous shared mapping: a fork()ed child sees the parent's object and
// every change either side makes. T must be usable across processes (atomics, process-shared
// mutexes, plain data).
template <typename T>
class SharedBlock {
 public:
  template <typename... Args>
  explicit SharedBlock(size_t bytes = sizeof(T), Args&&... args) : bytes_(bytes) {
    void* memory = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::runtime_error("mmap failed");
    value_ = new (memory) T(std::forward<Args>(args)...);
  }
  ~SharedBlock() {
    value_->~T();
    ::munmap(value_, bytes_);
  }
  SharedBlock(const SharedBlock&) = delete;
  SharedBlock& operator=(const SharedBlock&) = delete;
  T* get() const { return value_; }
  T* operator->() const { return value_; }

 private:
  size_t bytes_;
  T* value_;
};

class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(TimePoint start) : micros_(toMicros(start)) {}
  TimePoint now() const override {
    return TimePoint(
        std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros_.load())));
  }
  void advance(std::chrono::microseconds by) { micros_.fetch_add(by.count()); }
  // Moves the clock to `to` unless it already shows a later time (time never runs backwards).
  void advanceTo(TimePoint to) {
    const int64_t target = toMicros(to);
    int64_t seen = micros_.load();
    while (seen < target && !micros_.compare_exchange_weak(seen, target)) {
    }
  }
  // What a sleeping thread does: wakes `wait` after it started waiting.
  Waiter waiter() {
    return [this](std::chrono::milliseconds wait) { advanceTo(now() + wait); };
  }

 private:
  static int64_t toMicros(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }
  static_assert(std::atomic<int64_t>::is_always_lock_free, "the clock is shared between processes");
  std::atomic<int64_t> micros_;
};

}  // namespace liaison::hub::reliability
