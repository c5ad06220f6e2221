#pragma once
// Fault injection and the request journal for /v3 calls, and fault rules for the authorization
// server's endpoints (operations oauth.token, oauth.device_authorize, oauth.revoke, oauth.keys,
// which only a rule naming them matches). Rules are keyed by operation, account and client, fire with a
// probability drawn from their own seeded generator (deterministic for a seed and a request order), at most
// `count` times, and answer with an error status in CC's format, added latency, a connection reset, a commit
// whose response is dropped, or a burst of 429s.
#include <nlohmann/json.hpp>

#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "http/message.h"

namespace liaison::sandbox {

struct FaultAction {
  std::string type;  // status | latency | reset | drop_after_commit
  int status = 500;
  std::string error_key;    // CC's error_key (/v3)
  std::string oauth_error;  // RFC 6749's error code (oauth.*): error_key when given
  std::string error_message;
  int latency_ms = 0;
};

// Runs a call under a fired rule: `failure` answers a status rule, a reset answers nothing (the
// connection closes), latency runs `handler` and sets the answer's delay (the server holds it
// back that long), and drop_after_commit runs `handler` (its effect is committed) and then drops
// the answer.
http::Response applyFault(const FaultAction& action, const std::function<http::Response()>& handler,
                          const std::function<http::Response()>& failure);

// The authorization server's operations a fault rule may name.
bool isOAuthOperation(std::string_view operation);

class FaultInjector {
 public:
  explicit FaultInjector(RandomSource& random) : random_(random) {}
  Result<nlohmann::json> add(const nlohmann::json& rule);
  nlohmann::json list() const;
  bool remove(const std::string& id);
  void clear();
  // Whether there is any rule (callers skip the work of matching when there is none).
  bool any() const { return any_.load(std::memory_order_relaxed); }
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

  mutable std::mutex mutex_;
  std::vector<Rule> rules_;
  std::atomic<bool> any_{false};
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
