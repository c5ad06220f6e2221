#pragma once
// The verbs that talk to a running hub (connect, connections, status, disconnect), wired to the
// real world: libcurl, the system clock, real waits, this process's stdout and stderr.
#include <optional>

#include "cli/cli.h"

namespace liaison::app {

// The verb's exit code when `command` is one of those verbs; nullopt for any other.
std::optional<int> runClientVerb(const cli::Command& command);

}  // namespace liaison::app
