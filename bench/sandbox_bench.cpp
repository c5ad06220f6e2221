// Sandbox handler costs without sockets, in memory: POST /__sandbox/reset with 10,000 contacts
// in the demo account (each iteration imports them again outside the timed region), a
// 40,000-contact JSON import (body parsing included), heap per contact, and the email filter of
// GET /v3/contacts at 1,000 and 100,000 contacts. Every setup step checks its result (status,
// and the number of contacts the account holds afterwards) and fails the benchmark otherwise.
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <algorithm>
#include <map>
#include <memory>

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

// An access token for the demo owner through the device flow; empty when a step fails.
std::string deviceToken(sandbox::Sandbox& s) {
  http::Request start;
  start.method = "POST";
  start.target = "/oauth2/default/v1/device/authorize";
  start.body = "client_id=sandbox-public&scope=contact_data";
  start.headers.set("Content-Type", "application/x-www-form-urlencoded");
  const auto started = s.handle(start);
  if (started.status != 200) return "";
  const json device = json::parse(started.body);
  if (call(s, "POST", "/__sandbox/device/approve", json{{"user_code", device["user_code"]}}.dump()).status !=
      200)
    return "";
  http::Request poll = start;
  poll.target = "/oauth2/default/v1/token";
  poll.body = "client_id=sandbox-public&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=" +
              device["device_code"].get<std::string>();
  const auto tokens = s.handle(poll);
  if (tokens.status != 200) return "";
  return json::parse(tokens.body).value("access_token", "");
}

// The import body for `contacts` new addresses (PREFIX<i>@bench.test) into a new list; empty when
// the list cannot be created.
std::string importBody(sandbox::Sandbox& s, const std::string& token, int contacts, const std::string& prefix) {
  const auto created = call(s, "POST", "/v3/contact_lists", json{{"name", "Bench " + prefix}}.dump(), token);
  if (created.status != 201) return "";
  const json list = json::parse(created.body);
  json rows = json::array();
  for (int i = 0; i < contacts; ++i) {
    rows.push_back({{"email", prefix + std::to_string(i) + "@bench.test"}, {"first_name", "Bench"},
                    {"last_name", std::to_string(i)}});
  }
  return json{{"import_data", rows}, {"list_ids", {list["list_id"]}}}.dump();
}

// Every contact of the account, deleted ones included (GET /v3/contacts?include_count=true); -1
// when the call fails.
long contactCount(sandbox::Sandbox& s, const std::string& token) {
  const auto page = call(s, "GET", "/v3/contacts?status=all&limit=1&include_count=true", "", token);
  if (page.status != 200) return -1;
  return json::parse(page.body).value("contacts_count", -1L);
}

// Imports `bodies` (each answering 201) and checks that the account then holds `expected` more
// contacts; empty, or what went wrong.
std::string importAll(sandbox::Sandbox& s, const std::string& token, const std::vector<std::string>& bodies,
                      long expected) {
  const long before = contactCount(s, token);
  if (before < 0) return "counting contacts failed";
  for (const auto& body : bodies) {
    if (body.empty()) return "creating the import's list failed";
    const auto response = call(s, "POST", "/v3/activities/contacts_json_import", body, token);
    if (response.status != 201)
      return "import answered " + std::to_string(response.status) + ": " + response.body;
  }
  const long after = contactCount(s, token);
  if (after - before != expected) {
    return "the account holds " + std::to_string(after - before) + " new contacts, not " +
           std::to_string(expected);
  }
  return "";
}

