#pragma once
// The `liaison` command line: verbs, their options and validation. Parsing only; app/ runs
// what was asked.
#include <optional>
#include <string>
#include <variant>

namespace liaison::cli {

struct SandboxCommand {
  std::string host = "127.0.0.1";
  uint16_t port = 8600;
  std::string data_dir;        // empty: in-memory state
  std::string profile = "strict";  // strict | fast
  std::string seed = "demo";       // demo | bare | empty
  std::string fixture;             // snapshot JSON applied on first start; empty: none
  int device_code_lifetime_s = 300;
  std::string log_level = "info";
};

// `liaison up`: everything on embedded defaults. Today that is the sandbox with demo data.
struct UpCommand {
  SandboxCommand sandbox;
};

using Command = std::variant<SandboxCommand, UpCommand>;

struct ParseOutcome {
  std::optional<Command> command;  // empty when the process should exit (help, version, error)
  int exit_code = 0;
};

ParseOutcome parseCommandLine(int argc, char** argv);

// "HOST:PORT", "[v6]:PORT" or ":PORT". False when malformed.
bool parseListen(const std::string& text, std::string& host, uint16_t& port);

}  // namespace liaison::cli
