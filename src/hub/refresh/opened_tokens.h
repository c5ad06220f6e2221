#pragma once
// Access tokens already opened from the vault, by connection. Every proxied call needs its
// connection's token in the clear; opening it (base64, AES-GCM, the context string) was a
// tenth of the proxy's own CPU per call. An entry is good only for the exact ciphertext it came
// from: a refresh or a re-seal under a new key changes the ciphertext, so a stale plaintext is
// never handed out. Plaintext stays in memory only, never on disk or in logs.
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/secret.h"

namespace liaison::hub {

class OpenedTokens {
 public:
  explicit OpenedTokens(size_t capacity = 4096) : capacity_(capacity) {}

  // The plaintext opened earlier from exactly `sealed` for this connection, if any.
  std::optional<Secret> find(const std::string& connection_id, const std::string& sealed) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(connection_id);
    if (it == entries_.end() || it->second.sealed != sealed) return std::nullopt;
    return it->second.plain;
  }

  void remember(const std::string& connection_id, const std::string& sealed, const Secret& plain) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(connection_id);
    if (it == entries_.end()) {
      // Bounded: past the capacity an arbitrary entry goes (it is opened again when next used).
      if (entries_.size() >= capacity_ && !entries_.empty()) entries_.erase(entries_.begin());
      entries_.emplace(connection_id, Entry{sealed, plain});
      return;
    }
    it->second = Entry{sealed, plain};
  }

  size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  struct Entry {
    std::string sealed;
    Secret plain;
  };
  size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace liaison::hub
