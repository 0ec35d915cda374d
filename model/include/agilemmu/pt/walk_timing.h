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
    return observed(nrefs, static_cast<uint64_t>(nrefs) * mem_latency, 0);
  }
  // With what the walk actually saw (no walk cache): latency_sum adds each reference's own
  // latency, stall_cycles every cycle a reference waited to be accepted or the result to be taken.
  uint64_t observed(unsigned nrefs, uint64_t latency_sum, uint64_t stall_cycles) const {
    return start_cycles + static_cast<uint64_t>(nrefs) * step_cycles + latency_sum + stall_cycles;
  }
};

}  // namespace agilemmu::pt
