#pragma once
// Frees a large value on a short-lived thread, so a request that drops a whole data set (a
// sandbox reset) answers without waiting for the memory to be returned.
#include <thread>
#include <utility>

namespace liaison {

template <typename T>
void freeInBackground(T&& value) {
  std::thread([doomed = std::forward<T>(value)]() mutable { T gone = std::move(doomed); }).detach();
}

}  // namespace liaison
