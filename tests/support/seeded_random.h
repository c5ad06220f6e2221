#pragma once
// Reproducible randomness for tests that draw their inputs: the seed comes from
// LIAISON_TEST_SEED when set (to replay a failure), else from the test's full name, so every run
// of a test draws the same stream. The seed is recorded in the test's XML properties and named
// in the trace of any failing assertion.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/random.h"

namespace liaison::testing {

inline uint64_t testSeed() {
  if (const char* fixed = std::getenv("LIAISON_TEST_SEED"); fixed != nullptr && *fixed != '\0') {
    return std::strtoull(fixed, nullptr, 10);
  }
  std::string name = "no-test";
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    name = std::string(info->test_suite_name()) + "." + info->name();
  }
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a: stable across platforms and runs
  for (unsigned char c : name) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

// A SeededRandom for the running test; keep the returned trace alive while drawing so a failure
// names the seed (rerun with LIAISON_TEST_SEED=<seed>).
class TestRandom {
 public:
  TestRandom()
      : seed_(testSeed()),
        random_(seed_),
        trace_(__FILE__, __LINE__, "LIAISON_TEST_SEED=" + std::to_string(seed_)) {
    ::testing::Test::RecordProperty("seed", std::to_string(seed_));
  }
  uint64_t seed() const { return seed_; }
  SeededRandom& random() { return random_; }

 private:
  uint64_t seed_;
  SeededRandom random_;
  ::testing::ScopedTrace trace_;
};

}  // namespace liaison::testing
