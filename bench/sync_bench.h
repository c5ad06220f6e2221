#pragma once
// sync_bench (run by bench/sync.sh): the sync engine against `liaison sandbox` over HTTP. Each
// phase is a process of its own (seed, change, run, baseline), so a run's getrusage CPU and peak
// RSS are the engine's (with its HTTP client and SQLite), never the seeding's or the sandbox's.
// State between phases lives in --dir: app.db (the app's table), hub.db (the sync and its links)
// and state.json.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "core/clock.h"
#include "http/client/http_client.h"
#include "storage/database.h"
#include "sync/connectors/cc_caller.h"

namespace liaison::bench {

using nlohmann::json;

inline constexpr const char* kApp = "bench-app";
inline constexpr const char* kScopeList = "Customers";  // every seeded contact is in it

struct BenchOptions {
  std::string phase;
  std::string base;   // the sandbox: http://127.0.0.1:PORT
  std::string token;  // an access token with contact_data
  std::string dir;
  int64_t contacts = 100000;
  int per_second = 0;               // 4 under the strict profile (CC's limit); 0: not paced
  std::string filter = kScopeList;  // the sync's CC scope: a list name, or "all"
  std::string label;                // the run's name in the results
  std::string pass = "first";       // baseline: "first" (everything) or "next" (changes since)
  int64_t advance_s = 0;            // both clocks move forward this much before the phase
};

// Ends the bench with a message and exit code 1: a setup step that did not hold makes every
// figure after it meaningless.
[[noreturn]] void die(const std::string& why);

// The CC calls this process made, by kind ("read:page", "write:import", …), as it saw them.
struct Tally {
  int64_t calls = 0;
  int64_t errors = 0;     // answers 4xx or 5xx (a 429 that was retried included)
  int64_t throttled = 0;  // of those, 429s the pacer waited out and sent again
  std::map<std::string, int64_t> kinds;
  int64_t import_bytes = 0;  // JSON import request bodies
  int64_t import_rows = 0;
  std::string first_error;
};

// The sandbox over HTTP. /v3 calls go through call() (counted, paced, checked); control calls
// (/__sandbox/...) through control(), never counted as CC calls. clock() mirrors the sandbox's
// virtual clock (real time plus its offset), so the engine's times match the sandbox's.
class Sandbox final : public sync::CcCaller {
 public:
  explicit Sandbox(const BenchOptions& options);
  Result<sync::CcAnswer> call(const sync::CcCall& call) override;
  // A /v3 call the bench itself makes (seeding, changes): counted like the engine's, and it must
  // answer 2xx or the bench ends.
  json must(const std::string& method, const std::string& target, const json& body = nullptr);
  json control(const std::string& method, const std::string& path, const json& body = nullptr);
  // Polls an activity until it completes; ends the bench if it fails or reports errors.
  void awaitActivity(const std::string& id);
  // Moves the sandbox's clock (and this mirror) forward: the next run happens that much later.
  void advance(int64_t seconds);
  const Clock& clock() const { return clock_; }
  std::string nowIso() const { return formatIso8601(clock_.now()); }
  // Which part of a run the engine is in ("open", "read", "write"): prefixes each call's kind.
  std::string phase = "bench";
  Tally tally;

 private:
  Result<http::ClientResponse> send(const std::string& method, const std::string& url,
                                    const std::string& body, bool with_token);
  void pace();
  std::string kindOf(const sync::CcCall& call);

  std::string base_, token_;
  int per_second_;
  std::unique_ptr<http::HttpClient> http_;
  SystemClock system_;
  OffsetClock clock_;
  int64_t window_ = -1;  // the sandbox-clock second the pacer is counting in
  int sent_in_window_ = 0;
  std::string last_page_kind_ = "page";  // a next link continues the pass it came from
};

// The bench's hub store (hub.db): the sync tables on top of the hub's own.
std::span<const storage::Migration> storeMigrations();

// state.json: what the phases tell each other.
json loadState(const std::string& dir);
void saveState(const std::string& dir, const json& state);

// The seeded data, by index: the same for every sandbox the script starts.
std::string ccEmail(int64_t i, int64_t n);   // i < n/2: shared with the table, else CC only
std::string appEmail(int64_t k, int64_t n);  // k < n/2: shared with CC, else the app's only
std::string firstName(int64_t i);
std::string lastName(int64_t i);
std::string jobTitle(int64_t i);

// Phases (sync_bench_seed.cpp, sync_bench_run.cpp, sync_bench_baseline.cpp).
void seedPhase(Sandbox& cc, const BenchOptions& options);
void changePhase(Sandbox& cc, const BenchOptions& options);
void runPhase(Sandbox& cc, const BenchOptions& options);
void baselinePhase(Sandbox& cc, const BenchOptions& options);

// getrusage(RUSAGE_SELF): user + system CPU seconds, and the peak RSS in MB.
struct Usage {
  double cpu_s = 0;
  double max_rss_mb = 0;
};
Usage usage();
// The resident set now (/proc/self/statm), in MB.
double residentMb();

// One result line on stdout ("RESULT {...}"), which bench/sync.sh collects into its table.
void printResult(const json& result);

}  // namespace liaison::bench
