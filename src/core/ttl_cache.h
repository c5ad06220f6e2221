#pragma once
// A small thread-safe map for rows read on every request (a hub API key, a connection): an entry
// is served for at most `ttl` after it was read, and not at all once the owner's version has
// moved on. The owner (a repository) bumps its version on every write it makes, so this
// process's own changes show at once; another process's within `ttl`. A ttl of zero turns the
// cache off. Bounded: when full, expired entries go, and if none had expired, all of them.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

#include "core/clock.h"

namespace liaison {

template <typename Key, typename Value>
class TtlCache {
 public:
  TtlCache(const Clock& clock, std::chrono::milliseconds ttl, size_t capacity = 10'000)
      : clock_(clock), ttl_(ttl), capacity_(capacity) {}

  std::optional<Value> get(const Key& key, uint64_t version) {
    if (ttl_.count() <= 0) return std::nullopt;
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    const auto found = entries_.find(key);
    if (found == entries_.end()) return std::nullopt;
    if (found->second.version != version || now >= found->second.until || now < found->second.read_at) {
      entries_.erase(found);
      return std::nullopt;
    }
    return found->second.value;
  }

  // `version`: the owner's version read before `value` was read, so a write in between makes
  // the entry stale at once.
  void put(const Key& key, Value value, uint64_t version) {
    if (ttl_.count() <= 0) return;
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    if (entries_.size() >= capacity_ && !entries_.contains(key)) {
      std::erase_if(entries_, [&](const auto& entry) { return now >= entry.second.until; });
      if (entries_.size() >= capacity_) entries_.clear();
    }
    entries_.insert_or_assign(key, Entry{std::move(value), version, now, now + ttl_});
  }

  void erase(const Key& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
  }

 private:
  struct Entry {
    Value value;
    uint64_t version;
    TimePoint read_at;
    TimePoint until;
  };

  const Clock& clock_;
  const std::chrono::milliseconds ttl_;
  const size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<Key, Entry> entries_;
};

// Bumps an owner's version when a write leaves scope, so after it has committed: a reader that
// read the version before the bump drops what it read; one that read it after read the new row.
class BumpOnExit {
 public:
  explicit BumpOnExit(std::atomic<uint64_t>& version) : version_(version) {}
  ~BumpOnExit() { version_.fetch_add(1); }
  BumpOnExit(const BumpOnExit&) = delete;
  BumpOnExit& operator=(const BumpOnExit&) = delete;

 private:
  std::atomic<uint64_t>& version_;
};

}  // namespace liaison
