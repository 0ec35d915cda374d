// The guest OS / hypervisor model's statistics declared for the registry
// (agilemmu/stats/registry.h): what `agilemmu run` writes under "vmm".
#pragma once
#include <agilemmu/stats/registry.h>
#include <agilemmu/vmm/address_space.h>
#include <agilemmu/vmm/vmm.h>

namespace agilemmu::vmm {

// The Vmm's counters (every process summed) with the guest table depth, which bounds the
// per-level counters, and the nested points its processes' compound tables have at the end.
struct VmmView {
  const VmmStats& s;
  unsigned levels;
  uint64_t nested_points;
};
const stats::Group<VmmView>& vmm_stats_group();

}  // namespace agilemmu::vmm
