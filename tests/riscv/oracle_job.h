// The job the host gives the QEMU oracle's program: placed in guest RAM by -device loader.
// Shared by the bare-metal program (C) and the host tool (C++).
#pragma once
#include <stdint.h>

#define ORACLE_JOB_ADDR 0x80100000ull
#define ORACLE_MAGIC 0x31656c636172526full
#define ORACLE_MAX_ACCESSES 4096

struct OracleAccess {
  uint64_t va;
  uint64_t kind;   // 0 load, 1 store, 2 fetch
  uint64_t value;  // what a store writes
};

struct OracleJob {
  uint64_t magic;
  uint64_t hgatp;
  uint64_t vsatp;
  uint64_t vsstatus;
  uint64_t stub_va;    // VS-mode code: `ld a2,0(a0); ecall` at +0, `sd a2,0(a0); ecall` at +8
  uint64_t dump_base;  // the page-table region, dumped at the end (A/D bits left in memory)
  uint64_t dump_bytes;
  uint64_t count;
  struct OracleAccess access[ORACLE_MAX_ACCESSES];
};
