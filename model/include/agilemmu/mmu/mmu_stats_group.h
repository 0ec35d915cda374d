// The Mmu's statistics declared for the registry (agilemmu/stats/registry.h): what `agilemmu run`
// writes under "mmu", bound to the counters the Mmu, its TLBs and walk caches keep.
#pragma once
#include <agilemmu/mmu/mmu.h>
#include <agilemmu/stats/registry.h>

namespace agilemmu::mmu {

// One TLB or walk cache: its geometry (the configuration, echoed) and its counters.
struct CacheView {
  const CacheCounters& c;
  const CacheGeometry& g;
};
const stats::Group<CacheView>& cache_stats_group();

// MmuStats' counters, named as under "mmu" (walker ones under "walker.").
const stats::Group<MmuStats>& mmu_counters_group();

// Everything under "mmu" but walker.occupancy, which needs the run's length.
const stats::Group<Mmu>& mmu_stats_group();

}  // namespace agilemmu::mmu
