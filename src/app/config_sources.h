#pragma once
// Where each of the hub's settings comes from: the built-in default, the TOML file, a
// LIAISON_<SECTION>_<KEY> environment variable or a flag, the later winning. Opening the sources
// reads and parses the file and refuses what no setting is (a typo would otherwise be silently
// ignored and the default used) and a literal client secret in the file.
#include <toml++/toml.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/hub_config.h"
#include "core/result.h"

namespace liaison::app::config {

// One setting's value as its winning source gave it, before it is checked.
struct RawValue {
  std::string setting;               // "server.listen"
  std::string origin;                // "hub.toml:3", "LIAISON_SERVER_LISTEN" or "--listen"
  const toml::node* node = nullptr;  // set when it came from the file (any TOML type)
  std::string text;                  // set when it came from the environment or a flag
};

struct SectionSettings {
  std::string_view section;
  std::vector<std::string_view> keys;
};
// Every setting the hub takes, by section, in the order printHubConfig writes them.
const std::vector<SectionSettings>& knownSettings();

// "LIAISON_CC_CLIENT_ID" for ("cc", "client_id").
std::string envName(std::string_view section, std::string_view key);

// The one-line error for a setting: "server.listen (LIAISON_SERVER_LISTEN): expected ...". The
// Error's key is the setting.
Error settingError(std::string_view setting, std::string_view origin, std::string_view what);
// A value quoted for a message: control characters replaced, long text cut.
std::string shownValue(std::string_view text);

// A small file's whole content (a pipe such as --config <(...) too), or in `error` what is wrong
// with it: unreadable, a directory, or over max_bytes (the wrong file, not read into memory).
struct SmallFile {
  std::string content;
  std::string error;
};
SmallFile readSmallFile(const std::string& path, size_t max_bytes);

class SettingSources {
 public:
  static Result<SettingSources> open(const ConfigOverrides& flags,
                                     const std::map<std::string, std::string>& env);

  std::optional<RawValue> find(std::string_view section, std::string_view key) const;
  // An environment variable that is not a section.key setting (the client secret).
  std::optional<std::string> envValue(const std::string& name) const;

 private:
  SettingSources(const ConfigOverrides& flags, const std::map<std::string, std::string>& env)
      : flags_(flags), env_(env) {}
  Status readFile(const std::string& path, std::string_view path_origin);
  Status refuseUnknownInFile() const;
  Status refuseUnknownInEnv() const;
  std::string fileOrigin(const toml::node& node) const;

  ConfigOverrides flags_;
  const std::map<std::string, std::string>& env_;
  std::string path_;
  std::optional<toml::table> file_;
};

}  // namespace liaison::app::config
