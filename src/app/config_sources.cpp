#include "app/config_sources.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace liaison::app::config {
namespace {

// Larger than any settings file; a bigger one is the wrong file, and it is not read into memory.
constexpr size_t kMaxFileBytes = 1 << 20;

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

const SectionSettings* findSection(std::string_view section) {
  for (const auto& known : knownSettings()) {
    if (known.section == section) return &known;
  }
  return nullptr;
}

bool takesKey(const SectionSettings& section, std::string_view key) {
  for (auto known : section.keys) {
    if (known == key) return true;
  }
  return false;
}

std::string keyList(const SectionSettings& section) {
  std::string out = "[";
  out += section.section;
  out += "] takes ";
  for (size_t i = 0; i < section.keys.size(); ++i) {
    if (i > 0) out += ", ";
    out += section.keys[i];
  }
  return out;
}

std::string sectionList() {
  std::string out;
  for (const auto& known : knownSettings()) {
    if (!out.empty()) out += ", ";
    out += known.section;
  }
  return out;
}

// One line whatever a file name, key or value held: a log line or a terminal stays readable.
Error oneLineError(std::string key, std::string message) {
  for (char& c : message) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return makeError(ErrorCode::InvalidRequest, std::move(key), std::move(message));
}

// "unknown setting cc.clientid (hub.toml:3); [cc] takes ...": typos are refused, not ignored.
Error unknownSetting(const std::string& setting, std::string_view origin, std::string_view hint) {
  return oneLineError(setting,
                      "unknown setting " + setting + " (" + std::string(origin) + "); " + std::string(hint));
}

// Only the first line of a parser's description, which never needs more.
std::string oneLine(std::string_view text) { return std::string(text.substr(0, text.find('\n'))); }

}  // namespace

const std::vector<SectionSettings>& knownSettings() {
  static const std::vector<SectionSettings> settings = {
      {"server", {"listen", "public_url", "data", "log_level"}},
      {"cc",
       {"base_url", "client_id", "app_name", "client_secret_file", "redirect_uri", "refresh_token_type",
        "scopes"}},
      {"store", {"url"}},
      {"vault", {"key_file"}},
      {"health", {"social_poll_minutes"}},
      {"refresh", {"ahead_seconds"}},
      {"budget",
       {"max_queue_wait_ms", "reserve_percent", "requests_per_second", "requests_per_day",
        "token_requests_per_second", "window_margin_ms"}},
      {"sync", {"activity_poll_ms", "own_import_skip_rows"}},
  };
  return settings;
}

std::string envName(std::string_view section, std::string_view key) {
  return "LIAISON_" + upper(section) + "_" + upper(key);
}

