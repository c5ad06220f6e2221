#pragma once
// Memory handling for large in-memory data sets: freeing a large value on a short-lived thread, so
// a request that drops a whole data set (a sandbox reset) answers without waiting; returning the
// pages a bulk operation freed to the operating system; and growing the heap in large steps.
#include <cstddef>
#include <thread>
#include <utility>

namespace liaison {

template <typename T>
void freeInBackground(T&& value) {
  std::thread([doomed = std::forward<T>(value)]() mutable { T gone = std::move(doomed); }).detach();
}

// After a bulk operation (a 40,000-row import parses and discards tens of MB of JSON between
// long-lived allocations) the allocator would keep those pages; this gives the free ones back,
// so resident memory tracks live data. Costs a few milliseconds; tcmalloc's release where the
// program links it, glibc's malloc_trim otherwise, a no-op elsewhere.
void returnFreedMemory();

// Has the allocator take address space from the system `bytes` at a time rather than 128 KB: a
// process that adds thousands of records a second (POST /v3/contacts under load) otherwise spends a
// visible share of its time in brk. Pages are only resident once used. Only glibc's allocator
// takes the hint; tcmalloc grows in large spans already.
void growHeapInSteps(size_t bytes);

}  // namespace liaison
