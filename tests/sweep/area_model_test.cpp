// Unit tests of the sweep's area model (sweep/area_model.h), the replicates' summary
// (sweep/replicates.h) and the sweep-file keys they come with (replicates, area, pareto plots).
#define BOOST_TEST_MODULE sweep_area
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "config/config.h"
#include "config/yaml_reader.h"
#include "sweep/area_model.h"
#include "sweep/replicates.h"
#include "sweep/spec.h"
#include "tmp_dir.h"

using namespace agilemmu::sweep;
using agilemmu::config::ConfigError;

namespace {

// Round numbers, so the expected areas can be worked out by hand.
Node unit_node() {
  Node n;
  n.name = "test";
  n.nand2_um2 = 1.0;
  n.dff_um2 = 5.0;
  n.sram_bit_um2 = 0.1;
  n.nand2_per_gate = 1.5;
  n.utilization = 0.5;
  n.array_efficiency = 0.5;
  n.cam_bit_factor = 2.0;
  n.port_growth = 0.5;
  return n;
}

const StructureArea* find(const MmuArea& a, const std::string& name) {
  for (const auto& p : a.parts)
    if (p.name == name) return &p;
  return nullptr;
}

double part(const MmuArea& a, const std::string& name) {
  const StructureArea* p = find(a, name);
  return p ? p->um2 : -1;
}

// The bit cells' share of an array's area (without comparators and way multiplexer).
double bits_um2(const StructureArea& s, const Node& n) { return s.um2 - s.ge * n.nand2_um2 / n.utilization; }

}  // namespace

