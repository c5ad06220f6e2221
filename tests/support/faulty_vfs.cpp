#include "support/faulty_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace liaison::testing {

namespace {

sqlite3_vfs* g_root = nullptr;  // the platform's VFS every call goes on to
std::atomic<int64_t> g_fail_at{0};
std::atomic<int64_t> g_count{0};
std::atomic<int64_t> g_failed{0};
std::atomic<bool> g_forever{false};
std::atomic<int> g_error{SQLITE_IOERR};

// A file of the shim: SQLite allocates szOsFile bytes; the platform's file follows this header.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

// Whether this write, sync or truncate is one to fail; `io` is its own SQLITE_IOERR_* code.
int fault(int io) {
  const int64_t n = ++g_count;
  const int64_t at = g_fail_at.load();
  if (at <= 0 || n < at || (n > at && !g_forever.load())) return SQLITE_OK;
  ++g_failed;
  return g_error.load() == SQLITE_FULL ? SQLITE_FULL : io;
}

int shimClose(sqlite3_file* f) { return real(f)->pMethods ? real(f)->pMethods->xClose(real(f)) : SQLITE_OK; }
int shimRead(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  return real(f)->pMethods->xRead(real(f), out, amount, offset);
}
int shimWrite(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  if (int rc = fault(SQLITE_IOERR_WRITE); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xWrite(real(f), data, amount, offset);
}
int shimTruncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = fault(SQLITE_IOERR_TRUNCATE); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xTruncate(real(f), size);
}
int shimSync(sqlite3_file* f, int flags) {
  if (int rc = fault(SQLITE_IOERR_FSYNC); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xSync(real(f), flags);
}
int shimFileSize(sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); }
int shimLock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
int shimUnlock(sqlite3_file* f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
int shimCheckReservedLock(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int shimFileControl(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int shimSectorSize(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int shimDeviceCharacteristics(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int shimShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
}
int shimShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void shimShmBarrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int shimShmUnmap(sqlite3_file* f, int remove) { return real(f)->pMethods->xShmUnmap(real(f), remove); }
int shimFetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int shimUnfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return real(f)->pMethods->xUnfetch(real(f), offset, page);
}

const sqlite3_io_methods kShimMethods = {3,
                                         shimClose,
                                         shimRead,
                                         shimWrite,
                                         shimTruncate,
                                         shimSync,
                                         shimFileSize,
                                         shimLock,
                                         shimUnlock,
                                         shimCheckReservedLock,
                                         shimFileControl,
                                         shimSectorSize,
                                         shimDeviceCharacteristics,
                                         shimShmMap,
                                         shimShmLock,
                                         shimShmBarrier,
                                         shimShmUnmap,
                                         shimFetch,
                                         shimUnfetch};

int shimOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(f);
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  std::memset(shim->real, 0, static_cast<size_t>(g_root->szOsFile));
  const int rc = g_root->xOpen(g_root, name, shim->real, flags, out_flags);
  // SQLite calls xClose only when pMethods is set: on a failed open it stays null.
  shim->base.pMethods = rc == SQLITE_OK && shim->real->pMethods ? &kShimMethods : nullptr;
  return rc;
}
int shimDelete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_root->xDelete(g_root, name, sync_dir);
}
int shimAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_root->xAccess(g_root, name, flags, out);
}
int shimFullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return g_root->xFullPathname(g_root, name, size, out);
}
void* shimDlOpen(sqlite3_vfs*, const char* name) { return g_root->xDlOpen(g_root, name); }
void shimDlError(sqlite3_vfs*, int size, char* out) { g_root->xDlError(g_root, size, out); }
void (*shimDlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_root->xDlSym(g_root, handle, symbol);
}
void shimDlClose(sqlite3_vfs*, void* handle) { g_root->xDlClose(g_root, handle); }
int shimRandomness(sqlite3_vfs*, int size, char* out) { return g_root->xRandomness(g_root, size, out); }
int shimSleep(sqlite3_vfs*, int micros) { return g_root->xSleep(g_root, micros); }
int shimCurrentTime(sqlite3_vfs*, double* out) { return g_root->xCurrentTime(g_root, out); }
int shimGetLastError(sqlite3_vfs*, int size, char* out) { return g_root->xGetLastError(g_root, size, out); }
int shimCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) { return g_root->xCurrentTimeInt64(g_root, out); }

sqlite3_vfs g_shim;

}  // namespace

FaultyVfs::FaultyVfs() {
  g_root = sqlite3_vfs_find(nullptr);
  g_shim = sqlite3_vfs{};
  g_shim.iVersion = 2;
  g_shim.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_root->szOsFile;
  g_shim.mxPathname = g_root->mxPathname;
  g_shim.zName = "liaison-faulty";
  g_shim.xOpen = shimOpen;
  g_shim.xDelete = shimDelete;
  g_shim.xAccess = shimAccess;
  g_shim.xFullPathname = shimFullPathname;
  g_shim.xDlOpen = shimDlOpen;
  g_shim.xDlError = shimDlError;
  g_shim.xDlSym = shimDlSym;
  g_shim.xDlClose = shimDlClose;
  g_shim.xRandomness = shimRandomness;
  g_shim.xSleep = shimSleep;
  g_shim.xCurrentTime = shimCurrentTime;
  g_shim.xGetLastError = shimGetLastError;
  g_shim.xCurrentTimeInt64 = shimCurrentTimeInt64;
  disarm();
  sqlite3_vfs_register(&g_shim, 1);
}

FaultyVfs::~FaultyVfs() {
  disarm();
  sqlite3_vfs_unregister(&g_shim);
  sqlite3_vfs_register(g_root, 1);
}

void FaultyVfs::arm(int64_t nth, Mode mode, Kind kind) {
  g_fail_at = 0;
  g_count = 0;
  g_failed = 0;
  g_forever = mode == Mode::Forever;
  g_error = kind == Kind::DiskFull ? SQLITE_FULL : SQLITE_IOERR;
  g_fail_at = nth;
}

int64_t FaultyVfs::operations() const { return g_count.load(); }
int64_t FaultyVfs::failures() const { return g_failed.load(); }

}  // namespace liaison::testing
