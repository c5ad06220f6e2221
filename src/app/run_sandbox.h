#pragma once
#include <memory>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/random.h"
#include "sandbox/sandbox.h"
#include "storage/document_store.h"

namespace liaison::app {

// A sandbox built from its command-line options: state in `<data>/sandbox.sqlite3` (directory
// made 0700) or in memory, and the fixture applied on first start. Throws at start-up.
struct SandboxInstance {
  std::unique_ptr<storage::DocumentStore> store;
  std::unique_ptr<sandbox::Sandbox> sandbox;
};
SandboxInstance openSandbox(const cli::SandboxCommand& options, const Clock& clock, RandomSource& random);

// Runs the sandbox until SIGINT/SIGTERM. `banner` prints the URL and demo credentials.
int runSandbox(const cli::SandboxCommand& options, bool banner);

}  // namespace liaison::app
