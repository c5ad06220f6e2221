// The storage contract on PostgreSQL: a fresh database per test on the server this test binary
// shares (support/postgres_server.h).
#include "storage/database_contract.h"
#include "support/postgres_server.h"

namespace liaison::storage::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Store, DatabaseContract,
                         ::testing::Values(StoreUnderTest{
                             "Postgres",
                             [](const ::liaison::testing::TempDir&) {
                               return ::liaison::testing::PostgresServer::shared().createDatabase();
                             }}),
                         storeName);

}  // namespace
}  // namespace liaison::storage::testing
