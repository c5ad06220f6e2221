#pragma once
// The fixture of the hub settings tests: files in a temp dir, the client secret in the
// environment as most deployments run, and error messages checked to be one line without it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "app/hub_config.h"
#include "support/temp_dir.h"

namespace liaison::app::testing {

using Env = std::map<std::string, std::string>;

inline constexpr const char* kSecret = "s3cret-Value-9f8e";
inline const Env kMinimalEnv = {{"LIAISON_CC_CLIENT_ID", "app-1"}, {"LIAISON_CC_CLIENT_SECRET", kSecret}};

class HubConfigTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& content) {
    const auto path = dir_.file(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  // A config file plus the secret in the environment, as most deployments run.
  Result<HubConfig> loadFile(const std::string& toml, Env env = {}) {
    env.emplace("LIAISON_CC_CLIENT_SECRET", kSecret);
    return loadHubConfig({.config_file = write("hub.toml", toml)}, env);
  }
  // The error message, failing the test when loading succeeded.
  std::string errorOf(const Result<HubConfig>& result) {
    EXPECT_FALSE(result.ok());
    if (result.ok()) return {};
    EXPECT_EQ(result.error().message.find('\n'), std::string::npos) << "one line: " << result.error().message;
    EXPECT_THAT(result.error().message, ::testing::Not(::testing::HasSubstr(kSecret)));
    return result.error().message;
  }
  std::string fileError(const std::string& toml, Env env = {}) {
    return errorOf(loadFile(toml, std::move(env)));
  }
  std::string envError(Env env) {
    env.emplace("LIAISON_CC_CLIENT_ID", "app-1");
    env.emplace("LIAISON_CC_CLIENT_SECRET", kSecret);
    return errorOf(loadHubConfig({}, env));
  }

  liaison::testing::TempDir dir_;
};

}  // namespace liaison::app::testing
