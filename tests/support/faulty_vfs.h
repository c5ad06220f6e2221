#pragma once
// A SQLite VFS shim for I/O-error tests (T21, in the spirit of SQLite's own test VFSes): it passes
// every call to the platform's VFS and fails the Nth write, sync or truncate, once or from then
// on, with an I/O error or "disk full". While installed it is SQLite's default VFS, so every
// database the code under test opens goes through it.
#include <cstdint>

namespace liaison::testing {

class FaultyVfs {
 public:
  enum class Mode { Once, Forever };
  enum class Kind { IoError, DiskFull };

  // Registers the shim as the default VFS; the destructor puts the platform's back.
  FaultyVfs();
  ~FaultyVfs();
  FaultyVfs(const FaultyVfs&) = delete;
  FaultyVfs& operator=(const FaultyVfs&) = delete;

  // From now on, counts writes, syncs and truncates from 1 and fails the `nth` (0: none).
  void arm(int64_t nth, Mode mode = Mode::Once, Kind kind = Kind::IoError);
  void disarm() { arm(0); }
  // The operations counted since the last arm(), and how many of them were failed.
  int64_t operations() const;
  int64_t failures() const;
};

}  // namespace liaison::testing
