#pragma once
// A record id, sortable fast: the id's first 8 bytes as a big-endian number decide nearly every
// comparison without reading the id again. Sorting 100,000s of ids that lie all over the heap
// (CC's contact ids, a table's keys) otherwise spends most of its time fetching them. Order by
// IdKey is the ids' byte order. The key views the id: it must not outlive the string.
#include <cstdint>
#include <string_view>

namespace liaison::sync {

struct IdKey {
  uint64_t prefix = 0;
  std::string_view id;

  explicit IdKey(std::string_view key) : id(key) {
    for (size_t i = 0; i < 8; ++i)
      prefix = prefix << 8 | (i < key.size() ? static_cast<unsigned char>(key[i]) : 0u);
  }
  bool operator<(const IdKey& other) const {
    return prefix != other.prefix ? prefix < other.prefix : id < other.id;
  }
  bool operator==(const IdKey& other) const { return prefix == other.prefix && id == other.id; }
};

}  // namespace liaison::sync
