// Config loading: defaults, includes, --set, and errors that name file, line and key.
#define BOOST_TEST_MODULE config
#include <boost/test/unit_test.hpp>
#include <fstream>

#include <agilemmu/pt/print.h>

#include "config/config.h"

using namespace agilemmu;
using config::ConfigError;

namespace {
std::string error_of(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  try {
    config::load_text(yaml, "t.yaml", sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(defaults_and_default_config) {
  const auto c = config::load_text("", "empty.yaml");
  BOOST_TEST(c.format.levels == 4u);
  BOOST_TEST(c.format.selector_bit == 52u);
  BOOST_TEST(c.mode == pt::Mode::Agile);
  // The recommended agile configuration (docs/model.md): the ISCA 2016 policy, processes starting
  // shadow-style; the embedded default config places no region by hand.
  BOOST_TEST((c.agile_policy == vmm::Policy::Isca));
  BOOST_TEST(!c.dynamic.start_nested);
  const auto d = config::load_text(config::default_config_yaml(), "<default>");
  BOOST_TEST(d.regions.size() == 3u);
  BOOST_TEST((d.agile_policy == vmm::Policy::Isca));
  for (const auto& r : d.regions) BOOST_TEST((r.paging == config::Paging::Shadow));
}

BOOST_AUTO_TEST_CASE(unknown_key_names_file_line_and_key) {
  BOOST_TEST(error_of("mmu:\n  mode: nested\n  modee: x\n")
                 .find("t.yaml:3: key 'mmu.modee': unknown key (did you mean 'mode'? known here: ") == 0u);
  BOOST_TEST(error_of("mmu:\n  l2tlb:\n    entires: 64\n")
                 .find("t.yaml:3: key 'mmu.l2tlb.entires': unknown key (did you mean 'entries'?") == 0u);
  BOOST_TEST(error_of("foo: 1\n").find("t.yaml:1: key 'foo': unknown key") == 0u);
}

BOOST_AUTO_TEST_CASE(wrong_types_and_values) {
  BOOST_TEST(error_of("seed: 1\nformat:\n  levels: 6\n").find("t.yaml:3: key 'format.levels': value 6 out of range") ==
             0u);
  BOOST_TEST(error_of("mmu: {mode: paged}\n").find("t.yaml:1: key 'mmu.mode': 'paged' is not one of") == 0u);
  BOOST_TEST(error_of("guest:\n  regions:\n    - {base: 0x1000, size: 4K, page_size: 3K}\n")
                 .find("t.yaml:3: key 'guest.regions[0].page_size'") == 0u);
  BOOST_TEST(error_of("guest:\n  regions:\n    - {base: 0x1000, size: 4K}\n    - {base: 0x1000, size: 4K}\n")
                 .find("overlaps region") != std::string::npos);
  BOOST_TEST(error_of("format: {selector_bit: 20}\n").find("software-available") != std::string::npos);
  BOOST_TEST(error_of("guest: 3\n").find("key 'guest': expected a map") != std::string::npos);
  const std::string syntax = error_of("seed: 1\nmmu: [1\n");
  BOOST_TEST(syntax.find("t.yaml:") == 0u);
  BOOST_TEST(syntax.find("YAML syntax error") != std::string::npos);
  BOOST_TEST(error_of("seed: 1\nseed: 2\n").find("appears twice") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(set_overrides_and_errors) {
  const auto c = config::load_text("mmu: {mode: agile}\nguest:\n  regions:\n    - {base: 0x1000, size: 4K}\n", "t.yaml",
                                   {"mmu.mode=nested", "guest.regions.0.size=8K", "format.levels=5"});
  BOOST_TEST(c.mode == pt::Mode::Nested);
  BOOST_TEST(c.regions[0].size == 8192u);
  BOOST_TEST(c.format.levels == 5u);
  BOOST_TEST(error_of("", {"mmu.walkerz=2"}).find("--set: key 'mmu.walkerz': unknown key") == 0u);
  BOOST_TEST(error_of("", {"nonsense"}).find("expected KEY=VALUE") != std::string::npos);
  BOOST_TEST(error_of("guest: {regions: [{base: 0, size: 4K}]}", {"guest.regions.3.size=1"}).find("not an index") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(include_base_and_override) {
  const std::string dir = "config_test_tmp";
  std::system(("mkdir -p " + dir).c_str());
  std::ofstream(dir + "/base.yaml") << "seed: 5\nmmu: {mode: shadow}\nformat: {levels: 5}\n";
  std::ofstream(dir + "/top.yaml") << "include: base.yaml\nmmu:\n  mode: nested\n";
  const auto c = config::load(dir + "/top.yaml");
  BOOST_TEST(c.seed == 5u);
  BOOST_TEST(c.mode == pt::Mode::Nested);
  BOOST_TEST(c.format.levels == 5u);
  std::ofstream(dir + "/bad.yaml") << "include: base.yaml\nformat:\n  levls: 4\n";
  try {
    config::load(dir + "/bad.yaml");
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find(dir + "/bad.yaml:3: key 'format.levls'") == 0u);
  }
  std::ofstream(dir + "/bad2.yaml") << "include: base.yaml\n";
  std::ofstream(dir + "/base.yaml") << "seed: 5\nmmu: {mode: shadowy}\n";
  try {
    config::load(dir + "/bad2.yaml");
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find(dir + "/base.yaml:2: key 'mmu.mode'") == 0u);  // the included file
  }
  try {
    config::load(dir + "/missing.yaml");
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find("cannot open") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(sizes_parse_with_suffixes) {
  uint64_t v;
  BOOST_TEST((config::parse_u64("4K", v) && v == 4096u));
  BOOST_TEST((config::parse_u64("0x1000", v) && v == 4096u));
  BOOST_TEST((config::parse_u64("2MiB", v) && v == (2u << 20)));
  BOOST_TEST((config::parse_u64("1_000", v) && v == 1000u));
  BOOST_TEST(!config::parse_u64("-1", v));
  BOOST_TEST(!config::parse_u64("12Q", v));
  BOOST_TEST(!config::parse_u64("99999999999999999999", v));
  BOOST_TEST(!config::parse_u64("16777216T", v));  // overflows
}

BOOST_AUTO_TEST_CASE(malformed_set_value_is_a_config_error) {  // found by fuzz.config.smoke
  BOOST_TEST(error_of("", {"mmu.mode={"}).find("--set: key 'mmu.mode': value '{' is not valid YAML") == 0u);
}

BOOST_AUTO_TEST_CASE(regions_neither_wrap_nor_span_the_canonical_hole) {  // fuzz_config checks this too
  // base + size wrapped to 0x1000: the region was accepted and hid its overlap with the next one.
  BOOST_TEST(error_of("guest:\n  regions:\n    - {base: 0xfffffffffffff000, size: 8K}\n    - {base: 0, size: 4K}\n")
                 .find("t.yaml:3: key 'guest.regions[0].size': region runs past the end of the 64-bit address space") ==
             0u);
  // Both ends canonical, everything between them not.
  BOOST_TEST(error_of("guest:\n  regions:\n    - {base: 0x7ffffffff000, size: 0xffff000000002000}\n")
                 .find("region is not in the canonical 48-bit address space") != std::string::npos);
  // A region ending at the top of the address space is fine, and overlaps are still found there.
  BOOST_TEST(
      config::load_text("guest:\n  regions:\n    - {base: 0xfffffffffffff000, size: 4K}\n", "t.yaml").regions.size() ==
      1u);
  BOOST_TEST(error_of("guest:\n  regions:\n    - {base: 0xffffffffffffe000, size: 8K}\n    - {base: "
                      "0xfffffffffffff000, size: 4K}\n")
                 .find("overlaps region 'region0'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(agile_policy_and_start) {
  const auto isca = config::load_text("agile: {policy: isca, start: nested}\n", "t.yaml");
  BOOST_TEST(std::string(vmm::to_string(isca.agile_policy)) == "isca");
  BOOST_TEST(isca.dynamic.start_nested);
  BOOST_TEST(!config::load_text("agile: {policy: dynamic}\n", "t.yaml").dynamic.start_nested);
  const std::string e = error_of("agile:\n  policy: static\n  start: nested\n");
  BOOST_TEST(e.find("t.yaml:3") != std::string::npos, e);
  BOOST_TEST(e.find("agile.start") != std::string::npos, e);
  BOOST_TEST(error_of("agile: {policy: paper}\n").find("static, dynamic, isca") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(workload_processes) {
  const auto c = config::load_text(R"(workload:
  accesses: 500
  time_slice: 40
  processes:
    - name: a
      regions: [{name: heap, base: 0x10000000, size: 1M}]
    - regions: [{name: heap, base: 0x10000000, size: 2M, page_size: 2M}]   # may overlap another process's
      accesses: 7
    - {name: t, trace: ls.lackey, trace_limit: 9}
)",
                                   "t.yaml");
  BOOST_TEST(c.workload.time_slice == 40u);
  BOOST_REQUIRE(c.workload.processes.size() == 3u);
  const auto& p = c.workload.processes;
  BOOST_TEST(p[0].name == "a");
  BOOST_TEST(p[0].accesses == 500u);  // workload.accesses
  BOOST_TEST(p[1].name == "process1");
  BOOST_TEST(p[1].accesses == 7u);
  BOOST_TEST(p[1].regions[0].size == (2u << 20));
  BOOST_TEST(p[2].trace.find("ls.lackey") != std::string::npos);
  BOOST_TEST(p[2].trace_limit == 9u);
  BOOST_TEST(p[2].regions.empty());
  BOOST_TEST(config::load_text("", "t.yaml").workload.processes.empty());
}

BOOST_AUTO_TEST_CASE(workload_processes_errors) {
  const std::string head = "workload:\n  processes:\n";
  BOOST_TEST(error_of(head + "    - {regions: [{base: 0x1000, size: 4K}], colour: red}\n")
                 .find("t.yaml:3: key 'workload.processes[0].colour': unknown key") != std::string::npos);
  BOOST_TEST(error_of("workload:\n  processes: []\n").find("'workload.processes': must list at least one process") !=
             std::string::npos);
  BOOST_TEST(error_of(head + "    - {name: a}\n").find("either a trace or regions") != std::string::npos);
  BOOST_TEST(
      error_of(head + "    - {trace: x, regions: [{base: 0x1000, size: 4K}]}\n").find("either a trace or regions") !=
      std::string::npos);
  BOOST_TEST(error_of(head + "    - {trace: x, accesses: 5}\n").find("'workload.processes[0].accesses'") !=
             std::string::npos);
  BOOST_TEST(
      error_of(head + "    - {name: a, trace: x}\n    - {name: a, trace: y}\n").find("two processes are called 'a'") !=
      std::string::npos);
  BOOST_TEST(error_of(head + "    - {regions: [{base: 0x1000, size: 8K}, {base: 0x2000, size: 4K}]}\n")
                 .find("overlaps region") != std::string::npos);
  BOOST_TEST(error_of(head + "    - {trace: x}\nguest:\n  regions: [{base: 0x1000, size: 4K}]\n")
                 .find("guest.regions must then be empty") != std::string::npos);
  BOOST_TEST(
      error_of("workload:\n  trace: y\n  processes:\n    - {trace: x}\n").find("workload.trace must then be empty") !=
      std::string::npos);
  BOOST_TEST(error_of("workload:\n  time_slice: 0\n").find("'workload.time_slice'") != std::string::npos);
}

// Nine aliases of nine aliases... expand to 9^9 values: refused at the value limit before they are
// built (they ended in std::bad_alloc after gigabytes), in a file and in a --set value alike.
BOOST_AUTO_TEST_CASE(alias_expansion_is_bounded) {
  // as a map of keys a0..a8 (a file) or as one list (a --set value)
  auto bomb = [](bool map) {
    std::string y = map ? "a0: " : "seed=[";
    for (int i = 0; i < 9; ++i) {
      const std::string p = i ? "*a" + std::to_string(i - 1) : "x";
      if (i) y += map ? "\na" + std::to_string(i) + ": " : ", ";
      y += "&a" + std::to_string(i) + " [" + p;
      for (int k = 1; k < 9; ++k) y += ", " + p;
      y += "]";
    }
    return y + (map ? "\n" : "]");
  };
  const std::string file = error_of(bomb(true));
  BOOST_TEST(file.find("t.yaml:") == 0u);
  BOOST_TEST(file.find(": more than 100000 values once YAML aliases are expanded") != std::string::npos);
  const std::string set = error_of("", {bomb(false)});
  BOOST_TEST(set.find("--set:") == 0u);
  BOOST_TEST(set.find(": more than 100000 values once YAML aliases are expanded") != std::string::npos);
  // A few aliases stay legal YAML.
  BOOST_TEST(config::load_text("format: {levels: &n 4}\nmmu: {walkers: *n}\n", "t.yaml").mmu.walkers == 4u);
}

// A config file is at most 1 MiB; a directory or a device is not a config (a directory read as an
// empty config, /dev/zero until memory ran out).
BOOST_AUTO_TEST_CASE(config_files_are_bounded_regular_files) {
  auto load_error = [](const std::string& path) {
    try {
      config::load(path);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  {
    std::ofstream big("config_test_big.yaml");
    big << "seed: 2\n";
    for (int i = 0; i < (1 << 20) / 64; ++i) big << "# " << std::string(61, 'x') << "\n";
  }
  BOOST_TEST(load_error("config_test_big.yaml") ==
             "config_test_big.yaml: larger than 1 MiB (the limit of a config file)");
  std::system("mkdir -p config_test_dir");
  BOOST_TEST(load_error("config_test_dir") == "config_test_dir: is a directory, not a config file");
  BOOST_TEST(load_error("/dev/zero") == "/dev/zero: is a device, not a config file");
  {
    std::ofstream near("config_test_big.yaml");  // just under the limit: loads
    near << "seed: 2\n";
    for (int i = 0; i < (1 << 20) / 64 - 1; ++i) near << "# " << std::string(61, 'x') << "\n";
  }
  BOOST_TEST(config::load("config_test_big.yaml").seed == 2u);
}

// The ranges are the model's own (MmuConfig, VmmCosts, DynamicPolicy validate()); the YAML layer
// maps the field a rule names back to the key that set it, with its file and line.
BOOST_AUTO_TEST_CASE(model_validation_names_the_yaml_key_and_line) {
  BOOST_TEST(error_of("seed: 1\nmmu:\n  walkers: 0\n") == "t.yaml:3: key 'mmu.walkers': value 0 out of range [1, 256]");
  BOOST_TEST(error_of("mmu:\n  l1d:\n    entries: 60\n    ways: 7\n") ==
             "t.yaml:3: key 'mmu.l1d.entries': entries must be a multiple of ways");
  BOOST_TEST(error_of("mmu:\n  l2tlb: {entries: 1024, ways: 65}\n") ==
             "t.yaml:2: key 'mmu.l2tlb.ways': value 65 out of range [1, 64]");
  BOOST_TEST(error_of("mmu:\n  clock_ns: 0\n") == "t.yaml:2: key 'mmu.clock_ns': value 0 out of range [0.001, 1e+06]");
  BOOST_TEST(error_of("mmu:\n  queue: 5000\n") == "t.yaml:2: key 'mmu.queue': value 5000 out of range [1, 4096]");
  BOOST_TEST(error_of("mmu:\n\n  walk_step_cycles: 2M\n") ==
             "t.yaml:3: key 'mmu.walk_step_cycles': value 2097152 out of range [0, 1048576]");
  BOOST_TEST(error_of("mmu:\n  ntlb:\n    latency: 2000000\n") ==
             "t.yaml:3: key 'mmu.ntlb.latency': value 2000000 out of range [0, 1048576]");
  BOOST_TEST(error_of("mmu:\n  l1i:\n    page_sizes: [2M]\n") ==
             "t.yaml:3: key 'mmu.l1i.page_sizes': must include 4K (larger pages are splintered into it)");
  BOOST_TEST(error_of("agile:\n  policy: dynamic\n  window: 0\n") ==
             "t.yaml:3: key 'agile.window': value 0 out of range [1, 1048576]");
  BOOST_TEST(error_of("agile:\n  backoff: 21\n") == "t.yaml:2: key 'agile.backoff': value 21 out of range [0, 20]");
  BOOST_TEST(error_of("agile: {interval: 0}\n").find("t.yaml:1: key 'agile.interval': value 0 out of range [1, ") ==
             0u);
  BOOST_TEST(error_of("vmm:\n  root_cache: true\n  pt_write_trap: 1T\n") ==
             "t.yaml:3: key 'vmm.pt_write_trap': value 1099511627776 out of range [0, 4294967296]");
  BOOST_TEST(error_of("ptcache: {lines: 96, ways: 4}\n") ==
             "t.yaml:1: key 'ptcache.lines': entries / ways (the number of sets) must be a power of two");
  // A default that another key made invalid is reported at the section that holds the key given.
  BOOST_TEST(error_of("mmu:\n  l1d:\n    ways: 3\n") ==
             "t.yaml:2: key 'mmu.l1d.entries': entries must be a multiple of ways");
  // --set values name --set.
  BOOST_TEST(error_of("", {"mmu.walkers=300"}) == "--set: key 'mmu.walkers': value 300 out of range [1, 256]");
  // A value must still fit the field's type before the model sees it (no wrap to a valid value).
  BOOST_TEST(
      error_of("mmu: {walkers: 4294967297}\n").find("t.yaml:1: key 'mmu.walkers': value 4294967297 out of range") ==
      0u);
}
