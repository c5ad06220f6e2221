#pragma once
// Fault injection and the request journal for /v3 calls. Rules are keyed by operation, account
// and client, fire with a probability drawn from their own seeded generator (deterministic for
// a seed and a request order), at most `count` times, and answer with an error status in CC's
// format, added latency, a connection reset, a commit whose response is dropped, or a burst of
// 429s.
#include <nlohmann/json.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"

namespace liaison::sandbox {

struct FaultAction {
  std::string type;  // status | latency | reset | drop_after_commit
  int status = 500;
  std::string error_key;
  std::string error_message;
  int latency_ms = 0;
};

class FaultInjector {
 public:
  explicit FaultInjector(RandomSource& random) : random_(random) {}
  Result<nlohmann::json> add(const nlohmann::json& rule);
  nlohmann::json list() const;
  bool remove(const std::string& id);
  void clear();
  // Whether any rule delays calls (the sandbox then keeps every call off the I/O threads).
  bool delays() const { return delays_.load(std::memory_order_relaxed); }
  // The action to take for this call, if a rule fires.
  std::optional<FaultAction> match(const std::string& operation, const std::string& account,
                                   const std::string& client);

 private:
  struct Rule {
    std::string id;
    std::string operation, account, client;  // empty: any
    double probability = 1.0;
    int remaining = -1;  // -1: unlimited
    SeededRandom draws{0};
    FaultAction action;
    nlohmann::json spec;
  };
  RandomSource& random_;
  void noteDelays();  // under mutex_

  mutable std::mutex mutex_;
  std::vector<Rule> rules_;
  std::atomic<bool> delays_{false};
};

// One API call as the journal keeps it (plain fields: every call writes one).
struct JournalEntry {
  TimePoint at;
  std::string method;
  std::string path;
  std::string_view operation;  // from the static operation table
  std::string account_id;
  std::string client_id;
  int status = 0;  // 0: the connection was dropped
  std::string fault;
};

// The last API calls: which account and client made each, and how it was answered.
class RequestJournal {
 public:
  explicit RequestJournal(size_t capacity = 1000) : capacity_(capacity) {}
  void record(JournalEntry entry);
  // The newest `limit` entries as JSON, oldest first.
  nlohmann::json recent(size_t limit) const;
  void clear();

 private:
  size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<JournalEntry> entries_;
};

}  // namespace liaison::sandbox
