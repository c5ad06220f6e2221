#pragma once
// The storage contract: every test written against DatabaseContract runs on each store the test
// binary instantiates it for (SQLite in storage_test, PostgreSQL in storage_postgres_test), so
// repository code written once behaves the same on both.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "storage/database.h"
#include "support/temp_dir.h"

namespace liaison::storage::testing {

struct StoreUnderTest {
  std::string name;
  // A location (SQLite path or PostgreSQL URL) no other test uses; `dir` is the test's temp dir.
  std::function<std::string(const ::liaison::testing::TempDir& dir)> freshLocation;
};

// gtest prints the parameter by its name instead of its bytes.
inline void PrintTo(const StoreUnderTest& store, std::ostream* out) { *out << store.name; }

inline std::string storeName(const ::testing::TestParamInfo<StoreUnderTest>& info) { return info.param.name; }

class DatabaseContract : public ::testing::TestWithParam<StoreUnderTest> {
 protected:
  void SetUp() override { location_ = GetParam().freshLocation(dir_); }

  // A new connection to this test's store; each one is used by one thread at a time.
  std::unique_ptr<Database> open(std::span<const Migration> migrations = {}) {
    return openDatabase(location_, migrations);
  }

  ::liaison::testing::TempDir dir_;
  std::string location_;
};

// The first column of every row `sql` returns, as integers.
inline std::vector<int64_t> column(Database& db, const std::string& sql) {
  std::vector<int64_t> out;
  Statement stmt(db, sql);
  while (stmt.step()) out.push_back(stmt.columnInt(0));
  return out;
}

}  // namespace liaison::storage::testing