BOOST_AUTO_TEST_CASE(synthesized_cells_to_um2) {
  // 1000 cells of which 100 flip-flops: 900 x 1.5 NAND2 x 1 um2 + 100 x 5 um2, over 50% utilization.
  const StructureArea s = synthesized("walk_unit", 1000, 100, unit_node());
  BOOST_TEST(s.um2 == (900 * 1.5 + 500) / 0.5, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(s.ge == 900 * 1.5 + 100 * 5.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(array_bits_cam_ports_and_comparators) {
  const Node n = unit_node();
  // Fully associative, 8 entries: tag in CAM (x2), 8 x (10 x 2 + 20) bits + 8 x 3 LRU bits, no comparator logic.
  const StructureArea fa = array("t", 8, 8, 10, 20, 1, n);
  BOOST_TEST(fa.um2 == (8 * (10 * 2.0 + 20) + 8 * 3) * 0.1 / 0.5, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(fa.ge == 0.0);
  // 2 ways of 4 sets: SRAM tags, 1 LRU bit per way, comparators and way mux as logic.
  const StructureArea sa = array("t", 8, 2, 10, 20, 1, n);
  const double ge = 2 * (2.5 * 10 + 2.33 * 20);
  BOOST_TEST(sa.ge == ge, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(sa.um2 == (8 * 30 + 8 * 1) * 0.1 / 0.5 + ge * 1.0 / 0.5, boost::test_tools::tolerance(1e-9));
  // A second port grows both sides of the cell by half: 2.25x the bit area.
  const StructureArea two = array("t", 8, 8, 10, 20, 2, n);
  BOOST_TEST(two.um2 == fa.um2 * 2.25, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(array("t", 0, 1, 10, 20, 1, n).um2 == 0.0);
}

BOOST_AUTO_TEST_CASE(every_enabled_structure_is_counted_or_named) {
  agilemmu::config::Config cfg = agilemmu::config::load_text(agilemmu::config::default_config_yaml(), "<default>",
                                                             {"mmu.ntlb.entries=64", "mmu.npwc.entries=32"});
  const Node n = unit_node();
  const MmuArea with_unit = mmu_area(cfg, n, true, 1000, 100);
  for (const char* s : {"l1i", "l1d", "l2tlb", "ntlb", "npwc", "walk_unit"}) BOOST_TEST(part(with_unit, s) > 0, s);
  BOOST_TEST(part(with_unit, "pwc") == -1);  // inside the synthesized walk unit
  double sum = 0;
  for (const auto& p : with_unit.parts) sum += p.um2;
  BOOST_TEST(with_unit.total_um2() == sum, boost::test_tools::tolerance(1e-9));
  // No RTL: the PWC from the array model, the walkers named as not counted.
  const MmuArea arrays = mmu_area(cfg, n, false, 0, 0);
  BOOST_TEST(part(arrays, "pwc") > 0);
  BOOST_REQUIRE(!arrays.not_counted.empty());
  BOOST_TEST(arrays.not_counted[0].rfind("walkers", 0) == 0u);
  // Structures switched off are not in the area; a nested TLB of twice the entries is bigger.
  cfg = agilemmu::config::load_text(agilemmu::config::default_config_yaml(), "<default>",
                                    {"mmu.ntlb.entries=0", "mmu.npwc.entries=0", "mmu.l2tlb.entries=0"});
  const MmuArea off = mmu_area(cfg, n, true, 1000, 100);
  BOOST_TEST(part(off, "ntlb") == -1);
  BOOST_TEST(part(off, "npwc") == -1);
  BOOST_TEST(part(off, "l2tlb") == -1);
  // Twice the entries (same ways): twice the sets, one tag bit fewer; the same comparators.
  cfg = agilemmu::config::load_text(agilemmu::config::default_config_yaml(), "<default>", {"mmu.ntlb.entries=128"});
  const MmuArea big = mmu_area(cfg, n, true, 1000, 100);
  const StructureArea &a64 = *find(with_unit, "ntlb"), &a128 = *find(big, "ntlb");
  BOOST_TEST(a128.tag_bits + 1 == a64.tag_bits);
  BOOST_TEST(a128.ge < a64.ge);
  const double per_entry64 = a64.tag_bits + a64.data_bits + 3, per_entry128 = a128.tag_bits + a128.data_bits + 3;
  BOOST_TEST(bits_um2(a128, n) / bits_um2(a64, n) == 2 * per_entry128 / per_entry64,
             boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(node_file_errors_name_the_key) {
  TmpDir d;
  const std::string f = d.write("nodes.yaml",
                                "nodes:\n  a:\n    nand2_um2: 1\n    dff_um2: 5\n    sram_bit_um2: 0.1\n"
                                "model:\n  utilization: 0.8\n");
  const Node n = load_node(f, "a");
  BOOST_TEST(n.nand2_um2 == 1.0);
  BOOST_TEST(n.utilization == 0.8);
  try {
    load_node(f, "b");
    BOOST_FAIL("an unknown node loaded");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find("'nodes.b': no such process node (known: a)") != std::string::npos, e.what());
  }
  const std::string typo = d.write("typo.yaml", "nodes:\n  a:\n    nand_um2: 1\n");
  try {
    load_node(typo, "a");
    BOOST_FAIL("a misspelt key loaded");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find("typo.yaml:3") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(the_shipped_nodes_load) {
  for (const char* node : {"45nm", "7nm"}) {
    const Node n = load_node(AGILEMMU_SOURCE_DIR "/configs/area/nodes.yaml", node);
    BOOST_TEST(n.nand2_um2 > 0);
    BOOST_TEST(n.sram_bit_um2 < n.nand2_um2);  // a bit cell is smaller than a NAND2 at every node
  }
}

BOOST_AUTO_TEST_CASE(student_t_quantiles) {
  BOOST_TEST(t95(1) == 12.706, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(t95(4) == 2.776, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(t95(30) == 2.042, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(t95(60) == 2.000, boost::test_tools::tolerance(0.001));   // tables: 2.000
  BOOST_TEST(t95(120) == 1.980, boost::test_tools::tolerance(0.001));  // tables: 1.980
}

BOOST_AUTO_TEST_CASE(replicates_give_mean_sd_and_interval) {
  std::vector<Json> runs;
  const double cycles[] = {10, 12, 14, 100, 100, 100};
  for (int i = 0; i < 6; ++i) {
    Json r;
    r["point"] = i;
    r["assignments"] = {{"k", i < 3 ? "a" : "b"}};
    r["status"] = "ok";
    r["replicate"] = i % 3;
    r["stats"] = {{"mode", "agile"}, {"cycles", cycles[i]}, {"mmu", {{"walks", i}}}};
    runs.push_back(r);
  }
  runs[5]["status"] = "failed";
  runs[5]["error"] = "exit 1: boom";
  const auto rows = summarize_replicates(runs, 3);
  BOOST_REQUIRE_EQUAL(rows.size(), 2u);
  const Json& s = rows[0]["stats"];
  BOOST_TEST(rows[0]["point"].get<int>() == 0);
  BOOST_TEST(s["mode"].get<std::string>() == "agile");
  BOOST_TEST(s["cycles"].get<double>() == 12.0);
  BOOST_TEST(s["cycles.sd"].get<double>() == 2.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s["cycles.ci95"].get<double>() == 4.303 * 2 / std::sqrt(3.0), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s["mmu.walks"].get<double>() == 1.0);
  BOOST_TEST(s["replicates"].get<int>() == 3);
  BOOST_TEST(!rows[0].contains("replicate"));
  BOOST_TEST(rows[1]["status"].get<std::string>() == "failed");
  BOOST_TEST(rows[1]["error"].get<std::string>() == "replicate 2: exit 1: boom");
}

BOOST_AUTO_TEST_CASE(replicates_expand_with_consecutive_seeds) {
  TmpDir d;
  d.write("base.yaml", "seed: 7\n");
  const Spec s = load_spec(d.write("s.yaml", "base: base.yaml\nreplicates: 3\naxes:\n  mmu.walkers: [1, 2]\n"));
  const auto pts = expand(s);
  BOOST_REQUIRE_EQUAL(pts.size(), 6u);
  BOOST_TEST(pts[4].index == 4u);
  BOOST_TEST(pts[4].replicate == 1u);
  BOOST_TEST(describe(pts[4].assignments) == "mmu.walkers=2");
  // Replicate 0 runs as without replicates; replicate k with the config's seed + k.
  BOOST_TEST(s.sets_for(pts[3]) == (std::vector<std::string>{"mmu.walkers=2"}), boost::test_tools::per_element());
  BOOST_TEST(s.sets_for(pts[5]) == (std::vector<std::string>{"mmu.walkers=2", "seed=9"}),
             boost::test_tools::per_element());
  BOOST_TEST(identity(pts[4], s) != identity(pts[5], s));
  const Spec seeded =
      load_spec(d.write("t.yaml", "base: base.yaml\nreplicates: 2\naxes:\n  mmu.walkers: [1]\nset:\n  seed: 3\n"));
  BOOST_CHECK_THROW(expand(seeded), ConfigError);
}

BOOST_AUTO_TEST_CASE(pareto_plot_and_area_keys) {
  TmpDir d;
  d.write("base.yaml", "seed: 1\n");
  const Spec s = load_spec(
      d.write("s.yaml",
              "base: base.yaml\naxes:\n  mmu.mode: [nested, agile]\n  mmu.walkers: [1, 2]\n"
              "area: {walker: l4, node: 7nm}\n"
              "plots:\n  - {kind: pareto, x: area.total_um2, y: [cycles], series: mmu.mode, label: [mmu.walkers],"
              " baseline: 'mmu.mode=nested,mmu.walkers=1'}\n"));
  BOOST_TEST(s.area);
  BOOST_TEST(s.area_node == "7nm");
  BOOST_REQUIRE_EQUAL(s.plots.size(), 1u);
  BOOST_TEST(s.plots[0].kind == "pareto");
  BOOST_TEST(s.plots[0].x == "area.total_um2");  // a statistic: not a swept key
  BOOST_TEST(s.plots[0].baseline == "mmu.mode=nested,mmu.walkers=1");
  auto error_of = [&](const std::string& text) -> std::string {
    try {
      load_spec(d.write("e.yaml", text));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  const std::string head =
      "base: base.yaml\naxes:\n  mmu.walkers: [1, 2]\nplots:\n  - {kind: pareto, x: cycles, y: [a]";
  BOOST_TEST(error_of(head + ", label: [nope]}\n").find("'nope' is not a swept key") != std::string::npos);
  BOOST_TEST(error_of(head + ", baseline: 'x=1'}\n").find("expected SWEPT_KEY=VALUE") != std::string::npos);
  BOOST_TEST(error_of(head + ", per: accesses, baseline: 'mmu.walkers=1'}\n").find("exclude each other") !=
             std::string::npos);
  BOOST_TEST(error_of("base: base.yaml\naxes:\n  mmu.walkers: [1]\nplots:\n  - {kind: pie, y: [a]}\n").find("kind") !=
             std::string::npos);
}
