#pragma once
// `liaison serve`, `liaison keys …` and `liaison vault …`: settings loaded, the hub built, the
// verb run. Start-up failures throw with one line naming what is wrong.
#include "cli/cli.h"

namespace liaison::app {

int runServe(const cli::ServeCommand& command);
int runKeys(const cli::KeysCommand& command);
int runVault(const cli::VaultCommand& command);

}  // namespace liaison::app
