// T21 for a CSV side: the write, fsync or rename of a file replacement fails (its Nth call, once
// or from then on, as EIO or ENOSPC). This binary is linked with -Wl,--wrap for those three calls,
// so the code under test calls the shims below. Must: the apply reports the error and the file is
// exactly as it was, with no temporary file left beside it; once the disk behaves, the same apply
// succeeds. A failed fsync of the directory (after the rename) is not an error: the new file is
// in place.
#include <gtest/gtest.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>

#include "support/temp_dir.h"
#include "sync/connectors/csv_table.h"

extern "C" {
ssize_t __real_write(int fd, const void* data, size_t size);
int __real_fsync(int fd);
int __real_rename(const char* from, const char* to);
}

namespace {

struct Faults {
  std::string call;  // "write", "fsync" or "rename"; "" counts only
  int nth = 0;
  bool forever = false;
  int error = EIO;
  std::map<std::string, int> seen;
  bool armed = false;
} g_faults;

bool fails(const char* call) {
  if (!g_faults.armed) return false;
  const int n = ++g_faults.seen[call];
  if (g_faults.call != call) return false;
  if (n == g_faults.nth || (g_faults.forever && n > g_faults.nth)) {
    errno = g_faults.error;
    return true;
  }
  return false;
}

}  // namespace

extern "C" {
ssize_t __wrap_write(int fd, const void* data, size_t size) {
  return fails("write") ? -1 : __real_write(fd, data, size);
}
int __wrap_fsync(int fd) { return fails("fsync") ? -1 : __real_fsync(fd); }
int __wrap_rename(const char* from, const char* to) { return fails("rename") ? -1 : __real_rename(from, to); }
}

namespace {

using liaison::sync::CsvTable;
using liaison::sync::RowWrite;

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// `bytes` written to `path`, opened as a CSV side and read (a replacement needs a read first).
std::unique_ptr<CsvTable> readTable(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  auto table = CsvTable::open({.path = path});
  EXPECT_TRUE(table.ok());
  if (!table.ok() || !(*table)->readAll().ok()) return nullptr;
  return std::move(*table);
}

struct Case {
  const char* call;
  bool forever;
  int error;
};

void PrintTo(const Case& c, std::ostream* out) {
  *out << c.call << (c.forever ? " failing for ever with " : " failing once with ")
       << (c.error == ENOSPC ? "ENOSPC" : "EIO");
}

class CsvFileFaults : public ::testing::TestWithParam<Case> {};

TEST_P(CsvFileFaults, AFailedReplacementLeavesTheFileAsItWas) {
  const Case c = GetParam();
  std::string original = "email,name\n";
  for (int i = 0; i < 500; ++i)
    original += "p" + std::to_string(i) + "@x.io,Person " + std::to_string(i) + "\n";
  const std::vector<RowWrite> writes = {
      {RowWrite::Kind::Update, "p7@x.io", {{"name", "Seven"}}},
      {RowWrite::Kind::Create, "", {{"email", "new@x.io"}, {"name", "New"}}}};

  // The calls a clean replacement makes, and the file it leaves.
  liaison::testing::TempDir clean_dir;
  const std::string clean_path = clean_dir.file("people.csv");
  auto clean = readTable(clean_path, original);
  ASSERT_TRUE(clean);
  g_faults = Faults{};
  g_faults.armed = true;
  ASSERT_TRUE(clean->apply(writes).ok());
  g_faults.armed = false;
  const std::string wanted = readBytes(clean_path);
  const int calls = g_faults.seen[c.call];
  ASSERT_GE(calls, 1) << c.call;

  for (int nth = 1; nth <= calls; ++nth) {
    SCOPED_TRACE(std::string(c.call) + " #" + std::to_string(nth) + " of " + std::to_string(calls));
    liaison::testing::TempDir dir;
    const std::string path = dir.file("people.csv");
    auto table = readTable(path, original);
    ASSERT_TRUE(table);
    g_faults = Faults{c.call, nth, c.forever, c.error};
    g_faults.armed = true;
    auto applied = table->apply(writes);
    g_faults.armed = false;
    // The second fsync is the directory's, after the rename: the new file is already in place.
    const bool after_rename = std::string(c.call) == "fsync" && nth == 2;
    if (after_rename) {
      EXPECT_TRUE(applied.ok());
      EXPECT_EQ(readBytes(path), wanted);
      continue;
    }
    ASSERT_FALSE(applied.ok()) << "the failure was not reported";
    EXPECT_NE(applied.error().message.find(path), std::string::npos) << applied.error().message;
    EXPECT_EQ(readBytes(path), original) << "the file changed";
    size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++files;
    EXPECT_EQ(files, 1u) << "a temporary file was left";
    // The disk behaves again: the same writes go through.
    ASSERT_TRUE(table->readAll().ok());
    auto again = table->apply(writes);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(readBytes(path), wanted);
  }
}

INSTANTIATE_TEST_SUITE_P(T21, CsvFileFaults,
                         ::testing::Values(Case{"write", false, EIO}, Case{"write", true, ENOSPC},
                                           Case{"fsync", false, EIO}, Case{"fsync", true, EIO},
                                           Case{"rename", false, EIO}, Case{"rename", true, ENOSPC}),
                         [](const auto& info) {
                           return std::string(info.param.call) + (info.param.forever ? "_forever" : "_once") +
                                  (info.param.error == ENOSPC ? "_full" : "_io");
                         });

}  // namespace
