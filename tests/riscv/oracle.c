// The QEMU oracle's bare-metal program: see oracle.S. Prints one line per access
//   A <index> ok <value>              | A <index> trap <mcause> <mtval> <mtval2>
// (hex), then every nonzero 64-bit word of the page-table region "M <addr> <value>", then "E".
#include <stdint.h>

#include "oracle_job.h"

extern uint64_t rv_loaded, rv_cause, rv_tval, rv_tval2, rv_epc;
int do_access(uint64_t va, uint64_t kind, uint64_t value, uint64_t stub_va);

static volatile uint8_t* const uart = (volatile uint8_t*)0x10000000;
static void putc_(char c) {
  while (!(uart[5] & 0x20)) {
  }
  uart[0] = (uint8_t)c;
}
static void puts_(const char* s) {
  while (*s) putc_(*s++);
}
static void hex(uint64_t v) {
  putc_(' ');
  for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 0xf]);
}

int main(void) {
  const struct OracleJob* job = (const struct OracleJob*)ORACLE_JOB_ADDR;
  // S/U (and VS/VU) accesses need a PMP entry: one NAPOT region over everything, RWX.
  __asm__ volatile("csrw pmpaddr0, %0" ::"r"(~0ull));
  __asm__ volatile("csrw pmpcfg0, %0" ::"r"(0x1full));
  __asm__ volatile("csrw medeleg, zero");
  __asm__ volatile("csrw 0x680, %0" ::"r"(job->hgatp));     // hgatp
  __asm__ volatile("csrw 0x280, %0" ::"r"(job->vsatp));     // vsatp
  __asm__ volatile("csrw 0x200, %0" ::"r"(job->vsstatus));  // vsstatus (SUM, MXR)
  if (job->magic != ORACLE_MAGIC) {
    puts_("X bad job\n");
  } else {
    for (uint64_t i = 0; i < job->count; ++i) {
      const struct OracleAccess* a = &job->access[i];
      puts_("A");
      hex(i);
      do_access(a->va, a->kind, a->value, job->stub_va);
      if (a->kind == 2 || rv_cause != 10) {
        puts_(" trap");
        hex(rv_cause);
        hex(rv_tval);
        hex(rv_tval2);
        hex(rv_epc);
      } else {
        puts_(" ok");
        hex(rv_loaded);
      }
      putc_('\n');
    }
    const volatile uint64_t* w = (const volatile uint64_t*)job->dump_base;
    for (uint64_t i = 0; i < job->dump_bytes / 8; ++i)
      if (w[i]) {
        puts_("M");
        hex(job->dump_base + 8 * i);
        hex(w[i]);
        putc_('\n');
      }
  }
  puts_("E\n");
  *(volatile uint32_t*)0x100000 = 0x5555;  // virt's test finisher: QEMU exits
  for (;;) {
  }
}
