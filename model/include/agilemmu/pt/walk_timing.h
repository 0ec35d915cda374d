// Cycle contract of one walker executing one walk with no contention. The SystemC walker and the
// RTL walker both follow it, so the co-simulation scoreboard can compare cycles exactly:
//   cycles = start_cycles + sum over references of (memory latency + step_cycles)
//          + lookup_cycles for every walk-cache consultation.
#pragma once
#include <cstdint>

namespace agilemmu::pt {

struct WalkTiming {
  uint32_t start_cycles = 1;   // request accepted -> first memory request issued
  uint32_t step_cycles = 1;    // memory response -> next request issued (or result valid)
  uint32_t lookup_cycles = 0;  // per walk-cache (PWC / nested TLB) consultation

  uint64_t uncached(unsigned nrefs, uint32_t mem_latency) const {
    return start_cycles + static_cast<uint64_t>(nrefs) * (mem_latency + step_cycles);
  }
};

}  // namespace agilemmu::pt
