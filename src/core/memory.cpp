#include "core/memory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// gperftools' tcmalloc, when the program links it (the shipped binary does, see CMakeLists.txt):
// weak, so programs on glibc's allocator (tests, sanitizer builds) link without it.
extern "C" void MallocExtension_ReleaseFreeMemory() __attribute__((weak));

namespace liaison {

void returnFreedMemory() {
  if (MallocExtension_ReleaseFreeMemory != nullptr) {
    MallocExtension_ReleaseFreeMemory();
    return;
  }
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

void growHeapInSteps(size_t bytes) {
#if defined(__GLIBC__)
  mallopt(M_TOP_PAD, static_cast<int>(bytes));
#else
  (void)bytes;
#endif
}

}  // namespace liaison
