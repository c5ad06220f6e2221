// Access-token verification cost in the API layer: RS256 signature check alone, the full check
// without the cache (signature + claims + revocation), and the cached path every API call takes.
#include <benchmark/benchmark.h>

#include "core/clock.h"
#include "core/random.h"
#include "crypto/jwt.h"
#include "sandbox/auth/auth_server.h"

namespace {

using namespace liaison;

struct Fixture {
  Fixture() : random(), clock(fromUnixSeconds(1'800'000'000)),
              auth(sandbox::AuthSettings{}, clock, random, nullptr, sandbox::SeedKind::Demo) {
    auto app = auth.findApp("sandbox-public");
    auto start = auth.startDevice(*app, {"account_read"});
    auto user = auth.findUserByEmail("owner@sandbox.test");
    (void)auth.decideDevice(auth.findDeviceByUserCode(start->user_code)->device_hash, *user, true);
    token = auth.pollDevice(*app, start->device_code)->access_token;
  }
  CryptoRandom random;
  ManualClock clock;
  sandbox::AuthServer auth;
  std::string token;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_Rs256SignatureOnly(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(crypto::verifyJwtSignature(f.auth.signingKey(), f.token));
}
BENCHMARK(BM_Rs256SignatureOnly);

void BM_VerifyAccessTokenUncached(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    f.auth.clearVerificationCache();
    benchmark::DoNotOptimize(f.auth.verifyAccessToken(f.token));
  }
}
BENCHMARK(BM_VerifyAccessTokenUncached);

void BM_VerifyAccessTokenCached(benchmark::State& state) {
  auto& f = fixture();
  (void)f.auth.verifyAccessToken(f.token);
  for (auto _ : state) benchmark::DoNotOptimize(f.auth.verifyAccessToken(f.token));
}
BENCHMARK(BM_VerifyAccessTokenCached)->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
