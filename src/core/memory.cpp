#include "core/memory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace liaison {

void returnFreedMemory() {
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
