// liaison: one binary, one verb per job.
#include <cstdio>
#include <exception>

#include "app/run_client.h"
#include "app/run_hub.h"
#include "app/run_sandbox.h"
#include "app/run_up.h"
#include "cli/cli.h"

int main(int argc, char** argv) {
  auto outcome = liaison::cli::parseCommandLine(argc, argv);
  if (!outcome.command) return outcome.exit_code;
  try {
    if (auto exit_code = liaison::app::runClientVerb(*outcome.command)) return *exit_code;
    if (auto* sandbox = std::get_if<liaison::cli::SandboxCommand>(&*outcome.command)) {
      return liaison::app::runSandbox(*sandbox, true);
    }
    if (auto* serve = std::get_if<liaison::cli::ServeCommand>(&*outcome.command))
      return liaison::app::runServe(*serve);
    if (auto* keys = std::get_if<liaison::cli::KeysCommand>(&*outcome.command))
      return liaison::app::runKeys(*keys);
    if (auto* vault = std::get_if<liaison::cli::VaultCommand>(&*outcome.command))
      return liaison::app::runVault(*vault);
    return liaison::app::runUp(std::get<liaison::cli::UpCommand>(*outcome.command));
  } catch (const std::exception& e) {
    // Start-up failures (address in use, unwritable data directory) end here.
    std::fprintf(stderr, "liaison: %s\n", e.what());
    return 1;
  }
}
