#include "app/hub_config.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string_view>

#include "app/config_sources.h"
#include "app/config_values.h"
#include "cc/scopes.h"
#include "core/json_fields.h"
#include "storage/database.h"

extern char** environ;  // POSIX: declared by <unistd.h> only under _GNU_SOURCE

namespace liaison::app {
namespace {

using config::settingError;
using config::SettingSources;
using config::shownValue;

// A client secret is tens of bytes; a file bigger than this is the wrong file.
constexpr size_t kMaxSecretBytes = 4096;
// The app's name is a heading on the connect page, not a paragraph.
constexpr size_t kMaxAppNameChars = 100;

// Receives a setting's value, stores it, and says what is wrong with it (empty when nothing).
template <typename T>
using Accept = std::function<std::string(T)>;

std::string typeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

Status readString(const SettingSources& sources, std::string_view section, std::string_view key,
                  const Accept<std::string>& accept) {
  const auto raw = sources.find(section, key);
  if (!raw) return okStatus();
  std::string value = raw->text;
  if (raw->node != nullptr) {
    const auto* text = raw->node->as_string();
    if (text == nullptr)
      return settingError(raw->setting, raw->origin, "expected a string, got " + typeName(*raw->node));
    value = text->get();
  }
  if (auto what = accept(std::move(value)); !what.empty())
    return settingError(raw->setting, raw->origin, what);
  return okStatus();
}

Status readWholeNumber(const SettingSources& sources, std::string_view section, std::string_view key, int min,
                       int max, int& out) {
  const auto raw = sources.find(section, key);
  if (!raw) return okStatus();
  const std::string rule =
      "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  std::optional<int64_t> value;
  std::string shown;
  if (raw->node != nullptr) {
    const auto* number = raw->node->as_integer();
    if (number == nullptr) {
      const bool quoted_number = raw->node->is_string();
      return settingError(
          raw->setting, raw->origin,
          rule + ", got " + typeName(*raw->node) + (quoted_number ? " (write it without quotes)" : ""));
    }
    value = number->get();
    shown = shownValue(std::to_string(*value));
  } else {
    value = config::parseWholeNumber(raw->text);
    shown = shownValue(raw->text);
  }
  if (!value || *value < min || *value > max)
    return settingError(raw->setting, raw->origin, rule + ", got " + shown);
  out = static_cast<int>(*value);
  return okStatus();
}

std::string allScopes() {
  std::string out;
  for (const auto& scope : cc::scopeCatalogue()) {
    if (!out.empty()) out += ", ";
    out += scope.name;
  }
  return out;
}

// cc.scopes: a TOML array of strings, or in the environment a list separated by spaces or commas.
Status readScopes(const SettingSources& sources, std::vector<std::string>& out) {
  const auto raw = sources.find("cc", "scopes");
  if (!raw) return okStatus();
  std::vector<std::string> names;
  if (raw->node != nullptr) {
    const auto* array = raw->node->as_array();
    if (array == nullptr) {
      return settingError(
          raw->setting, raw->origin,
          "expected a list such as [\"account_read\", \"contact_data\"], got " + typeName(*raw->node));
    }
    for (size_t i = 0; i < array->size(); ++i) {
      const auto* name = (*array)[i].as_string();
      if (name == nullptr) {
        return settingError(
            raw->setting, raw->origin,
            "item " + std::to_string(i + 1) + " is " + typeName((*array)[i]) + ", expected a string");
      }
      names.push_back(name->get());
    }
  } else {
    size_t start = 0;
    while ((start = raw->text.find_first_not_of(" ,", start)) != std::string::npos) {
      const auto end = raw->text.find_first_of(" ,", start);
      names.push_back(raw->text.substr(start, end - start));
      start = end;
    }
  }
  std::vector<std::string> scopes;
  for (const auto& name : names) {
    if (cc::findScope(name) == nullptr) {
      return settingError(
          raw->setting, raw->origin,
          shownValue(name) + " is not a Constant Contact scope; the scopes are " + allScopes());
    }
    if (std::find(scopes.begin(), scopes.end(), name) == scopes.end()) scopes.push_back(name);
  }
  if (scopes.empty()) return settingError(raw->setting, raw->origin, "must list at least one scope");
  out = std::move(scopes);
  return okStatus();
}

std::string oneOf(const std::string& value, std::initializer_list<std::string_view> allowed,
                  std::string& out) {
  std::string names;
  for (auto name : allowed) {
    if (value == name) {
      out = value;
      return {};
    }
    if (!names.empty()) names += ", ";
    names += name;
  }
  return "must be one of " + names + "; got " + shownValue(value);
}

// A URL that other paths get appended to, without the trailing '/' that would double.
std::string withoutTrailingSlash(std::string url) {
  while (url.ends_with('/') && !url.ends_with("://")) url.pop_back();
  return url;
}

void wipe(std::string& text) {
  volatile char* bytes = text.data();
  for (size_t i = 0; i < text.size(); ++i) bytes[i] = 0;
}

// The file's content, trailing line breaks trimmed (editors add one). Read once into a buffer that
// is wiped, so no stray copy of the secret stays behind in freed memory.
Result<Secret> readSecretFile(const std::string& path, const std::string& origin) {
  const std::string setting = "cc.client_secret_file";
  auto file = config::readSmallFile(path, kMaxSecretBytes);
  size_t size = file.error.empty() ? file.content.size() : 0;
  while (size > 0 && (file.content[size - 1] == '\n' || file.content[size - 1] == '\r')) --size;
  Secret secret(file.content.substr(0, size));
  wipe(file.content);
  if (!file.error.empty()) return settingError(setting, origin, file.error);
  if (secret.empty()) return settingError(setting, origin, shownValue(path) + " is empty");
  return secret;
}

// Environment first (it outranks files), then the file named by cc.client_secret_file.
Status resolveClientSecret(const SettingSources& sources, HubConfig& config) {
  if (auto value = sources.envValue("LIAISON_CC_CLIENT_SECRET"); value && !value->empty()) {
    config.client_secret = Secret(*value);
    config.client_secret_file.clear();
    return okStatus();
  }
  if (config.client_secret_file.empty()) {
    return settingError(
        "cc.client_secret", "",
        "required (set the environment variable LIAISON_CC_CLIENT_SECRET, or cc.client_secret_file "
        "to a file that holds it)");
  }
  const auto raw = sources.find("cc", "client_secret_file");
  auto secret = readSecretFile(config.client_secret_file, raw ? raw->origin : "");
  if (!secret) return secret.error();
  config.client_secret = std::move(secret).value();
  return okStatus();
}

std::string hasNoSpaces(const std::string& value) {
  for (char c : value) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
      return "must not contain spaces or control characters";
  }
  return {};
}

// A name people read on a page: valid UTF-8, one line, short. Empty is the default.
std::string isDisplayName(const std::string& value) {
  auto problem = textProblem(value, TextRule{kMaxAppNameChars, false, true});
  if (!problem) return {};
  if (problem->ends_with('.')) problem->pop_back();
  return *problem;
}

// The URLs left to their defaults follow from the listen address; with port 0 they wait until the
// server is bound (useBoundPort), since the port is not known before.
void deriveUrls(HubConfig& c) {
  if (c.public_url.empty() && c.listen_port != 0) {
    // A wildcard address is where the hub listens, not a place a browser can go.
    const bool wildcard = c.listen_host == "0.0.0.0" || c.listen_host == "::";
    c.public_url = "http://" + config::formatHostPort(wildcard ? "localhost" : c.listen_host, c.listen_port);
  }
  if (c.redirect_uri.empty() && !c.public_url.empty()) c.redirect_uri = c.public_url + "/connect/callback";
}

}  // namespace

