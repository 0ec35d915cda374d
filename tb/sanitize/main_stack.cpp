// Puts AddressSanitizer back on the main thread's own stack when the program exits, before
// LeakSanitizer scans the stacks. Compiled into every binary that links SystemC (the top-level
// CMakeLists.txt adds it to PkgConfig::SYSTEMC); without ASan it does nothing.
//
// Why: Debian's libsystemc 2.3.4 reports its coroutine switches to ASan
// (__sanitizer_start_switch_fiber), but (1) a switch back to the main coroutine passes that
// coroutine's recorded stack, which SystemC never fills in (null, size 0), and (2) the switch
// out of an SC_THREAD that ended (sc_cor_qt abort) is not reported at all. After sc_start returns
// ASan therefore takes the main thread's stack to be empty, or to be the 256 KiB stack of the
// last thread that ended, which SystemC unmaps when it deletes the thread. LeakSanitizer at exit
// then skips the real main stack and scans that range instead: when another mapping has taken
// part of it, the scan faults ("Tracer caught signal 11 ... LeakSanitizer has encountered a fatal
// error", exit code 86), depending on address layout.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <sanitizer/common_interface_defs.h>

// Weak: resolved only when the ASan runtime is linked (as libsystemc refers to them).
#pragma weak __sanitizer_start_switch_fiber
#pragma weak __sanitizer_finish_switch_fiber

namespace {

const void* g_bottom = nullptr;  // the main thread's stack as ASan found it at startup
size_t g_size = 0;

// Makes ASan's current stack [bottom, bottom + size) and returns the one it had.
void switch_stack(const void* bottom, size_t size, const void** old_bottom, size_t* old_size) {
  void* fake = nullptr;  // kept across the switch: this thread goes on running
  __sanitizer_start_switch_fiber(&fake, bottom, size);
  __sanitizer_finish_switch_fiber(fake, old_bottom, old_size);
}

void restore_main_stack() {
  // The frame, not a local: with detect_stack_use_after_return a local lives on a fake stack.
  const auto sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  const auto bottom = reinterpret_cast<uintptr_t>(g_bottom);
  if (sp < bottom || sp - bottom >= g_size) return;  // exit() called on a coroutine's stack: leave it
  switch_stack(g_bottom, g_size, nullptr, nullptr);
}

// Before main, on the main stack and before any coroutine switch: ASan's own bounds of it are read
// by switching to an empty stack and back, and the exit handler is registered after ASan's leak
// check (handlers run last-registered first, so it runs before the check).
struct MainStack {
  MainStack() {
    if (!__sanitizer_start_switch_fiber || !__sanitizer_finish_switch_fiber) return;
    switch_stack(nullptr, 0, &g_bottom, &g_size);
    switch_stack(g_bottom, g_size, nullptr, nullptr);
    if (g_size) std::atexit(restore_main_stack);
  }
} g_main_stack;

}  // namespace
