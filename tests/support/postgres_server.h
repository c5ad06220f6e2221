#pragma once
// A throwaway PostgreSQL server for tests: `initdb` into a fresh temp directory, `postgres` on a
// free 127.0.0.1 port (trust authentication, fsync off: nothing here needs to survive a crash),
// one fresh database per test. When the test runs as root, initdb and postgres (which refuse root)
// run as the `postgres` system user, which owns the temp directory. The first start keeps its
// freshly made cluster as a template ($TMPDIR/liaison-pg-template-*) that later starts copy
// instead of running initdb again; deleting it is always safe.
//
// Stopped on every path: the destructor (also at exit for shared()) sends SIGINT (fast shutdown)
// and SIGKILL after a deadline; if the test process dies without running it, the kernel sends the
// server SIGQUIT (PR_SET_PDEATHSIG). Every wait has a deadline.
//
// Missing binaries are a failure, not a skip: `make test` installs Debian's `postgresql`
// package (scripts/install-deps.sh test).
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace liaison::storage {
class Database;
}

namespace liaison::testing {

// Where initdb and postgres are: $LIAISON_POSTGRES_BINDIR, else the newest
// /usr/lib/postgresql/<version>/bin (Debian's layout), else nullopt.
std::optional<std::filesystem::path> findPostgresBinaries();

class PostgresServer {
 public:
  // Starts a server; throws std::runtime_error saying what is missing or what failed (with the end
  // of the server's log).
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // The server the tests of one test binary share: started on first use (from the main thread,
  // which the kernel's parent-death signal is tied to), stopped at exit. Throws, every time, if it
  // could not start.
  static PostgresServer& shared();

  // A new, empty database; returns its postgresql:// URL.
  std::string createDatabase();
  std::string url(const std::string& database) const;
  int port() const { return port_; }
  // Stops the server and removes its directory (the destructor does this too).
  void stop();

  std::chrono::milliseconds startDuration() const { return startDuration_; }
  std::chrono::milliseconds stopDuration() const { return stopDuration_; }

  // Who initdb and postgres run as: the `postgres` system user when the test runs as root.
  struct Account {
    bool switchUser = false;
    uid_t uid = 0;
    gid_t gid = 0;
  };

 private:
  void start();
  void runToEnd(const std::vector<std::string>& args, const std::string& name, const Account& account);
  void launch(const std::filesystem::path& bin, const std::filesystem::path& data, const Account& account);

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::mutex mutex_;
  std::unique_ptr<storage::Database> admin_;
  int databases_ = 0;
  std::chrono::milliseconds startDuration_{0};
  std::chrono::milliseconds stopDuration_{0};
};

}  // namespace liaison::testing
