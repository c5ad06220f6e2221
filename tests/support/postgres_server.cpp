#include "support/postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.h"

namespace liaison::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

using Account = PostgresServer::Account;

Account serverAccount() {
  if (::geteuid() != 0) return {};
  const passwd* user = ::getpwnam("postgres");
  if (user == nullptr) {
    throw std::runtime_error(
        "PostgreSQL refuses to run as root and there is no `postgres` system user to run it as; "
        "install Debian's `postgresql` package (scripts/install-deps.sh test) or run the tests as another "
        "user");
  }
  return {true, user->pw_uid, user->pw_gid};
}

std::string tail(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  return text.size() > 2000 ? "…" + text.substr(text.size() - 2000) : text;
}

// Forks and runs `args` with stdout and stderr appended to `log`, as `account`. The child dies
// with `deathSignal` when this process does, so a crashed test leaves no server behind.
pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log, const Account& account,
            int deathSignal) {
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const std::string logPath = log.string();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid > 0) return pid;
  // The child: only async-signal-safe calls until exec.
  const int out = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  const int in = ::open("/dev/null", O_RDONLY);
  if (out < 0 || in < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) ::_exit(126);
  ::close_range(3, ~0U, 0);
  if (account.switchUser &&
      (::setgroups(0, nullptr) != 0 || ::setgid(account.gid) != 0 || ::setuid(account.uid) != 0)) {
    ::_exit(126);
  }
  // After setuid, which clears it.
  if (::prctl(PR_SET_PDEATHSIG, deathSignal) != 0 || ::getppid() != parent) ::_exit(125);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

// The wait status of `pid` once it exits, or nullopt if it still runs at `deadline`.
std::optional<int> waitUntil(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0) return -1;  // not our child any more
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

// Stops `pid` with `signal`, then SIGKILL if it is still running after `grace`.
void terminate(pid_t pid, int signal, milliseconds grace) {
  ::kill(pid, signal);
  if (waitUntil(pid, Clock::now() + grace)) return;
  ::kill(pid, SIGKILL);
  (void)waitUntil(pid, Clock::now() + seconds(10));
}

// A port nothing listens on right now. Another process may take it before postgres binds it;
// start() then tries another.
// Whether `path` is a template cluster that `account` made (not one another user left there).
bool ownTemplate(const std::filesystem::path& path, const Account& account) {
  struct stat info {};
  const uid_t uid = account.switchUser ? account.uid : ::geteuid();
  return ::stat((path / "PG_VERSION").c_str(), &info) == 0 && info.st_uid == uid;
}

int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free TCP port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

std::optional<std::filesystem::path> findPostgresBinaries() {
  namespace fs = std::filesystem;
  auto complete = [](const fs::path& dir) {
    return fs::exists(dir / "initdb") && fs::exists(dir / "postgres");
  };
  if (const char* configured = std::getenv("LIAISON_POSTGRES_BINDIR")) {
    return complete(configured) ? std::optional<fs::path>(configured) : std::nullopt;
  }
  std::vector<std::pair<int, fs::path>> found;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ignored)) {
    const std::string name = entry.path().filename().string();
    if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit) && complete(entry.path() / "bin")) {
      found.emplace_back(std::stoi(name), entry.path() / "bin");
    }
  }
  if (found.empty()) return std::nullopt;
  return std::max_element(found.begin(), found.end())->second;
}

PostgresServer::PostgresServer() {
  const auto started = Clock::now();
  try {
    start();
  } catch (...) {
    stop();  // the destructor does not run for a throwing constructor
    throw;
  }
  startDuration_ = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
}

PostgresServer::~PostgresServer() { stop(); }

PostgresServer& PostgresServer::shared() {
  static std::unique_ptr<PostgresServer> server;
  static std::string failure;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (!server && failure.empty()) {
    try {
      server = std::make_unique<PostgresServer>();
    } catch (const std::exception& e) {
      failure = e.what();
    }
  }
  if (!server) throw std::runtime_error(failure);
  return *server;
}

