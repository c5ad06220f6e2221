#include "core/background_free.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace liaison {

void returnFreedMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace liaison
