#pragma once
// Where a test keeps the hub's store. Store tests are registered twice in CTest (liaison_test's
// BOTH_STORES): as themselves, on a SQLite file, and as `postgres.<test>` with
// LIAISON_TEST_STORE=postgresql, on a fresh database of the test binary's own PostgreSQL server
// (support/postgres_server.h). One test body, both backends.
#include <filesystem>
#include <string>

namespace liaison::testing {

// Whether this run keeps stores on PostgreSQL (LIAISON_TEST_STORE=postgresql).
bool testStoreIsPostgres();

// `sqlite_file`, or a new empty PostgreSQL database's URL. Call once per store a test needs and
// pass the answer to everything that opens that store (several hub "processes", a restart).
std::string testStoreLocation(const std::filesystem::path& sqlite_file);

}  // namespace liaison::testing
