// The rate ledger's tests run on PostgreSQL here: a fresh database per test on the server this
// test binary shares (support/postgres_server.h).
#include "hub/budget/ledger_store.h"
#include "support/postgres_server.h"

namespace liaison::hub::testing {

std::vector<LedgerStore> ledgerStores() {
  return {{"Postgres", [](const ::liaison::testing::TempDir&) {
             return ::liaison::testing::PostgresServer::shared().createDatabase();
           }}};
}

}  // namespace liaison::hub::testing
