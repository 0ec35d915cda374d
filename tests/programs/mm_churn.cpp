// A small real program for the trace tests: every memory-map call a trace carries, on memory it
// touches before and after, so each one changes pages the guest OS model has mapped:
// mmap, MADV_DONTNEED + retouch, mremap that must move (a neighbour blocks growing in place),
// mprotect, MADV_FREE + rewrite, munmap, brk up and down, exit.
#include <cstddef>
#include <sys/mman.h>
#include <unistd.h>

namespace {
// One store per page: what faults the pages in, without millions of references to replay.
void touch(char* p, char v, size_t n) {
  for (size_t i = 0; i < n; i += 4096) static_cast<volatile char*>(p)[i] = v;
}
}  // namespace

int main() {
  const size_t mib = 1 << 20;
  auto* p = static_cast<char*>(mmap(nullptr, mib, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (p == MAP_FAILED) return 1;
  touch(p, 1, mib);
  madvise(p, 64 << 10, MADV_DONTNEED);
  touch(p, 2, 64 << 10);
  void* wall = mmap(p + mib, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  auto* q = static_cast<char*>(mremap(p, mib, 2 * mib, MREMAP_MAYMOVE));
  if (q == MAP_FAILED) return 1;
  if (wall != MAP_FAILED) munmap(wall, 4096);
  touch(q + mib, 3, mib);
  mprotect(q, 8192, PROT_READ);
  madvise(q + mib, 256 << 10, MADV_FREE);
  touch(q + mib, 4, 256 << 10);
  const int ok = q[24 * 4096] == 1;  // past the DONTNEED pages: filled once, moved with its frame
  munmap(q, 2 * mib);
  auto* b = static_cast<char*>(sbrk(0));
  sbrk(256 << 10);
  touch(b, 5, 256 << 10);
  sbrk(-(128 << 10));
  return ok ? 0 : 1;
}
