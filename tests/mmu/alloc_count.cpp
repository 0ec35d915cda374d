// The global operator new and delete of a test executable, counting allocations. In a file of
// their own, so the compiler does not see new and delete together (GCC would warn about free()
// on memory from new).
#include "alloc_count.h"

#include <cstdlib>
#include <new>

namespace alloc_count {
bool counting = false;
uint64_t allocations = 0;
}  // namespace alloc_count

void* operator new(std::size_t n) {
  if (alloc_count::counting) ++alloc_count::allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