std::string shownValue(std::string_view text) {
  constexpr size_t kShown = 80;
  std::string out = "'";
  for (char c : text.substr(0, kShown)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  if (text.size() > kShown) out += "...";
  return out + "'";
}

Error settingError(std::string_view setting, std::string_view origin, std::string_view what) {
  std::string message(setting);
  if (!origin.empty()) message += " (" + std::string(origin) + ")";
  message += ": ";
  message += what;
  return oneLineError(std::string(setting), std::move(message));
}

SmallFile readSmallFile(const std::string& path, size_t max_bytes) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored))
    return {{}, shownValue(path) + " is a directory, not a file"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return {{}, "cannot read " + shownValue(path) + ": " + std::strerror(errno)};
  std::string content(max_bytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (in.bad()) return {{}, "cannot read " + shownValue(path)};
  const auto size = static_cast<size_t>(in.gcount());
  // Shrinking keeps the buffer, so a caller that wipes content() wipes every byte that was read.
  content.resize(size);
  if (size > max_bytes)
    return {std::move(content),
            shownValue(path) + " is over " + std::to_string(max_bytes) + " bytes; is it the right file?"};
  return {std::move(content), {}};
}

Result<SettingSources> SettingSources::open(const ConfigOverrides& flags,
                                            const std::map<std::string, std::string>& env) {
  SettingSources sources(flags, env);
  std::string path;
  std::string_view path_origin;
  if (flags.config_file && !flags.config_file->empty()) {
    path = *flags.config_file;
    path_origin = "--config";
  } else if (auto it = env.find("LIAISON_CONFIG"); it != env.end() && !it->second.empty()) {
    path = it->second;
    path_origin = "LIAISON_CONFIG";
  }
  if (!path.empty()) {
    if (auto read = sources.readFile(path, path_origin); !read) return read.error();
    if (auto known = sources.refuseUnknownInFile(); !known) return known.error();
  }
  if (auto known = sources.refuseUnknownInEnv(); !known) return known.error();
  return sources;
}

Status SettingSources::readFile(const std::string& path, std::string_view path_origin) {
  auto file = readSmallFile(path, kMaxFileBytes);
  if (!file.error.empty()) return settingError("config", path_origin, file.error);
  const std::string& text = file.content;
  path_ = path;
  try {
    file_ = toml::parse(std::string_view(text), std::string_view(path));
  } catch (const toml::parse_error& e) {
    const auto line = e.source().begin.line;
    const auto where = path + ":" + std::to_string(line) + ":" + std::to_string(e.source().begin.column);
    // A parser may quote the text it stopped at; on a line about a secret, that could be the secret.
    size_t start = 0;
    for (uint32_t i = 1; i < line && start != std::string::npos; ++i) {
      start = text.find('\n', start);
      if (start != std::string::npos) ++start;
    }
    const auto source_line =
        start == std::string::npos ? std::string() : text.substr(start, text.find('\n', start) - start);
    const bool about_secret = upper(source_line).find("SECRET") != std::string::npos;
    const std::string description = about_secret
                                        ? "invalid TOML (details withheld: the line mentions a secret)"
                                        : "invalid TOML: " + oneLine(e.description());
    return oneLineError("config", where + ": " + description);
  }
  return okStatus();
}

std::string SettingSources::fileOrigin(const toml::node& node) const {
  return path_ + ":" + std::to_string(node.source().begin.line);
}

Status SettingSources::refuseUnknownInFile() const {
  for (const auto& [section_key, section_node] : *file_) {
    const std::string section(section_key.str());
    const auto* known = findSection(section);
    if (known == nullptr) {
      return unknownSetting(section, fileOrigin(section_node), "the sections are " + sectionList());
    }
    const auto* table = section_node.as_table();
    if (table == nullptr) {
      return settingError(section, fileOrigin(section_node), "must be a table ([" + section + "])");
    }
    for (const auto& [key, value] : *table) {
      const std::string setting = section + "." + std::string(key.str());
      if (section == "cc" && key.str() == "client_secret") {
        return settingError(setting, fileOrigin(value),
                            "not allowed in a config file, which gets printed and committed; set the "
                            "environment variable LIAISON_CC_CLIENT_SECRET or cc.client_secret_file instead");
      }
      if (!takesKey(*known, key.str())) {
        return unknownSetting(setting, fileOrigin(value), keyList(*known));
      }
    }
  }
  return okStatus();
}

Status SettingSources::refuseUnknownInEnv() const {
  for (const auto& [name, value] : env_) {
    for (const auto& known : knownSettings()) {
      const auto prefix = "LIAISON_" + upper(known.section) + "_";
      // The two secrets that only come from the environment are read elsewhere.
      if (!name.starts_with(prefix) || name == "LIAISON_CC_CLIENT_SECRET" || name == "LIAISON_VAULT_KEY")
        continue;
      bool found = false;
      for (auto key : known.keys) found = found || name == envName(known.section, key);
      if (!found) return unknownSetting(name, "environment", keyList(known));
    }
  }
  return okStatus();
}

std::optional<RawValue> SettingSources::find(std::string_view section, std::string_view key) const {
  const std::string setting = std::string(section) + "." + std::string(key);
  if (setting == "server.listen" && flags_.listen)
    return RawValue{setting, "--listen", nullptr, *flags_.listen};
  if (setting == "server.data" && flags_.data_dir)
    return RawValue{setting, "--data", nullptr, *flags_.data_dir};
  const auto name = envName(section, key);
  if (auto it = env_.find(name); it != env_.end()) return RawValue{setting, name, nullptr, it->second};
  if (file_) {
    if (const auto* node = (*file_)[section][key].node())
      return RawValue{setting, fileOrigin(*node), node, {}};
  }
  return std::nullopt;
}

std::optional<std::string> SettingSources::envValue(const std::string& name) const {
  if (auto it = env_.find(name); it != env_.end()) return it->second;
  return std::nullopt;
}

}  // namespace liaison::app::config
