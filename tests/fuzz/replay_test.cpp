// Replays the fuzz corpus (tests/fuzz/corpus) through the libFuzzer entry point in the normal
// build, so every input ever found interesting keeps being checked by `make test`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
std::string takeFuzzFailure();  // sandbox_fuzz_target.cpp, built with LIAISON_FUZZ_REPLAY

namespace {

TEST(FuzzCorpus, EveryInputIsAnsweredWithoutAServerErrorOrStateChange) {
  const std::filesystem::path corpus = LIAISON_FUZZ_CORPUS;
  std::vector<std::filesystem::path> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) inputs.push_back(entry.path());
  std::sort(inputs.begin(), inputs.end());  // one order on every machine, so a failure repeats
  for (const auto& path : inputs) {
    std::ifstream file(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    if (const std::string why = takeFuzzFailure(); !why.empty()) {
      ADD_FAILURE() << "input " << path.filename().string() << ": " << why;
    }
  }
  EXPECT_GT(inputs.size(), 20u) << "the corpus at " << corpus << " is missing";
}

}  // namespace
