// The rate ledger's tests run on SQLite here: a fresh hub database file in the test's temp dir.
#include "hub/budget/ledger_store.h"

namespace liaison::hub::testing {

std::vector<LedgerStore> ledgerStores() {
  return {{"Sqlite", [](const ::liaison::testing::TempDir& dir) { return dir.file("hub.db"); }}};
}

}  // namespace liaison::hub::testing
