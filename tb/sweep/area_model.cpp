#include "sweep/area_model.h"

#include <cmath>

#include <agilemmu/pt/bits.h>

#include "config/yaml_reader.h"

namespace agilemmu::sweep {

using pt::ceil_log2;

Node load_node(const std::string& file, const std::string& name) {
  const config::Value root = config::load_file(file);
  config::Section top(&root, "", file);
  config::Section nodes = top.sub("nodes");
  if (!nodes.has(name)) {
    std::string known;
    if (auto it = root.map.find("nodes"); it != root.map.end())
      for (const auto& k : it->second.order) known += (known.empty() ? "" : ", ") + k;
    throw config::ConfigError(file + ": key 'nodes." + name + "': no such process node (known: " + known + ")");
  }
  Node n;
  n.name = name;
  for (const auto& k : root.map.at("nodes").order) {  // every node is checked, not only the one used
    config::Section s = nodes.sub(k);
    const double a = s.real("nand2_um2", 0, 1e-6, 1e3), d = s.real("dff_um2", 0, 1e-6, 1e3),
                 b = s.real("sram_bit_um2", 0, 1e-6, 1e3);
    s.finish();
    if (k == name) n.nand2_um2 = a, n.dff_um2 = d, n.sram_bit_um2 = b;
  }
  nodes.finish();
  config::Section m = top.sub("model");
  n.nand2_per_gate = m.real("nand2_per_gate", n.nand2_per_gate, 0.1, 10);
  n.utilization = m.real("utilization", n.utilization, 0.05, 1);
  n.array_efficiency = m.real("array_efficiency", n.array_efficiency, 0.05, 1);
  n.cam_bit_factor = m.real("cam_bit_factor", n.cam_bit_factor, 1, 10);
  n.port_growth = m.real("port_growth", n.port_growth, 0, 2);
  m.finish();
  top.finish();
  return n;
}

StructureArea synthesized(const std::string& name, unsigned long long cells, unsigned long long ffs, const Node& n) {
  StructureArea s;
  s.name = name;
  s.how = "synthesis";
  const double logic = static_cast<double>(cells - std::min(cells, ffs)) * n.nand2_per_gate;
  s.ge = logic + static_cast<double>(ffs) * n.dff_um2 / n.nand2_um2;
  s.um2 = (logic * n.nand2_um2 + static_cast<double>(ffs) * n.dff_um2) / n.utilization;
  return s;
}

StructureArea array(const std::string& name, unsigned entries, unsigned ways, unsigned tag_bits, unsigned data_bits,
                    unsigned ports, const Node& n) {
  StructureArea s;
  s.name = name;
  s.how = "array model";
  s.entries = entries;
  s.ways = ways;
  s.tag_bits = tag_bits;
  s.data_bits = data_bits;
  s.ports = ports;
  if (entries == 0) return s;
  // A port past the first adds a word line and a bit-line pair: both sides of the cell grow.
  const double grow = 1 + n.port_growth * (ports - 1);
  const double bit = n.sram_bit_um2 * grow * grow;
  const bool cam = ways >= entries;  // fully associative: the tags are searched in parallel
  const unsigned sets = entries / ways;
  const double lru_bits = static_cast<double>(sets) * ways * ceil_log2(ways);
  const double cells = entries * (tag_bits * (cam ? n.cam_bit_factor : 1.0) + data_bits) + lru_bits;
  s.um2 = cells * bit / n.array_efficiency;
  if (!cam) {
    // Per way: a tag comparator (an XOR and a share of the AND tree per bit, ~2.5 NAND2) and the
    // way's share of the data multiplexer (~2.33 NAND2 per bit, a MUX2). Our estimate.
    s.ge = ways * (2.5 * tag_bits + 2.33 * data_bits);
    s.um2 += s.ge * n.nand2_um2 / n.utilization;
  }
  return s;
}

double MmuArea::total_um2() const {
  double t = 0;
  for (const auto& p : parts) t += p.um2;
  return t;
}

MmuArea mmu_area(const config::Config& cfg, const Node& n, bool have_unit, unsigned long long unit_cells,
                 unsigned long long unit_ffs) {
  // Entry formats (our reading of the model's structures; the model's contexts are 16-bit ASID and VMID):
  //  TLB   tag: VPN above the set index, ASID, VMID, page size (2), valid; data: frame, W/U/X/D/G.
  //  nTLB  tag: guest frame above the set index, VMID, page size, valid; data: host frame, W/U/X/D.
  //  PWC   tag: VA prefix above the lowest cached level, ASID, VMID, level (3), valid; data: table frame,
  //        nested-style flag.  nPWC: the same over guest-physical addresses, VMID only.
  constexpr unsigned kCtx = 16, kFrameFlags = 5;
  const mmu::MmuConfig& m = cfg.mmu;
  const unsigned va = cfg.format.va_bits(), pa = cfg.format.maxphyaddr, frame = pa - 12;
  MmuArea a;
  auto tlb = [&](const char* name, const mmu::CacheGeometry& g) {
    if (!g.entries) return;
    const unsigned tag = va - 12 - ceil_log2(g.sets()) + 2 * kCtx + 2 + 1;
    a.parts.push_back(array(name, g.entries, g.ways, tag, frame + kFrameFlags, 1, n));
  };
  if (m.split_l1) tlb("l1i", m.l1i.geo);
  tlb("l1d", m.l1d.geo);
  tlb("l2tlb", m.l2.geo);
  if (m.ntlb.entries)
    a.parts.push_back(array("ntlb", m.ntlb.entries, m.ntlb.ways, pa - 12 - ceil_log2(m.ntlb.sets()) + kCtx + 2 + 1,
                            frame + kFrameFlags - 1, 1, n));
  if (m.npwc.entries)
    a.parts.push_back(
        array("npwc", m.npwc.entries, m.npwc.ways, pa - 21 - ceil_log2(m.npwc.sets()) + kCtx + 3 + 1, frame, 1, n));
  if (have_unit) {
    StructureArea u = synthesized("walk_unit", unit_cells, unit_ffs, n);
    u.entries = m.pwc.entries;
    u.ways = m.pwc.ways;
    a.parts.push_back(u);
  } else {
    if (m.pwc.entries)
      a.parts.push_back(array("pwc", m.pwc.entries, m.pwc.ways, va - 21 - ceil_log2(m.pwc.sets()) + 2 * kCtx + 3 + 1,
                              frame + 1, 1, n));
    a.not_counted.push_back("walkers (" + std::to_string(m.walkers) +
                            "; no RTL synthesized for them: give the sweep's area: a walker set)");
  }
  if (cfg.ptcache.geo.entries)
    a.not_counted.push_back("ptcache (the page-table line cache, " + std::to_string(cfg.ptcache.geo.entries) +
                            " lines: a data-cache level, not the MMU's)");
  return a;
}

}  // namespace agilemmu::sweep
