// The guest OS's side of a trace's memory-map events (sys/workload_op.h): it keeps the program's
// regions (VMAs) with their protections and applies each call to the guest page table through
// vmm::Vmm page by page, so every entry the guest writes is seen by the hypervisor model (shadow
// traps, agile policy input, MMU invalidations). Unmapped pages fault back on their next touch,
// with the permissions of the region they are in.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include <agilemmu/vmm/vmm.h>

#include "sys/workload_op.h"

namespace agilemmu::sys {

class MemoryMapReplay {
 public:
  MemoryMapReplay(vmm::Vmm& vmm, const vmm::AddressSpace& as) : vmm_(vmm), as_(as) {}
  void apply(const WorkloadOp& ev);
  // Permissions a demand fault at `va` maps with: those of the region holding it, or `dflt`
  // outside every region the trace announced (what valgrind mapped before the program ran:
  // the executable, the stack). False when the region allows no access (PROT_NONE).
  bool fault_perms(uint64_t va, pt::Perms dflt, pt::Perms& out) const;
  const std::array<uint64_t, kEventKinds>& counts() const { return counts_; }
  uint64_t pages_dropped() const { return dropped_; }
  void reset_counts() {  // (after a window's prologue: its statistics are the window's alone)
    counts_ = {};
    dropped_ = 0;
  }

 private:
  struct Vma {
    uint64_t end;
    uint32_t prot;
  };
  std::vector<uint64_t> mapped_pages(uint64_t lo, uint64_t hi) const;
  void drop(uint64_t lo, uint64_t hi);  // unmaps the guest pages in [lo, hi)
  void set_vma(uint64_t lo, uint64_t hi, uint32_t prot);
  void clear_vma(uint64_t lo, uint64_t hi);
  const Vma* vma_at(uint64_t va, uint64_t* start = nullptr) const;
  static pt::Perms perms_of(uint32_t prot);

  vmm::Vmm& vmm_;
  const vmm::AddressSpace& as_;
  std::map<uint64_t, Vma> vmas_;  // start -> [start, end), non-overlapping
  uint64_t brk_ = 0;              // the program break (0: not yet seen)
  std::array<uint64_t, kEventKinds> counts_{};
  uint64_t dropped_ = 0;
};

}  // namespace agilemmu::sys
