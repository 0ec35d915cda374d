// The RTL side of the walk-unit co-simulation: the Verilated rtl/walk_unit.sv builds of this
// executable (walk_unit_configs.h, so a mutant build links its own), driven cycle by cycle by
// unit_traffic.h, with the request inputs random outside the handshake and the rtl/sva
// assertions checked after every edge.
#pragma once
#include <string>
#include <vector>

#include <agilemmu/pt/walk.h>

#include "cosim/unit_cosim.h"

namespace agilemmu::cosim::unit {

// The build named `name`; throws std::invalid_argument if this executable has none.
Build find_build(const std::string& name);
SideResult run_rtl(const Options& o, const Build& b, const std::vector<pt::WalkRequest>& reqs);

}  // namespace agilemmu::cosim::unit
