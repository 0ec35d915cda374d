// The model side of the walk-unit co-simulation: the SystemC Mmu configured as the unit (AT, TLBs
// off, the build's walkers and PWC), its memory and CPU side playing the unit's arbiters and
// result channel by the contract of rtl/README.md ("The walk unit"), driven by unit_traffic.h.
#pragma once
#include <vector>

#include <agilemmu/pt/walk.h>

#include "cosim/unit_cosim.h"

namespace agilemmu::cosim::unit {

// Runs every request through the Mmu (one SystemC simulation: once per process).
SideResult run_model(const Options& o, const Build& b, const std::vector<pt::WalkRequest>& reqs);

}  // namespace agilemmu::cosim::unit
