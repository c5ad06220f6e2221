#include "hub/vault/key_encryption_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

#include "core/encoding.h"
#include "core/file_descriptor.h"
#include "crypto/hash.h"

namespace liaison::hub {
namespace {

// Far more than "lvk1." + 43 characters and a newline; a larger file is not a key file.
constexpr size_t kMaxKeyFileSize = 4096;

Error keyError(std::string key, std::string message) {
  return makeError(ErrorCode::Internal, std::move(key), std::move(message));
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::string modeText(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

Result<Secret> readKeyFile(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return keyError("vault.key_missing", "No vault key found: set " + std::string(kVaultKeyEnv) +
                                               " or run `liaison vault init` to create the key file " + path);
    }
    return keyError("vault.key_unreadable",
                    "Cannot read the vault key file " + path + ": " + std::strerror(errno));
  }
  // The checks look at the file that was opened (fstat), not at the path, which could change.
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return keyError("vault.key_unreadable", "The vault key file " + path + " is not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    return keyError("vault.key_permissions",
                    "The vault key file " + path + " is accessible by group or others (mode " +
                        modeText(info.st_mode) + "); refusing to use it: run chmod 600 " + path);
  }
  if (static_cast<size_t>(info.st_size) > kMaxKeyFileSize) {
    return keyError("vault.key_malformed", "The vault key file " + path + " is too large to be a vault key");
  }
  std::string buffer(kMaxKeyFileSize + 1, '\0');
  size_t size = 0;
  int read_errno = 0;
  while (size < buffer.size()) {
    const ssize_t n = ::read(fd.get(), buffer.data() + size, buffer.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) read_errno = errno;
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  // Moved (not copied: it is far larger than the small-string buffer) into a Secret, which wipes it.
  const Secret content(std::move(buffer));
  if (read_errno != 0) {
    return keyError("vault.key_unreadable",
                    "Cannot read the vault key file " + path + ": " + std::strerror(read_errno));
  }
  if (size > kMaxKeyFileSize) {
    return keyError("vault.key_malformed", "The vault key file " + path + " is too large to be a vault key");
  }
  return parseKeyEncryptionKey(std::string_view(content.reveal()).substr(0, size),
                               "The vault key file " + path);
}

bool writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

Secret generateKeyEncryptionKey(RandomSource& random) {
  std::string key(kVaultKeySize, '\0');
  random.fill(reinterpret_cast<uint8_t*>(key.data()), key.size());
  return Secret(std::move(key));
}

Secret formatKeyEncryptionKey(const Secret& key) {
  return Secret(std::string(kVaultKeyPrefix) + base64UrlEncode(key.reveal()));
}

Result<Secret> parseKeyEncryptionKey(std::string_view text, std::string_view source) {
  const std::string where(source);
  const std::string expected =
      "; expected " + std::string(kVaultKeyPrefix) + " followed by 43 base64url characters (32 bytes)";
  text = trim(text);
  if (text.empty()) return keyError("vault.key_malformed", where + " is empty" + expected);
  if (text.substr(0, kVaultKeyPrefix.size()) != kVaultKeyPrefix) {
    return keyError("vault.key_malformed", where + " is not a vault key: it does not start with " +
                                               std::string(kVaultKeyPrefix) + expected);
  }
  auto decoded = base64UrlDecode(text.substr(kVaultKeyPrefix.size()));
  if (!decoded) {
    return keyError("vault.key_malformed",
                    where + " is not a vault key: its key part is not base64url" + expected);
  }
  Secret key(std::move(*decoded));
  if (key.size() != kVaultKeySize) {
    return keyError("vault.key_malformed",
                    where + " is not a vault key: its key part is not 32 bytes" + expected);
  }
  return key;
}

Result<Secret> loadKeyEncryptionKey(const std::optional<std::string>& env_value,
                                    const std::string& key_file) {
  if (!env_value) return readKeyFile(key_file);
  auto from_env = parseKeyEncryptionKey(*env_value, kVaultKeyEnv);
  if (!from_env) return from_env;
  // Two sources that disagree mean one of them is a mistake (an old key left in a file, a
  // variable from another installation): guessing would open nothing or, worse, seal new
  // secrets under a key the operator does not know is in use.
  std::error_code ignored;
  if (std::filesystem::exists(key_file, ignored)) {
    auto from_file = readKeyFile(key_file);
    if (from_file && !crypto::constantTimeEquals(from_file->reveal(), from_env->reveal())) {
      return keyError("vault.key_conflict", std::string(kVaultKeyEnv) + " and the vault key file " +
                                                key_file +
                                                " hold different keys: remove the one that is not in use");
    }
  }
  return from_env;
}

Status writeKeyFile(const std::string& path, RandomSource& random) {
  // O_EXCL: never replace an existing key (or follow a planted symlink); 0600 at creation, so the
  // file never exists with wider permissions, not even between open and a chmod.
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) {
      return makeError(ErrorCode::Conflict, "vault.key_exists",
                       "The vault key file " + path +
                           " already exists; refusing to overwrite it (data sealed with it would be lost)");
    }
    return keyError("vault.key_unwritable",
                    "Cannot create the vault key file " + path + ": " + std::strerror(errno));
  }
  const Secret text = formatKeyEncryptionKey(generateKeyEncryptionKey(random));
  const bool written =
      writeAll(fd.get(), text.reveal()) && writeAll(fd.get(), "\n") && ::fsync(fd.get()) == 0;
  const int write_errno = errno;
  const bool closed = ::close(fd.release()) == 0;
  if (!written || !closed) {
    const int failure = written ? errno : write_errno;
    ::unlink(path.c_str());  // a partial key file would fail every later start
    return keyError("vault.key_unwritable",
                    "Cannot write the vault key file " + path + ": " + std::strerror(failure));
  }
  return okStatus();
}

}  // namespace liaison::hub
