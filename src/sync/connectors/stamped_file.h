#pragma once
// Whole-file reads and atomic replacement for a side that is a file people also edit (a CSV
// file): every read carries the stamp of the very file read, and a replacement is refused when
// the file is no longer the one read, so a change made meanwhile is never silently overwritten.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace liaison::sync {

// What stat says about a file: enough to tell whether it changed, and its permissions to keep.
struct FileStamp {
  int64_t size = 0;
  int64_t mtime_ns = 0;
  uint32_t mode = 0;  // permission bits
  bool sameVersion(const FileStamp& other) const { return size == other.size && mtime_ns == other.mtime_ns; }
};

struct StampedFile {
  std::string bytes;
  FileStamp stamp;
};

// The file's bytes and stamp; nullopt when there is no such file yet.
Result<std::optional<StampedFile>> readStampedFile(const std::string& path);

// Replaces `path` by `bytes` so that a reader, or a crash, sees the old file or the new one,
// never a mix. `expected` is the file as read (nullopt: there was none); if it changed since,
// nothing is replaced (Conflict). A symbolic link stays; the file it points to is replaced.
// Returns the new file's stamp.
Result<FileStamp> replaceFileAtomically(const std::string& path, std::string_view bytes,
                                        const std::optional<FileStamp>& expected);

}  // namespace liaison::sync