void useBoundPort(HubConfig& config, uint16_t port) {
  config.listen_port = port;
  deriveUrls(config);
}

Result<HubConfig> loadHubConfig(const ConfigOverrides& flags, const std::map<std::string, std::string>& env) {
  auto opened = SettingSources::open(flags, env);
  if (!opened) return opened.error();
  const SettingSources& sources = opened.value();
  HubConfig c;
  using config::UrlShape;
  const auto url = [](std::string& out, UrlShape shape) -> Accept<std::string> {
    return [&out, shape](std::string value) -> std::string {
      if (value.empty()) return {};  // the default
      if (auto what = config::checkHttpUrl(value, shape); !what.empty()) return what;
      out = shape == UrlShape::NoFragment ? value : withoutTrailingSlash(value);
      return {};
    };
  };
  const auto path = [](std::string& out, bool may_be_empty) -> Accept<std::string> {
    return [&out, may_be_empty](std::string value) -> std::string {
      if (value.empty() && !may_be_empty) return "must not be empty";
      out = std::move(value);
      return {};
    };
  };
  const std::vector<std::function<Status()>> steps = {
      [&] {
        return readString(sources, "server", "listen", [&](std::string value) -> std::string {
          if (config::parseHostPort(value, c.listen_host, c.listen_port, true)) return {};
          return "expected HOST:PORT, got " + shownValue(value);
        });
      },
      [&] { return readString(sources, "server", "public_url", url(c.public_url, UrlShape::NoQuery)); },
      [&] { return readString(sources, "server", "data", path(c.data_dir, false)); },
      [&] {
        return readString(sources, "server", "log_level", [&](std::string value) {
          return oneOf(value, {"trace", "debug", "info", "warn", "error"}, c.log_level);
        });
      },
      [&] { return readString(sources, "cc", "base_url", url(c.cc_base_url, UrlShape::Origin)); },
      [&] {
        return readString(sources, "cc", "client_id", [&](std::string value) {
          c.client_id = value;
          return hasNoSpaces(value);
        });
      },
      [&] {
        return readString(sources, "cc", "app_name", [&](std::string value) {
          c.app_name = value;
          return isDisplayName(value);
        });
      },
      [&] { return readString(sources, "cc", "client_secret_file", path(c.client_secret_file, true)); },
      [&] { return readString(sources, "cc", "redirect_uri", url(c.redirect_uri, UrlShape::NoFragment)); },
      [&] {
        return readString(sources, "cc", "refresh_token_type", [&](std::string value) {
          return oneOf(value, {"rotating", "long_lived"}, c.refresh_token_type);
        });
      },
      [&] { return readScopes(sources, c.default_scopes); },
      [&] {
        return readString(sources, "store", "url", [&](std::string value) -> std::string {
          if (value.empty()) {
            c.store_url.clear();
            return {};
          }
          if (!storage::isPostgresUrl(value)) return "expected a postgresql:// URL, got " + shownValue(value);
          // Not shown: the value holds a password.
          if (storage::postgresUrlHasPassword(value))
            return "must not hold a password (a config file is read, copied and committed); put it in "
                   "PGPASSWORD or a ~/.pgpass file, which libpq reads";
          c.store_url = std::move(value);
          return {};
        });
      },
      [&] { return readString(sources, "vault", "key_file", path(c.vault_key_file, true)); },
      [&] {
        return readWholeNumber(sources, "health", "social_poll_minutes", 1, 1440, c.social_poll_minutes);
      },
      [&] {
        return readWholeNumber(sources, "refresh", "ahead_seconds", 60, 86000, c.refresh_ahead_seconds);
      },
      [&] {
        return readWholeNumber(sources, "budget", "max_queue_wait_ms", 0, 60000, c.budget_max_queue_wait_ms);
      },
      // Some of the day always stays for background work: at 100 %, health polls would never run.
      [&] { return readWholeNumber(sources, "budget", "reserve_percent", 0, 90, c.budget_reserve_percent); },
      [&] {
        return readWholeNumber(sources, "budget", "requests_per_second", 1, 1000000,
                               c.budget_requests_per_second);
      },
      [&] {
        return readWholeNumber(sources, "budget", "requests_per_day", 1, 1000000000,
                               c.budget_requests_per_day);
      },
      [&] {
        return readWholeNumber(sources, "budget", "token_requests_per_second", 1, 1000,
                               c.budget_token_requests_per_second);
      },
      [&] {
        return readWholeNumber(sources, "budget", "window_margin_ms", 0, 1000, c.budget_window_margin_ms);
      },
      [&] {
        return readWholeNumber(sources, "sync", "activity_poll_ms", 100, 60000, c.sync_activity_poll_ms);
      },
      [&] {
        return readWholeNumber(sources, "sync", "own_import_skip_rows", 0, 1000000,
                               c.sync_own_import_skip_rows);
      },
      [&]() -> Status {
        if (!c.client_id.empty()) return okStatus();
        return settingError("cc.client_id", "",
                            "required (set it in the config file or LIAISON_CC_CLIENT_ID)");
      },
      [&] { return resolveClientSecret(sources, c); },
  };
  for (const auto& step : steps) {
    if (auto status = step(); !status) return status.error();
  }
  deriveUrls(c);
  if (c.vault_key_file.empty()) c.vault_key_file = (std::filesystem::path(c.data_dir) / "vault.key").string();
  return c;
}

