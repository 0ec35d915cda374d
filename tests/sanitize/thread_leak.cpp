// A deliberate leak inside an SC_THREAD (asan_repeat.sh): LeakSanitizer must report it at exit.
// The threads end, so SystemC leaves the last one without telling ASan and then unmaps its stack;
// memory mapped and partly unmapped afterwards (as a busy program's later allocations do) leaves
// holes in that range. Without tb/sanitize/main_stack.cpp, LeakSanitizer scans the range as the
// main thread's stack and faults on a hole ("LeakSanitizer has encountered a fatal error"),
// reporting nothing.
#include <sys/mman.h>

#include <systemc>

namespace {
int* volatile g_last = nullptr;  // volatile: the allocation is not optimised away

struct Leaker : sc_core::sc_module {
  SC_HAS_PROCESS(Leaker);
  explicit Leaker(const sc_core::sc_module_name& n) : sc_module(n) {
    SC_THREAD(leak_in_thread);
    SC_THREAD(tick);
  }
  void leak_in_thread() {
    wait(1, sc_core::SC_NS);
    g_last = new int[1000];
    g_last[0] = 1;
    g_last = nullptr;
  }
  void tick() {
    for (int i = 0; i < 3; ++i) wait(2, sc_core::SC_NS);
  }
};
}  // namespace

int sc_main(int, char**) {
  Leaker l("leaker");
  sc_core::sc_start();
  for (int i = 0; i < 64; ++i) {  // 64 KiB mappings, each with one page unmapped
    auto* p = static_cast<char*>(mmap(nullptr, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (p != MAP_FAILED) munmap(p + 4096 * (i % 15 + 1), 4096);
  }
  return 0;
}
