#include "app/process_holder.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace liaison::app {

namespace {

std::string hostName() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace

std::string processHolder() { return hostName() + ":" + std::to_string(::getpid()); }

bool holderGone(std::string_view holder) {
  const size_t colon = holder.rfind(':');
  if (colon == std::string_view::npos || holder.substr(0, colon) != hostName()) return false;
  pid_t pid = 0;
  const std::string_view digits = holder.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (ec != std::errc() || end != digits.data() + digits.size() || pid <= 0) return false;
  return ::kill(pid, 0) == -1 && errno == ESRCH;
}

}  // namespace liaison::app
