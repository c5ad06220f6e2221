// Throughput of the hub store's hot writes, on SQLite (a temp file) and on PostgreSQL (the database
// LIAISON_BENCH_POSTGRES_URL names; those cases are left out when it is unset): a refresh lease
// acquired and released (two write transactions), webhook deliveries claimed and marked delivered
// (as the dispatcher does, one claim then one write per delivery), and connections claimed for a
// health check. The store is opened as the hub opens it, every migration applied, and seeded with
// 1,000 connections and 1,000 pending deliveries. bench/store.sh starts a PostgreSQL server for it.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/hub_runtime.h"
#include "core/clock.h"
#include "core/random.h"
#include "hub/health/health_store.h"
#include "hub/store/connection_repository.h"
#include "hub/webhooks/repository.h"

namespace {

using namespace liaison;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr int kRows = 1000;  // connections, and pending deliveries at any time

enum class Kind { Sqlite, Postgres };

// One seeded store per kind, shared by that kind's benchmarks (and their threads).
struct Store {
  std::filesystem::path dir;  // the SQLite file's temp directory; empty on PostgreSQL
  std::string location;
  std::unique_ptr<hub::HubDatabase> db;
  // The webhook queue keeps a connection of its own to the store, as in the hub.
  std::unique_ptr<storage::Database> webhook_db;
  CryptoRandom random;
  std::unique_ptr<hub::webhooks::WebhookRepository> webhooks;
  std::vector<std::string> connections;
  int64_t events = 0;   // events enqueued so far (each makes one delivery)
  int64_t pending = 0;  // deliveries not yet claimed
  TimePoint health_now{};