// Adds `contacts` new contacts (PREFIX<i>@bench.test) in imports of at most 40,000 (CC's limit)
// and checks they all arrived; empty, or what went wrong.
std::string fill(sandbox::Sandbox& s, const std::string& token, int contacts, const std::string& prefix) {
  if (token.empty()) return "no access token";
  std::vector<std::string> bodies;
  for (int done = 0, part = 0; done < contacts; ++part) {
    const int n = std::min(40000, contacts - done);
    bodies.push_back(importBody(s, token, n, prefix + std::to_string(part) + "-"));
    done += n;
  }
  return importAll(s, token, bodies, contacts);
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
    if (auto error = fill(s, deviceToken(s), 10000, "r"); !error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
    state.ResumeTiming();
    auto response = call(s, "POST", "/__sandbox/reset", "{}");
    if (response.status != 200) {
      state.SkipWithError("reset failed");
      break;
    }
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
    const long before = contactCount(s, token);
    state.ResumeTiming();
    auto response = call(s, "POST", "/v3/activities/contacts_json_import", body, token);
    state.PauseTiming();
    if (response.status != 201 || contactCount(s, token) - before != 40000) {
      state.SkipWithError("the import did not answer 201 with 40,000 new contacts");
      break;
    }
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Import40kContacts)->Unit(benchmark::kMillisecond)->Iterations(3);

// The share of the import that is only reading the request body.
void BM_Parse40kImportBody(benchmark::State& state) {
  BenchSandbox bench;
  const std::string body = importBody(bench.sandbox, deviceToken(bench.sandbox), 40000, "p-");
  if (json::parse(body, nullptr, false)["import_data"].size() != 40000) state.SkipWithError("no import body");
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
    const std::string error = token.empty() ? "no access token" : importAll(s, token, bodies, 100000);
    const size_t after = mallinfo2().uordblks;
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
    state.counters["bytes_per_contact"] = static_cast<double>(after - before) / 100000.0;
  }
}
BENCHMARK(BM_HeapPerContact)->Unit(benchmark::kMillisecond)->Iterations(1);

// GET /v3/contacts?email= in an account of 1,000 and of 100,000 contacts: the email index names
// the one contact that can match, so the cost must not grow with the account. Variants: a hit;
// a hit with include_count=true&status=all (counting must not walk either); a miss.
sandbox::Sandbox& filledSandbox(int contacts, std::string& token) {
  static std::map<int, std::pair<std::unique_ptr<BenchSandbox>, std::string>> filled;
  auto& [bench, bench_token] = filled[contacts];
  if (!bench) {
    bench = std::make_unique<BenchSandbox>();
    bench_token = deviceToken(bench->sandbox);
    if (auto error = fill(bench->sandbox, bench_token, contacts, "e"); !error.empty())
      bench_token = "!" + error;
  }
  token = bench_token;
  return bench->sandbox;
}

void BM_EmailFilter(benchmark::State& state) {
  const int contacts = static_cast<int>(state.range(0));
  const int variant = static_cast<int>(state.range(1));
  std::string token;
  sandbox::Sandbox& s = filledSandbox(contacts, token);
  if (token.empty() || token[0] == '!') {
    state.SkipWithError(token.empty() ? "no access token" : token.c_str() + 1);
    return;
  }
  // A contact in the middle of the account (imports name them e<part>-<i>, 40,000 per part).
  const int middle = contacts / 2;
  const std::string address =
      "e" + std::to_string(middle / 40000) + "-" + std::to_string(middle % 40000) + "%40bench.test";
  const std::string target = variant == 2 ? "/v3/contacts?email=nobody%40bench.test"
                             : variant == 1
                                 ? "/v3/contacts?email=" + address + "&include_count=true&status=all"
                                 : "/v3/contacts?email=" + address;
  state.SetLabel(variant == 2 ? "miss" : variant == 1 ? "hit, include_count=true&status=all" : "hit");
  // The answer is checked once before timing: one contact (none for the miss), counted right.
  const auto first = call(s, "GET", target, "", token);
  const json page = json::parse(first.body, nullptr, false);
  const size_t want = variant == 2 ? 0 : 1;
  if (first.status != 200 || !page.is_object() || page["contacts"].size() != want ||
      (variant == 1 && page.value("contacts_count", -1) != 1)) {
    state.SkipWithError(("unexpected answer: " + first.body.substr(0, 200)).c_str());
    return;
  }
  for (auto _ : state) {
    const auto response = call(s, "GET", target, "", token);
    if (response.status != 200) {
      state.SkipWithError("the filter did not answer 200");
      break;
    }
  }
}
BENCHMARK(BM_EmailFilter)
    ->ArgNames({"contacts", "variant"})
    ->ArgsProduct({{1000, 100000}, {0, 1, 2}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
