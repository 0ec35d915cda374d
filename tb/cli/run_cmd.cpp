// `agilemmu run [CONFIG.yaml] [--set a.b=v]... [--json F] [--csv F] [--vcd waveforms/NAME] [--quiet]
//  [--no-host-timing]`: one simulation of the configured system; a summary table on stdout,
// statistics as JSON/CSV (without the host-time fields with --no-host-timing, so that runs of
// the same config and seed give byte-identical files).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <systemc>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"
#include "sys/system.h"

namespace agilemmu::cli {

namespace {

struct RunArgs {
  config::Config cfg;
  std::string json, csv, vcd;
  bool quiet = false;
  bool host_timing = true;  // host_seconds / accesses_per_second in --json and --csv
  int rc = kExitOk;
};
RunArgs* g_run = nullptr;
std::atomic<bool> g_interrupted{false};

void flatten(const nlohmann::json& j, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else {
    out.push_back({prefix, j.is_string() ? j.get<std::string>() : j.dump()});
  }
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out) throw UsageError("cannot write " + path);
  out << text;
}

void summary(const nlohmann::json& j) {
  const double acc = j["accesses"].get<double>();
  std::printf("agilemmu run %s  (mode %s, timing %s, policy %s%s)\n", j["config"].get<std::string>().c_str(),
              j["mode"].get<std::string>().c_str(), j["timing"].get<std::string>().c_str(),
              j["policy"].get<std::string>().c_str(), j.value("partial", false) ? ", PARTIAL: interrupted" : "");
  std::printf("  %-22s %14llu   fetch %llu, read %llu, write %llu\n", "accesses", (unsigned long long)acc,
              (unsigned long long)j["fetches"].get<uint64_t>(), (unsigned long long)j["reads"].get<uint64_t>(),
              (unsigned long long)j["writes"].get<uint64_t>());
  std::printf("  %-22s %14llu   %.1f per access\n", "cycles", (unsigned long long)j["cycles"].get<uint64_t>(),
              acc ? j["cycles"].get<double>() / acc : 0.0);
  std::printf("  %-22s %14llu   misses %llu\n", "TLB hits", (unsigned long long)j["tlb_hits"].get<uint64_t>(),
              (unsigned long long)j["tlb_misses"].get<uint64_t>());
  std::printf("  %-22s %14llu   %.2f refs/walk, %.1f cycles/walk (p99 %llu)\n", "page walks",
              (unsigned long long)j["walks"].get<uint64_t>(), j["refs_per_walk"].get<double>(),
              j["avg_walk_cycles"].get<double>(), (unsigned long long)j["p99_walk_cycles"].get<uint64_t>());
  std::printf("  %-22s %14llu   data %llu, VMM + guest OS stalls %llu\n", "translation cycles",
              (unsigned long long)j["translate_cycles"].get<uint64_t>(),
              (unsigned long long)j["data_cycles"].get<uint64_t>(),
              (unsigned long long)j["stall_cycles"].get<uint64_t>());
  std::printf("  %-22s %14llu   %llu cycles (+ %llu switching)\n", "VMM traps",
              (unsigned long long)j["vmm_traps"].get<uint64_t>(),
              (unsigned long long)j["vmm_trap_cycles"].get<uint64_t>(),
              (unsigned long long)j["vmm"]["switch_cycles"].get<uint64_t>());
  std::printf("  %-22s %14llu   hard faults %llu, OS events %llu\n", "page faults handled",
              (unsigned long long)j["page_faults"].get<uint64_t>(),
              (unsigned long long)j["hard_faults"].get<uint64_t>(), (unsigned long long)j["os_events"].get<uint64_t>());
  std::printf("  %-22s %14.2f   %.2f M accesses/s\n", "host seconds", j["host_seconds"].get<double>(),
              j["accesses_per_second"].get<double>() / 1e6);
}

}  // namespace

