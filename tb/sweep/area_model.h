// Silicon area of a configured MMU, per structure, in µm² at a process node: the RTL walk unit
// (walkers and first-dimension PWC) from its synthesized cell and flip-flop counts, every other
// enabled structure (L1/L2 TLBs, nested TLB, nested PWC; the PWC too when no RTL is synthesized)
// from an analytical SRAM/CAM array model. The constants come from a node file
// (configs/area/nodes.yaml; their sources are in configs/README.md, "Area constants").
#pragma once
#include <string>
#include <vector>

#include "config/config.h"

namespace agilemmu::sweep {

// One process node's published cell areas and the model's own estimates (nodes.yaml).
struct Node {
  std::string name;
  double nand2_um2 = 0;     // a two-input NAND of the node's standard-cell library
  double dff_um2 = 0;       // a D flip-flop of the same library
  double sram_bit_um2 = 0;  // a 6T SRAM bit cell
  // Our estimates (nodes.yaml `model:`), the same at every node.
  double nand2_per_gate = 1.5;    // NAND2 equivalents of one yosys generic logic cell
  double utilization = 0.7;       // standard-cell area / placed block area
  double array_efficiency = 0.5;  // bit-cell area / array area (decoders, sense amps, drivers)
  double cam_bit_factor = 2.0;    // a CAM bit (10T NOR cell) / a 6T bit
  double port_growth = 0.5;       // each port past the first grows the cell's sides by this
};

// Reads node `name` from the node file; throws config::ConfigError naming file, line and key.
Node load_node(const std::string& file, const std::string& name);

struct StructureArea {
  std::string name;  // l1i, l1d, l2tlb, ntlb, npwc, pwc, walk_unit
  std::string how;   // "synthesis" or "array model"
  unsigned entries = 0, ways = 0, tag_bits = 0, data_bits = 0, ports = 1;
  double ge = 0;   // NAND2 equivalents (synthesis: logic and flip-flops; arrays: comparators and way mux)
  double um2 = 0;  // placed area
};

// Synthesized logic: `cells` yosys cells of which `ffs` flip-flops.
StructureArea synthesized(const std::string& name, unsigned long long cells, unsigned long long ffs, const Node& n);

// A tagged array: entries x (tag + data + replacement bits) bit cells (the tag in CAM when fully
// associative), divided by the array efficiency, plus per-way comparators and the way multiplexer
// as logic (set-associative only).
StructureArea array(const std::string& name, unsigned entries, unsigned ways, unsigned tag_bits, unsigned data_bits,
                    unsigned ports, const Node& n);

struct MmuArea {
  std::vector<StructureArea> parts;
  std::vector<std::string> not_counted;  // "walkers (no RTL synthesized: area: walker)", "ptcache (...)"
  double total_um2() const;
};

// Every enabled structure of `cfg` by the array model; the walk unit (walkers + PWC) from
// `unit` when `have_unit`, else the PWC by the array model and the walkers listed as not counted.
MmuArea mmu_area(const config::Config& cfg, const Node& n, bool have_unit, unsigned long long unit_cells,
                 unsigned long long unit_ffs);

}  // namespace agilemmu::sweep