std::string printHubConfig(const HubConfig& c) {
  using config::tomlString;
  std::string scopes;
  for (const auto& scope : c.default_scopes) {
    if (!scopes.empty()) scopes += ", ";
    scopes += tomlString(scope);
  }
  std::string secret_line = "# client_secret = \"(not set)\"\n";
  if (!c.client_secret.empty()) {
    secret_line =
        std::string("# client_secret = \"********\"  (") +
        (c.client_secret_file.empty() ? "from LIAISON_CC_CLIENT_SECRET" : "read from client_secret_file") +
        "; a secret is never written here)\n";
  }
  std::string out =
      "# The effective settings of `liaison serve`.\n"
      "# Precedence: built-in defaults < this file < LIAISON_<SECTION>_<KEY> environment variables < "
      "flags.\n\n";
  out += "[server]\n";
  out += "listen = " + tomlString(config::formatHostPort(c.listen_host, c.listen_port)) + "\n";
  out += "public_url = " + tomlString(c.public_url) + "\n";
  out += "data = " + tomlString(c.data_dir) + "\n";
  out += "log_level = " + tomlString(c.log_level) + "\n\n";
  out += "[cc]\n";
  out += "base_url = " + tomlString(c.cc_base_url) +
         (c.cc_base_url.empty() ? "  # empty: the real Constant Contact" : "");
  out += "\nclient_id = " + tomlString(c.client_id) + "\n";
  out += "app_name = " + tomlString(c.app_name) +
         (c.app_name.empty() ? "  # empty: the connect page names the app by its client_id" : "") + "\n";
  out += secret_line;
  if (!c.client_secret_file.empty()) out += "client_secret_file = " + tomlString(c.client_secret_file) + "\n";
  out += "redirect_uri = " + tomlString(c.redirect_uri) + "\n";
  out += "refresh_token_type = " + tomlString(c.refresh_token_type) + "\n";
  out += "scopes = [" + scopes + "]\n\n";
  out += "[store]\nurl = " + tomlString(c.store_url) +
         (c.store_url.empty() ? "  # empty: SQLite, <data>/hub.db" : "") + "\n\n";
  out += "[vault]\nkey_file = " + tomlString(c.vault_key_file) + "\n\n";
  out += "[health]\nsocial_poll_minutes = " + std::to_string(c.social_poll_minutes) + "\n\n";
  out += "[refresh]\nahead_seconds = " + std::to_string(c.refresh_ahead_seconds) + "\n\n";
  out += "[budget]\nmax_queue_wait_ms = " + std::to_string(c.budget_max_queue_wait_ms) + "\n";
  out += "reserve_percent = " + std::to_string(c.budget_reserve_percent) + "\n";
  out += "requests_per_second = " + std::to_string(c.budget_requests_per_second) + "\n";
  out += "requests_per_day = " + std::to_string(c.budget_requests_per_day) + "\n";
  out += "token_requests_per_second = " + std::to_string(c.budget_token_requests_per_second) + "\n";
  out += "window_margin_ms = " + std::to_string(c.budget_window_margin_ms) + "\n\n";
  out += "[sync]\nactivity_poll_ms = " + std::to_string(c.sync_activity_poll_ms) + "\n";
  out += "own_import_skip_rows = " + std::to_string(c.sync_own_import_skip_rows) + "\n";
  return out;
}

std::map<std::string, std::string> processEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!text.starts_with("LIAISON_")) continue;
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return env;
}

}  // namespace liaison::app
