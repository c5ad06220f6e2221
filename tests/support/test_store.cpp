#include "support/test_store.h"

#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "support/postgres_server.h"

namespace liaison::testing {

bool testStoreIsPostgres() {
  const char* store = std::getenv("LIAISON_TEST_STORE");
  if (store == nullptr || std::string_view(store).empty() || std::string_view(store) == "sqlite")
    return false;
  if (std::string_view(store) == "postgresql") return true;
  throw std::runtime_error("LIAISON_TEST_STORE must be sqlite or postgresql, not " + std::string(store));
}

std::string testStoreLocation(const std::filesystem::path& sqlite_file) {
  if (!testStoreIsPostgres()) return sqlite_file.string();
  return PostgresServer::shared().createDatabase();
}

}  // namespace liaison::testing