int run_cmd(int argc, char** argv) {
  Args a(argc, argv, argc > 1 && std::string(argv[1]) == "run" ? 2 : 1);
  std::string cfg_path;
  std::vector<std::string> sets;
  RunArgs r;
  while (!a.done()) {
    const std::string o = a.next();
    if (o == "--set")
      sets.push_back(a.value(o));
    else if (o == "--json")
      r.json = a.value(o);
    else if (o == "--csv")
      r.csv = a.value(o);
    else if (o == "--vcd")
      r.vcd = a.value(o);
    else if (o == "--fst")
      throw UsageError("--fst: FST output is not available with SystemC's tracing; use --vcd");
    else if (o == "--quiet" || o == "-q")
      r.quiet = true;
    else if (o == "--no-host-timing")
      r.host_timing = false;
    else if (!o.empty() && o[0] == '-')
      throw UsageError("run: unknown option " + o);
    else if (cfg_path.empty())
      cfg_path = o;
    else
      throw UsageError("run: more than one config file given");
  }
  r.cfg = cfg_path.empty() ? config::load_text(config::default_config_yaml(), "<default>", sets)
                           : config::load(cfg_path, sets);
  // Checked without opening it: opening and closing a FIFO would make its writer lose data.
  if (!r.cfg.workload.trace.empty() && access(r.cfg.workload.trace.c_str(), R_OK) != 0)
    throw config::ConfigError("key 'workload.trace': cannot open trace file '" + r.cfg.workload.trace + "'");
  g_run = &r;
  const int rc = sc_core::sc_elab_and_sim(argc, argv);  // calls sc_main below
  return rc ? rc : r.rc;
}

}  // namespace agilemmu::cli

int sc_main(int, char**) {
  using namespace agilemmu;
  using namespace agilemmu::cli;
  RunArgs& r = *g_run;
  sys::System s(r.cfg);
  sc_core::sc_trace_file* tf = nullptr;
  if (!r.vcd.empty()) {
    tf = sc_core::sc_create_vcd_trace_file(r.vcd.c_str());  // SystemC appends .vcd
    s.mmu().trace_signals(true);
    sc_core::sc_trace(tf, s.mmu().walker_state, "walker_state");
    sc_core::sc_trace(tf, s.mmu().outstanding_walks, "outstanding_walks");
    sc_core::sc_trace(tf, s.mmu().last_tlb_hit, "tlb_hit");
  }
  const bool bar = !r.quiet && isatty(2);
  const auto t0 = std::chrono::steady_clock::now();
  s.set_progress([&](uint64_t done, uint64_t expected) {
    if (g_interrupted) s.stop();
    if (!bar) return;
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (el < 1.0) return;  // short runs print no bar
    const double rate = done / el;
    if (expected) {
      const double f = std::min(1.0, double(done) / expected);
      const int w = 30, fill = static_cast<int>(f * w);
      std::fprintf(stderr, "\r[%.*s%*s] %3.0f%%  %.2f M acc/s  ETA %.0fs ", fill, "##############################",
                   w - fill, "", f * 100, rate / 1e6, rate > 0 ? (expected - done) / rate : 0.0);
    } else {
      std::fprintf(stderr, "\r%llu accesses  %.2f M acc/s ", (unsigned long long)done, rate / 1e6);
    }
  });
  std::signal(SIGINT, [](int) { g_interrupted = true; });
  nlohmann::json j;
  try {
    j = s.run();
  } catch (const sc_core::sc_report& e) {
    // A model error (e.g. mmu.check found a difference) is exit 1; SystemC wraps any other
    // exception a process threw (a malformed trace record: bad input) in an "uncaught exception".
    std::fprintf(stderr, "\nagilemmu: %s\n", e.what());
    r.rc = std::strstr(e.get_msg_type(), "uncaught exception") ? kExitUsage : kExitFail;
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nagilemmu: %s\n", e.what());
    r.rc = kExitUsage;  // bad input met during the run (a malformed trace record)
    return 0;
  }
  if (bar) std::fprintf(stderr, "\r%60s\r", "");
  if (g_interrupted) j["partial"] = true;
  if (tf) sc_core::sc_close_vcd_trace_file(tf);
  summary(j);
  if (!r.host_timing) {  // the only fields that differ between runs of one config and seed
    j.erase("host_seconds");
    j.erase("accesses_per_second");
  }
  if (!r.json.empty()) write_file(r.json, j.dump(2) + "\n");
  if (!r.csv.empty()) {
    std::vector<std::pair<std::string, std::string>> kv;
    flatten(j, "", kv);
    std::string head, row;
    for (const auto& [k, v] : kv) {
      head += (head.empty() ? "" : ",") + k;
      row += (row.empty() ? "" : ",") + (v.find(',') != std::string::npos ? "\"" + v + "\"" : v);
    }
    write_file(r.csv, head + "\n" + row + "\n");
  }
  return 0;
}
