// Sandbox handler costs without sockets, in memory: POST /__sandbox/reset with 10,000 contacts
// in the demo account (each iteration imports them again outside the timed region), and a
// 40,000-contact JSON import (body parsing included).
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/random.h"
#include "sandbox/sandbox.h"

namespace {

using namespace liaison;
using nlohmann::json;

http::Response call(sandbox::Sandbox& s, const std::string& method, const std::string& target, const std::string& body,
                    const std::string& token = "") {
  http::Request request;
  request.method = method;
  request.target = target;
  request.body = body;
  request.headers.set("Content-Type", "application/json");
  if (!token.empty()) request.headers.set("Authorization", "Bearer " + token);
  return s.handle(request);
}

std::string deviceToken(sandbox::Sandbox& s) {
  http::Request start;
  start.method = "POST";
  start.target = "/oauth2/default/v1/device/authorize";
  start.body = "client_id=sandbox-public&scope=contact_data";
  start.headers.set("Content-Type", "application/x-www-form-urlencoded");
  const json device = json::parse(s.handle(start).body);
  call(s, "POST", "/__sandbox/device/approve", json{{"user_code", device["user_code"]}}.dump());
  http::Request poll = start;
  poll.target = "/oauth2/default/v1/token";
  poll.body = "client_id=sandbox-public&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=" +
              device["device_code"].get<std::string>();
  return json::parse(s.handle(poll).body)["access_token"];
}

std::string importBody(sandbox::Sandbox& s, const std::string& token, int contacts, const std::string& prefix) {
  const json list = json::parse(call(s, "POST", "/v3/contact_lists", json{{"name", "Bench " + prefix}}.dump(), token).body);
  json rows = json::array();
  for (int i = 0; i < contacts; ++i) {
    rows.push_back({{"email", prefix + std::to_string(i) + "@bench.test"}, {"first_name", "Bench"},
                    {"last_name", std::to_string(i)}});
  }
  return json{{"import_data", rows}, {"list_ids", {list["list_id"]}}}.dump();
}

void fill(sandbox::Sandbox& s, int contacts) {
  const std::string token = deviceToken(s);
  call(s, "POST", "/v3/activities/contacts_json_import", importBody(s, token, contacts, "r"), token);
}

// An in-memory sandbox on the fast profile, as `liaison sandbox --profile fast` runs it.
struct BenchSandbox {
  BenchSandbox() : sandbox(options(), clock, random, nullptr) { sandbox.setBaseUrl("http://bench.test"); }
  static sandbox::SandboxOptions options() {
    sandbox::SandboxOptions o;
    o.profile = sandbox::Profile::Fast;
    return o;
  }
  SystemClock clock;
  CryptoRandom random;
  sandbox::Sandbox sandbox;
};

void BM_ResetWith10kContacts(benchmark::State& state) {
  BenchSandbox bench;
  sandbox::Sandbox& s = bench.sandbox;
  call(s, "POST", "/__sandbox/reset", "{}");  // the first reset seeds the cache
  for (auto _ : state) {
    state.PauseTiming();
    fill(s, 10000);
    state.ResumeTiming();
    auto response = call(s, "POST", "/__sandbox/reset", "{}");
    if (response.status != 200) state.SkipWithError("reset failed");
  }
}
BENCHMARK(BM_ResetWith10kContacts)->Unit(benchmark::kMicrosecond)->Iterations(20);

void BM_Import40kContacts(benchmark::State& state) {
  BenchSandbox bench;
  sandbox::Sandbox& s = bench.sandbox;
  const std::string token = deviceToken(s);
  int round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string prefix = std::to_string(round++) + "i-";  // fresh addresses every round
    const std::string body = importBody(s, token, 40000, prefix);
    state.ResumeTiming();
    auto response = call(s, "POST", "/v3/activities/contacts_json_import", body, token);
    if (response.status != 201) state.SkipWithError("import failed");
  }
}
BENCHMARK(BM_Import40kContacts)->Unit(benchmark::kMillisecond)->Iterations(3);

// The share of the import that is only reading the request body.
void BM_Parse40kImportBody(benchmark::State& state) {
  BenchSandbox bench;
  const std::string body = importBody(bench.sandbox, deviceToken(bench.sandbox), 40000, "p-");
  for (auto _ : state) benchmark::DoNotOptimize(json::parse(body));
}
BENCHMARK(BM_Parse40kImportBody)->Unit(benchmark::kMillisecond)->Iterations(3);

// Heap bytes the contacts hold: 100,000 imported contacts, measured as glibc's in-use bytes
// before and after (live data only, whatever the allocator keeps cached).
void BM_HeapPerContact(benchmark::State& state) {
  for (auto _ : state) {
    BenchSandbox bench;
    sandbox::Sandbox& s = bench.sandbox;
    const std::string token = deviceToken(s);
    std::vector<std::string> bodies;
    for (int i = 0; i < 5; ++i) bodies.push_back(importBody(s, token, 20000, std::string("m").append(std::to_string(i)).append("-")));
    const size_t before = mallinfo2().uordblks;
    for (const auto& body : bodies) call(s, "POST", "/v3/activities/contacts_json_import", body, token);
    const size_t after = mallinfo2().uordblks;
    state.counters["bytes_per_contact"] = static_cast<double>(after - before) / 100000.0;
  }
}
BENCHMARK(BM_HeapPerContact)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
