#pragma once
#include "cli/cli.h"

namespace liaison::app {

// Runs the sandbox until SIGINT/SIGTERM. `banner` prints the URL and demo credentials.
int runSandbox(const cli::SandboxCommand& options, bool banner);

}  // namespace liaison::app
