// Micro-benchmarks of the hub's vault: sealing and opening one token-sized secret (a CC access
// token is a ~900-byte JWT) with AES-256-GCM and its row/field binding.
#include <benchmark/benchmark.h>

#include <memory>

#include "core/random.h"
#include "hub/vault/data_key_repository.h"
#include "hub/vault/key_encryption_key.h"
#include "hub/vault/vault.h"

namespace {

using namespace liaison;

struct Fixture {
  CryptoRandom random;
  hub::MemoryDataKeyRepository repository;
  std::unique_ptr<hub::Vault> vault;
  Fixture() {
    auto opened = hub::Vault::open(repository, hub::generateKeyEncryptionKey(random), random);
    if (!opened) throw std::runtime_error(opened.error().message);
    vault = std::move(*opened);
  }
};

void BM_VaultSeal(benchmark::State& state) {
  Fixture f;
  const Secret token(std::string(static_cast<size_t>(state.range(0)), 'a'));
  for (auto _ : state) {
    auto sealed = f.vault->seal(token, "connections/conn_1/access_token");
    if (!sealed) state.SkipWithError("seal failed");
    benchmark::DoNotOptimize(sealed);
  }
}
BENCHMARK(BM_VaultSeal)->Arg(64)->Arg(900);

void BM_VaultOpen(benchmark::State& state) {
  Fixture f;
  const Secret token(std::string(static_cast<size_t>(state.range(0)), 'a'));
  const std::string sealed = *f.vault->seal(token, "connections/conn_1/access_token");
  for (auto _ : state) {
    auto opened = f.vault->open(sealed, "connections/conn_1/access_token");
    if (!opened) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(opened);
  }
}
BENCHMARK(BM_VaultOpen)->Arg(64)->Arg(900);

}  // namespace

BENCHMARK_MAIN();
