#pragma once
// The terminal verbs that talk to a running hub: connect, connections, status, disconnect, sync. Only
// calls to the hub's REST API and their rendering; the hub decides everything. Time comes through
// the Terminal's clock and waits through its `sleep`, so tests run the whole polling loop at once.
#include <chrono>
#include <functional>
#include <ostream>

#include "cli/cli.h"
#include "cli/hub_client.h"
#include "core/clock.h"

namespace liaison::cli {

// Exit codes of the client verbs, stable for scripts.
enum ClientExit : int {
  kExitOk = 0,
  kExitRejected = 1,  // the hub refused the request (unknown id, invalid input)
  kExitNoHub = 2,     // the hub could not be reached, refused the key, or failed
  kExitDenied = 3,    // connect: the account's user said no
  kExitExpired = 4,   // connect: the code or link expired unanswered
  kExitFailed = 5,    // connect: CC or the hub could not finish the connection; sync run: the run failed
  kExitHeld = 6,      // sync run/approve: the guard held the run until a person approves it
};

struct Terminal {
  std::ostream& out;
  std::ostream& err;
  bool is_tty = false;  // stdout is a terminal: redraw a live countdown in place
  const Clock& clock;
  std::function<void(std::chrono::seconds)> sleep;
};

int runConnect(HubClient& hub, const ConnectCommand& command, Terminal& terminal);
int runConnections(HubClient& hub, const ConnectionsCommand& command, Terminal& terminal);
int runStatus(HubClient& hub, const StatusCommand& command, Terminal& terminal);
int runDisconnect(HubClient& hub, const DisconnectCommand& command, Terminal& terminal);
int runSync(HubClient& hub, const SyncCommand& command, Terminal& terminal);

// Shared by the verbs: the one-line warning for a key given with --key.
void warnAboutKeyOnCommandLine(const HubAccess& access, Terminal& terminal);
// Prints the hub's message and remedy to err; returns the verb's exit code for it.
int reportProblem(const HubProblem& problem, Terminal& terminal);
// For a 2xx answer of the wrong shape (--hub points at something else): exit kExitNoHub.
int reportMisunderstood(Terminal& terminal);

}  // namespace liaison::cli
