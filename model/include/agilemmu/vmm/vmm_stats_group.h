// The guest OS / hypervisor model's statistics declared for the registry
// (agilemmu/stats/registry.h): what `agilemmu run` writes under "vmm".
#pragma once
#include <agilemmu/stats/registry.h>
#include <agilemmu/vmm/address_space.h>
#include <agilemmu/vmm/vmm.h>

namespace agilemmu::vmm {

// The Vmm's counters with the address space they changed (its table depth bounds the per-level
// counters; its compound table has the nested points left at the end).
struct VmmView {
  const VmmStats& s;
  const AddressSpace& as;
};
const stats::Group<VmmView>& vmm_stats_group();

}  // namespace agilemmu::vmm
