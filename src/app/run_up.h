#pragma once
#include "cli/cli.h"

namespace liaison::app {

// `liaison up`: the sandbox as CC and the hub in one process, on embedded defaults, with the
// demo account connected. Runs until SIGINT/SIGTERM.
int runUp(const cli::UpCommand& command);

}  // namespace liaison::app
