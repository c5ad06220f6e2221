#pragma once
// The client verbs against a scripted hub, on a ManualClock that each wait moves forward: a whole
// connect loop runs in microseconds and every wait is recorded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <vector>

#include "cli/commands.h"
#include "cli/scripted_http_client.h"
#include "core/clock.h"

namespace liaison::testing {

inline TimePoint at(const std::string& iso) {
  TimePoint t;
  EXPECT_TRUE(parseIso8601(iso, t)) << iso;
  return t;
}

class CliTest : public ::testing::Test {
 protected:
  static constexpr const char* kHub = "http://hub.test:8700";
  static constexpr const char* kKey = "lsk_test_key_4f1c9a";

  cli::Terminal terminal(bool is_tty = false) {
    return cli::Terminal{out_, err_, is_tty, clock_, [this](std::chrono::seconds wait) {
                           waits_.push_back(wait);
                           clock_.advance(wait);
                         }};
  }
  cli::HubAccess access(bool key_on_command_line = false) {
    return cli::HubAccess{kHub, kKey, key_on_command_line};
  }

  ScriptedHttpClient http_;
  cli::HubClient hub_{http_, std::string(kHub) + "/", kKey};
  ManualClock clock_{at("2026-03-01T10:00:00Z")};
  std::ostringstream out_;
  std::ostringstream err_;
  std::vector<std::chrono::seconds> waits_;
};

}  // namespace liaison::testing
