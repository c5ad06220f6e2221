#include "app/run_client.h"

#include <unistd.h>

#include <iostream>
#include <thread>
#include <type_traits>

#include "cli/commands.h"

namespace liaison::app {

std::optional<int> runClientVerb(const cli::Command& command) {
  return std::visit(
      [](const auto& verb) -> std::optional<int> {
        using Verb = std::decay_t<decltype(verb)>;
        constexpr bool is_client_verb =
            std::is_same_v<Verb, cli::ConnectCommand> || std::is_same_v<Verb, cli::ConnectionsCommand> ||
            std::is_same_v<Verb, cli::StatusCommand> || std::is_same_v<Verb, cli::DisconnectCommand> ||
            std::is_same_v<Verb, cli::SyncCommand>;
        if constexpr (!is_client_verb) {
          return std::nullopt;
        } else {
          auto http = http::makeCurlHttpClient();
          cli::HubClient hub(*http, verb.hub.url, verb.hub.key);
          SystemClock clock;
          cli::Terminal terminal{std::cout, std::cerr, ::isatty(STDOUT_FILENO) == 1, clock,
                                 [](std::chrono::seconds wait) { std::this_thread::sleep_for(wait); }};
          if constexpr (std::is_same_v<Verb, cli::ConnectCommand>)
            return cli::runConnect(hub, verb, terminal);
          if constexpr (std::is_same_v<Verb, cli::ConnectionsCommand>)
            return cli::runConnections(hub, verb, terminal);
          if constexpr (std::is_same_v<Verb, cli::StatusCommand>) return cli::runStatus(hub, verb, terminal);
          if constexpr (std::is_same_v<Verb, cli::DisconnectCommand>)
            return cli::runDisconnect(hub, verb, terminal);
          if constexpr (std::is_same_v<Verb, cli::SyncCommand>) return cli::runSync(hub, verb, terminal);
        }
      },
      command);
}

}  // namespace liaison::app
