#include "sync/connectors/stamped_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "core/file_descriptor.h"
#include "core/random.h"

namespace liaison::sync {

namespace {

namespace fs = std::filesystem;

// The message names the file (the user chose it and needs to know which one failed); the OS's
// reason goes to the detail, for the log.
// `through`: the temporary file a replacement writes first, named in the detail only: to the
// user it is the file they chose that could not be written.
Error ioError(const std::string& doing, const std::string& path, int error_number,
              const std::string& through = "") {
  return internalError("sync.file.io", "Could not " + doing + " the file " + path + ".",
                       doing + " " + (through.empty() ? path : through) + ": " + std::strerror(error_number));
}

FileStamp stampOf(const struct stat& info) {
  return {int64_t(info.st_size), int64_t(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec,
          uint32_t(info.st_mode & 07777)};
}

Status writeAll(int fd, std::string_view bytes, const std::string& path, const std::string& through) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return ioError("write", path, errno, through);
    bytes.remove_prefix(size_t(written));
  }
  return okStatus();
}

}  // namespace

Result<std::optional<StampedFile>> readStampedFile(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<StampedFile>{};
    return ioError("open", path, errno);
  }
  // fstat on the open descriptor: the stamp is the one of the file whose bytes are read.
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return ioError("examine", path, errno);
  if (!S_ISREG(info.st_mode)) {
    return makeError(ErrorCode::InvalidRequest, "sync.file.not_a_file", path + " is not a file.");
  }
  StampedFile file{{}, stampOf(info)};
  file.bytes.reserve(size_t(info.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got == 0) break;
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ioError("read", path, errno);
    file.bytes.append(buffer, size_t(got));
  }
  return std::optional<StampedFile>(std::move(file));
}

Result<FileStamp> replaceFileAtomically(const std::string& path, std::string_view bytes,
                                        const std::optional<FileStamp>& expected) {
  std::error_code ignored;
  fs::path target = fs::weakly_canonical(path, ignored);
  if (target.empty()) target = path;
  // The temporary file sits beside the target: rename is atomic only within one file system.
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  CryptoRandom random;
  const std::string temp =
      (directory / ("." + target.filename().string() + "." + random.token(8) + ".tmp")).string();
  FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (fd.get() < 0) return ioError("write", path, errno, temp);
  auto fail = [&](Error error) {
    ::unlink(temp.c_str());
    return error;
  };
  if (expected && ::fchmod(fd.get(), mode_t(expected->mode)) != 0) {
    return fail(ioError("set the permissions of", path, errno, temp));
  }
  if (auto written = writeAll(fd.get(), bytes, path, temp); !written) return fail(written.error());
  // Flushed before the rename, so that after a crash the name never points at missing data.
  if (::fsync(fd.get()) != 0) return fail(ioError("write", path, errno, temp));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return fail(ioError("write", path, errno, temp));
  if (!fd.close()) return fail(ioError("write", path, errno, temp));
  // The caller compared contents when it read; this narrows the window in which another
  // writer's change would be lost to the rename alone.
  struct stat now {};
  const bool exists_now = ::stat(target.c_str(), &now) == 0;
  if (exists_now != expected.has_value() || (exists_now && !stampOf(now).sameVersion(*expected))) {
    return fail(makeError(ErrorCode::Conflict, "sync.file.changed",
                          "The file " + path + " changed while it was written."));
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) return fail(ioError("replace", path, errno));
  // Flushing the directory makes the rename itself last. The new file is in place whatever this
  // does: a failure only means a power cut might undo the rename, no reason to report the write
  // as not done when it was.
  FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  return stampOf(info);
}

}  // namespace liaison::sync