  ~Store() {
    webhooks.reset();
    webhook_db.reset();
    db.reset();
    std::error_code ignored;
    if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
  }
};

hub::Connection benchConnection(const std::string& id, int i, TimePoint now) {
  hub::Connection c;
  c.id = id;
  c.app_id = "bench-app";
  c.end_user_id = "user-" + std::to_string(i);
  c.account_id = "acct" + std::to_string(100000 + i);
  c.organization_name = "Business " + std::to_string(i);
  c.user_login = "owner";
  c.scopes = {"account_read", "contact_data", "offline_access"};
  c.created_at = c.updated_at = c.refresh_token_used_at = now;
  c.access_expires_at = now + std::chrono::hours(24);
  // The repository stores sealed tokens as given; these rows are never opened.
  c.sealed_access_token = "sealed-access-" + id;
  c.sealed_refresh_token = "sealed-refresh-" + id;
  return c;
}

// Queues `n` more events, one delivery each, spread over the connections so each is the only
// pending delivery of its (webhook, connection) and every one can be claimed at once.
void enqueue(Store& s, int n, TimePoint now) {
  for (int i = 0; i < n; ++i, ++s.events) {
    const std::string& connection = s.connections[static_cast<size_t>(s.events % kRows)];
    hub::webhooks::WebhookEvent event{"evt_bench_" + std::to_string(s.events), "connection.created",
                                      connection, now, R"({"connection_id":")" + connection + R"("})"};
    auto made = s.webhooks->enqueue(event);
    if (!made || made->size() != 1) throw std::runtime_error("enqueue failed");
  }
  s.pending += n;
}

std::unique_ptr<Store> openStore(Kind kind) {
  auto s = std::make_unique<Store>();
  if (kind == Kind::Sqlite) {
    std::string pattern = (std::filesystem::temp_directory_path() / "liaison-store-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temp directory");
    s->dir = pattern;
    s->location = (s->dir / "hub.db").string();
  } else {
    s->location = std::getenv("LIAISON_BENCH_POSTGRES_URL");
  }
  s->db = std::make_unique<hub::HubDatabase>(s->location, app::hubExtraMigrations());
  s->webhook_db = std::make_unique<storage::Database>(s->location, std::span<const storage::Migration>{});
  s->webhooks = std::make_unique<hub::webhooks::WebhookRepository>(*s->webhook_db, s->random);
  bool empty = false;
  (void)s->db->read([&](storage::Database& raw) {
    storage::Statement count(raw, "SELECT COUNT(*) FROM connections");
    empty = count.step() && count.columnInt(0) == 0;
    return okStatus();
  });
  if (!empty) {
    throw std::runtime_error("the store already holds connections: give the benchmark an empty database");
  }
  SystemClock clock;
  const TimePoint now = clock.now();
  hub::ConnectionRepository connections(*s->db);
  for (int i = 0; i < kRows; ++i) {
    const std::string id = "conn_bench_" + std::to_string(i);
    if (!connections.insert(benchConnection(id, i, now)))
      throw std::runtime_error("seeding connections failed");
    s->connections.push_back(id);
  }
  hub::webhooks::Webhook hook{"wh_bench", "https://host.example/hooks", {}, "sealed-secret", now, true};
  if (!s->webhooks->create(hook)) throw std::runtime_error("creating the webhook failed");
  enqueue(*s, kRows, now);
  // PostgreSQL plans from table statistics, which autovacuum gathers a while after rows arrive
  // (the hub itself never runs ANALYZE). Fresh from the seed there are none, and the webhook claim
  // then runs as a nested loop over every pending delivery (~100 ms a claim at 1,000 pending, not
  // ~1 ms): measure the store as it runs once autovacuum has been by.
  if (kind == Kind::Postgres) s->db->raw().exec("ANALYZE");
  s->health_now = now;
  return s;
}

// The kind's store, opened and seeded on first use; nullptr (and the benchmark skipped with the
// reason, which the report shows) when that fails.
Store* store(benchmark::State& state, Kind kind) {
  static std::mutex mutex;
  static std::map<Kind, std::unique_ptr<Store>> stores;
  std::lock_guard lock(mutex);
  auto& slot = stores[kind];
  try {
    if (!slot) slot = openStore(kind);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return nullptr;
  }
  return slot.get();
}

// One refresh lease acquired and released (two write transactions) per iteration, each time on
// the next of the 1,000 connections; threads take disjoint connections and share the store as the
// hub's threads do.
void BM_LeaseAcquireRelease(benchmark::State& state, Kind kind) {
  Store* s = store(state, kind);
  if (s == nullptr) return;
  hub::ConnectionRepository repository(*s->db);
  SystemClock clock;
  const std::string holder = "bench:" + std::to_string(state.thread_index());
  size_t next = static_cast<size_t>(state.thread_index());
  for (auto _ : state) {
    const std::string& id = s->connections[next % s->connections.size()];
    next += static_cast<size_t>(state.threads());
    auto lease = repository.acquireLease(id, holder, clock.now(), seconds(30));
    if (!lease || !*lease) {
      state.SkipWithError("a lease was not granted");
      break;
    }
    if (!repository.releaseLease(**lease)) {
      state.SkipWithError("a lease was not released");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// One claim of up to `batch` due deliveries, then each marked delivered (the dispatcher claims 50
// a round). The queue is topped up outside the timed region, so every claim finds a full batch.
void BM_WebhookClaimDeliver(benchmark::State& state, Kind kind) {
  Store* s = store(state, kind);
  if (s == nullptr) return;
  const int batch = static_cast<int>(state.range(0));
  SystemClock clock;
  int64_t delivered = 0;
  for (auto _ : state) {
    if (s->pending < batch) {
      state.PauseTiming();
      try {
        enqueue(*s, kRows, clock.now());
      } catch (const std::exception& e) {
        state.ResumeTiming();
        state.SkipWithError(e.what());
        break;
      }
      state.ResumeTiming();
    }
    auto due = s->webhooks->claimDue(clock.now(), batch);
    if (!due || static_cast<int>(due->size()) != batch) {
      state.SkipWithError("a claim did not return a full batch");
      break;
    }
    s->pending -= batch;
    for (const auto& item : *due) {
      if (!s->webhooks->markDelivered(item.delivery.id, clock.now(), 200)) {
        state.SkipWithError("a delivery was not marked delivered");
        return;
      }
    }
    delivered += batch;
  }
  state.SetItemsProcessed(delivered);
  state.counters["deliveries_in_table"] = static_cast<double>(s->events);
}

// One claim of up to `limit` connections due for a health check (the hub claims 20 a round). Each
// claim runs a minute after the last on a virtual clock, so the previous claims (30 s) have run
// out and all 1,000 connections, never checked, are due again.
void BM_HealthClaim(benchmark::State& state, Kind kind) {
  Store* s = store(state, kind);
  if (s == nullptr) return;
  const int limit = static_cast<int>(state.range(0));
  hub::HealthStore health(*s->db);
  int64_t claimed = 0;
  for (auto _ : state) {
    s->health_now += minutes(1);
    const TimePoint now = s->health_now;
    auto due = health.claimDueForCheck(now - minutes(15), now, now + seconds(30), limit);
    if (!due || static_cast<int>(due->size()) != limit) {
      state.SkipWithError("a claim did not return a full batch");
      break;
    }
    claimed += limit;
  }
  state.SetItemsProcessed(claimed);
}

void registerFor(Kind kind, const std::string& name) {
  benchmark::RegisterBenchmark(("BM_LeaseAcquireRelease/" + name).c_str(), BM_LeaseAcquireRelease, kind)
      ->Threads(1)
      ->Threads(4)
      ->UseRealTime();
  benchmark::RegisterBenchmark(("BM_WebhookClaimDeliver/" + name).c_str(), BM_WebhookClaimDeliver, kind)
      ->Arg(1)
      ->Arg(50)
      ->UseRealTime();
  benchmark::RegisterBenchmark(("BM_HealthClaim/" + name).c_str(), BM_HealthClaim, kind)
      ->Arg(1)
      ->Arg(20)
      ->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  registerFor(Kind::Sqlite, "sqlite");
  const char* url = std::getenv("LIAISON_BENCH_POSTGRES_URL");
  if (url != nullptr && *url != '\0') {
    registerFor(Kind::Postgres, "postgres");
  } else {
    std::fprintf(stderr,
                 "store_bench: PostgreSQL cases skipped: set LIAISON_BENCH_POSTGRES_URL to an empty database "
                 "(postgresql://user@host:port/db; bench/store.sh starts one)\n");
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
