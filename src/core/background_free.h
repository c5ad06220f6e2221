#pragma once
// Handing memory back: freeing a large value on a short-lived thread, so a request that drops a
// whole data set (a sandbox reset) answers without waiting; and returning the pages a bulk
// operation freed to the operating system.
#include <thread>
#include <utility>

namespace liaison {

template <typename T>
void freeInBackground(T&& value) {
  std::thread([doomed = std::forward<T>(value)]() mutable { T gone = std::move(doomed); }).detach();
}

// After a bulk operation (a 40,000-row import parses and discards tens of MB of JSON between
// long-lived allocations) the allocator would keep those pages; this gives the free ones back,
// so resident memory tracks live data. Costs a few milliseconds; a no-op off glibc.
void returnFreedMemory();

}  // namespace liaison
