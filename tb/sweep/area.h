// The `area` result column of a sweep: cells and flip-flops of the RTL walk unit (rtl/walk_unit.sv)
// each point describes (mmu.walkers, mmu.pwc.entries, mmu.pwc.ways on the sweep's walker
// parameter set), synthesized with yosys by scripts/synth-report.sh once per distinct parameter
// set and cached in a file next to the results.
#pragma once
#include <string>
#include <vector>

#include "sweep/results.h"
#include "sweep/spec.h"

namespace agilemmu::sweep {

// Adds stats.area_cells and stats.area_ffs to every ok record (a no-op unless the sweep has
// `area:`). `script` is synth-report.sh; `cache` the cache file ("rtl-version walker walkers entries
// ways" TAB cells TAB flip-flops per line; rtl-version from `script --rtl-version`). Throws std::runtime_error when a
// point lacks a key or synthesis fails.
void add_area(const Spec& s, std::vector<Json>& records, const std::string& script, const std::string& cache,
              bool quiet);

}  // namespace agilemmu::sweep