void PostgresServer::start() {
  const auto bin = findPostgresBinaries();
  if (!bin) {
    const char* configured = std::getenv("LIAISON_POSTGRES_BINDIR");
    throw std::runtime_error(
        std::string("PostgreSQL server binaries (initdb, postgres) not found in ") +
        (configured ? configured + std::string(" ($LIAISON_POSTGRES_BINDIR)")
                    : "/usr/lib/postgresql/<version>/bin") +
        ": install Debian's `postgresql` package (scripts/install-deps.sh test, which `make test` runs)"
        " or set LIAISON_POSTGRES_BINDIR");
  }
  const Account account = serverAccount();
  std::string pattern = (std::filesystem::temp_directory_path() / "liaison-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temp directory");
  dir_ = pattern;
  if (account.switchUser && ::chown(dir_.c_str(), account.uid, account.gid) != 0) {
    throw std::runtime_error("cannot hand " + dir_.string() + " to the postgres user");
  }

  // initdb takes most of a start, and CTest runs each test case in a process of its own: the
  // first start keeps its fresh cluster as a template (in the temp dir, per binaries and user)
  // that later starts copy. It is renamed into place whole, so a half-made one is never used.
  const auto data = dir_ / "data";
  const auto cached = std::filesystem::temp_directory_path() /
                      ("liaison-pg-template-" + std::to_string(std::hash<std::string>{}(bin->string())) +
                       "-" + std::to_string(account.switchUser ? account.uid : ::geteuid()));
  if (ownTemplate(cached, account)) {
    runToEnd({"/bin/cp", "-a", cached.string(), data.string()}, "copy", account);
    try {
      launch(*bin, data, account);
      return;
    } catch (const std::exception&) {
      // A template that no longer starts (a temp cleaner took some of its files) is made again.
      std::error_code ignored;
      std::filesystem::remove_all(cached, ignored);
      std::filesystem::remove_all(data, ignored);
    }
  }
  const auto fresh = dir_ / "fresh";
  runToEnd({(*bin / "initdb").string(), "-D", fresh.string(), "-U", "liaison", "--auth=trust", "-E", "UTF8",
            "--locale=C", "--no-sync", "--no-instructions"},
           "initdb", account);
  std::error_code raced;  // another test process may have published one first: use ours once
  std::filesystem::rename(fresh, cached, raced);
  runToEnd({"/bin/cp", "-a", (raced ? fresh : cached).string(), data.string()}, "copy", account);
  launch(*bin, data, account);
}

// Runs `args` as `account` to its end (within 60 s); throws with its output if it fails.
void PostgresServer::runToEnd(const std::vector<std::string>& args, const std::string& name,
                              const Account& account) {
  const auto log = dir_ / (name + ".log");
  const pid_t pid = spawn(args, log, account, SIGKILL);
  const auto status = waitUntil(pid, Clock::now() + seconds(60));
  if (!status) terminate(pid, SIGKILL, milliseconds(0));
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    throw std::runtime_error(name + " failed" + (status ? "" : " to finish within 60 s") + ":\n" + tail(log));
  }
}

// Starts postgres on `data` and waits until it accepts connections (within 30 s).
void PostgresServer::launch(const std::filesystem::path& bin, const std::filesystem::path& data,
                            const Account& account) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = freePort();
    const auto log = dir_ / ("server-" + std::to_string(attempt) + ".log");
    pid_ = spawn(
        {(bin / "postgres").string(), "-D", data.string(), "-p", std::to_string(port_), "-k", dir_.string(),
         "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
         "full_page_writes=off", "-c", "shared_buffers=16MB", "-c", "max_connections=50"},
        log, account, SIGQUIT);
    const std::string probe =
        "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=postgres user=liaison connect_timeout=2";
    const auto deadline = Clock::now() + seconds(30);
    while (PQping(probe.c_str()) != PQPING_OK) {
      if (waitUntil(pid_, Clock::now())) {  // it exited: most likely someone took the port
        pid_ = -1;
        break;
      }
      if (Clock::now() >= deadline) {
        terminate(pid_, SIGQUIT, seconds(10));
        pid_ = -1;
        throw std::runtime_error("PostgreSQL did not accept connections within 30 s:\n" + tail(log));
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    if (pid_ > 0) return;
    if (tail(log).find("could not bind") == std::string::npos) {
      throw std::runtime_error("PostgreSQL exited at start:\n" + tail(log));
    }
  }
  throw std::runtime_error("PostgreSQL found no free port in 5 attempts");
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgresql://liaison@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::createDatabase() {
  std::lock_guard lock(mutex_);
  if (!admin_) admin_ = storage::openDatabase(url("postgres"), {});
  const std::string name = "test_" + std::to_string(databases_++);
  admin_->exec("CREATE DATABASE " + name);
  return url(name);
}

void PostgresServer::stop() {
  if (pid_ <= 0 && dir_.empty()) return;
  const auto started = Clock::now();
  admin_.reset();
  if (pid_ > 0) {
    terminate(pid_, SIGINT, seconds(30));  // SIGINT: fast shutdown, which ends open sessions
    pid_ = -1;
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    dir_.clear();
  }
  stopDuration_ = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
}

}  // namespace liaison::testing
