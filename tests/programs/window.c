/* A program with a start-up phase and a steady state, for windowed captures (docs/capture.md):
 * it writes 4096 pages of a heap buffer and maps, writes and unmaps another region, then calls
 * steady(), which only reads and writes pages it touched before. A window that starts at
 * steady()'s call must replay without faulting any of them in again. */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGES 4096

__attribute__((noinline)) long steady(volatile char* buf, int rounds) {
  long sum = 0;
  for (int r = 0; r < rounds; ++r)
    for (long p = 0; p < PAGES; ++p) {
      sum += buf[p * 4096 + (r & 63)];
      buf[p * 4096 + 64 + (r & 63)] = (char)sum;
    }
  return sum;
}

int main(void) {
  char* buf = malloc((size_t)PAGES * 4096);
  if (!buf) return 1;
  for (long p = 0; p < PAGES; ++p) buf[p * 4096] = (char)p;
  char* gone = mmap(0, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (gone == MAP_FAILED) return 1;
  for (long p = 0; p < 64; ++p) gone[p * 4096] = 1;
  munmap(gone, 64 * 4096);
  const long s = steady(buf, 8);
  _exit((int)(s & 1));
}
