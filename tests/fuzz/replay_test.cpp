// Replays the fuzz corpus (tests/fuzz/corpus) through the libFuzzer entry point in the normal
// build, so every input ever found interesting keeps being checked by `make test`.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(FuzzCorpus, EveryInputIsAnsweredWithoutAServerErrorOrStateChange) {
  const std::filesystem::path corpus = LIAISON_FUZZ_CORPUS;
  size_t replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    std::ifstream file(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());  // aborts on a failure
    ++replayed;
  }
  EXPECT_GT(replayed, 20u) << "the corpus at " << corpus << " is missing";
}

}  // namespace
