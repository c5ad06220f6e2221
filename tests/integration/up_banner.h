#pragma once
// What `liaison up` prints when it is ready: the hub URL, the hub API key (first start only) and
// the ready curl lines. Read by the process tests that start it.
#include <cctype>
#include <string>
#include <vector>

#include "integration/child_process.h"

namespace liaison::testing {

struct UpBanner {
  std::string hub;
  std::string key;  // empty when not shown
  std::vector<std::string> curl_lines;
};

inline UpBanner readUpBanner(ChildProcess& up) {
  UpBanner out;
  for (int i = 0; i < 12; ++i) {
    const std::string line = up.readLine(std::chrono::seconds(60));
    if (line.empty() || line.starts_with("Press Ctrl+C")) break;
    if (line.find("Hub:") != std::string::npos) {
      const auto at = line.find("http://");
      out.hub = line.substr(at, line.find(' ', at) - at);
    }
    if (const auto at = line.find("lsk_");
        at != std::string::npos && line.find("Hub API key") != std::string::npos) {
      out.key = line.substr(at);
      while (!out.key.empty() && std::isspace(static_cast<unsigned char>(out.key.back()))) out.key.pop_back();
    }
    if (line.find("curl -s") != std::string::npos) out.curl_lines.push_back(line);
  }
  return out;
}

}  // namespace liaison::testing
