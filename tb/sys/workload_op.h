// One request of a workload: a memory access, a synthetic OS/hypervisor event, or one of the
// program's own memory-map system calls carried in a trace.
#pragma once
#include <cstdint>

#include <agilemmu/pt/walk.h>

namespace agilemmu::sys {

struct WorkloadOp {
  enum Kind : uint8_t {
    Access,
    Remap,
    Unmap,
    HostMigrate,
    ContextSwitch,
    // The scheduler of a multi-process workload (sys/scheduler.h); `asid` names the process.
    Switch,  // it runs another process: the guest writes that process's root
    End,     // a process ended (its trace or accesses are done, or it exited)
    // `len` more instruction fetches of the page or line of the last fetch (at `va`), coalesced
    // by the capture (a trace's repeat record): counted, and charged as TLB-hit fetches.
    Repeat,
    // A windowed trace's prologue (Source::prologue): a page the program touched before the window,
    // at `va`, written when `access` is Write. Replay maps it before the run, uncharged.
    Touch,
    // The program's memory-map calls (trace events; fields below). Mmap..Exec keep this order:
    // the binary format's event codes are 1 + (kind - Mmap).
    Mmap,      // va, len, prot, flags
    Munmap,    // va, len
    Mremap,    // va, len -> va2, len2
    Brk,       // va: the new program break
    Mprotect,  // va, len, prot
    Madvise,   // va, len, prot = advice (MADV_DONTNEED 4 or MADV_FREE 8)
    Exit,      // prot = exit status: the process ends, its address space goes
    Exec,      // a new program image replaces the address space
  } kind = Access;
  uint64_t va = 0;
  uint32_t size = 8;
  pt::Access access = pt::Access::Read;
  bool user = true;
  uint32_t prot = 0, flags = 0;  // events: PROT_* bits (or advice, exit status); MAP_* flags
  uint64_t len = 0, va2 = 0, len2 = 0;
  uint16_t asid = 0;  // the process it belongs to in a multi-process workload (0: the only one)
};
const char* to_string(WorkloadOp::Kind);
constexpr unsigned kEventKinds = WorkloadOp::Exec - WorkloadOp::Mmap + 1;
inline bool is_mm_event(WorkloadOp::Kind k) { return k >= WorkloadOp::Mmap; }

// Linux x86-64 values the traces carry.
namespace linux_abi {
constexpr uint32_t kProtRead = 1, kProtWrite = 2, kProtExec = 4;
constexpr uint32_t kMapFixed = 0x10;
constexpr uint32_t kMadvDontneed = 4, kMadvFree = 8;
}  // namespace linux_abi

}  // namespace agilemmu::sys
