// The storage contract on SQLite: a fresh file in the test's temp directory.
#include "storage/database_contract.h"

namespace liaison::storage::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Store, DatabaseContract,
                         ::testing::Values(StoreUnderTest{"Sqlite",
                                                          [](const ::liaison::testing::TempDir& dir) {
                                                            return dir.file("store.sqlite3");
                                                          }}),
                         storeName);

}  // namespace
}  // namespace liaison::storage::testing
