#pragma once
// Process-wide logging set-up. Log lines never carry secrets: callers log identifiers
// (client_id, request id, path without query), never tokens, codes or passwords.
#include <string>

namespace liaison {

// level: trace|debug|info|warn|error|off
void configureLogging(const std::string& level);

}  // namespace liaison
