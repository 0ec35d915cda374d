// `agilemmu run [CONFIG.yaml] [--set a.b=v]... [--json F] [--csv F] [--vcd waveforms/NAME] [--quiet]
//  [--no-host-timing]`: one simulation of the configured system; a summary table on stdout,
// statistics as JSON/CSV (without the host-time fields with --no-host-timing, so that runs of
// the same config and seed give byte-identical files). `agilemmu run --list-stats [--markdown]`
// lists every statistic --json writes (sys/run_stats.h declares them) and runs nothing.
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
#include "sys/run_stats.h"
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

// "-" is standard output (the summary then goes to standard error, so the output stays parseable).
void write_file(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  std::ofstream out(path);
  if (!out) throw UsageError("cannot write " + path);
  out << text;
}

// Reads the summary's statistics by their registry names: a name the registry does not declare
// is a programming error that every run would report.
class Stats {
 public:
  explicit Stats(const nlohmann::json& j) : j_(j) {}
  const nlohmann::json* find(const std::string& key) const {
    if (!sys::is_run_stat(key)) throw std::logic_error("run summary: '" + key + "' is not a declared statistic");
    const nlohmann::json* at = &j_;
    for (const auto& p : stats::split_name(key)) {
      if (!at->contains(p.text)) return nullptr;
      at = &(*at)[p.text];
    }
    return at;
  }
  unsigned long long u(const std::string& key) const { return get(key).get<uint64_t>(); }
  double d(const std::string& key) const { return get(key).get<double>(); }
  std::string s(const std::string& key) const { return get(key).get<std::string>(); }
  bool flag(const std::string& key) const { return find(key) != nullptr && find(key)->get<bool>(); }

 private:
  const nlohmann::json& get(const std::string& key) const {
    const nlohmann::json* v = find(key);
    if (!v) throw std::logic_error("run summary: statistic '" + key + "' was not written");
    return *v;
  }
  const nlohmann::json& j_;
};

// Under this share of the cycles in page walks (walk_cycle_share), a run says it hardly exercises
// translation (docs/running.md; scripts/compare-modes.sh uses the same threshold).
constexpr double kTranslationMatters = 0.01;

void summary(const nlohmann::json& j, FILE* f) {
  const Stats st(j);
  std::fprintf(f, "agilemmu run %s  (mode %s, timing %s, policy %s%s)\n", st.s("config").c_str(), st.s("mode").c_str(),
               st.s("timing").c_str(), st.s("policy").c_str(), st.flag("partial") ? ", PARTIAL: stopped early" : "");
  std::fprintf(f, "  %-22s %14llu   fetch %llu, read %llu, write %llu\n", "accesses", st.u("accesses"), st.u("fetches"),
               st.u("reads"), st.u("writes"));
  std::fprintf(f, "  %-22s %14llu   %.2f per access\n", "cycles", st.u("cycles"), st.d("cycles_per_access"));
  std::fprintf(f, "  %-22s %14llu   misses %llu\n", "TLB hits", st.u("tlb_hits"), st.u("tlb_misses"));
  std::fprintf(f, "  %-22s %14llu   %.2f per 1000 accesses, %.2f refs/walk, %.1f cycles/walk (p99 %llu)\n",
               "page walks", st.u("walks"), st.d("walks_per_1000_accesses"), st.d("refs_per_walk"),
               st.d("avg_walk_cycles"), st.u("p99_walk_cycles"));
  // Exposed: cycles with a translation in progress; the sum counts each of overlapping (AT)
  // requests, so it can exceed the run's cycles.
  std::fprintf(f, "  %-22s %14llu   exposed (a translation in progress); summed over requests %llu\n",
               "translation cycles", st.u("translate_exposed_cycles"), st.u("translate_cycles"));
  std::fprintf(f, "  %-22s %14llu   summed over requests; VMM + guest OS stalls %llu\n", "data cycles",
               st.u("data_cycles"), st.u("stall_cycles"));
  std::fprintf(f, "  %-22s %14llu   %llu cycles (+ %llu switching)\n", "VMM traps", st.u("vmm_traps"),
               st.u("vmm_trap_cycles"), st.u("vmm.switch_cycles"));
  std::fprintf(f, "  %-22s %14llu   hard faults %llu, OS events %llu\n", "page faults handled", st.u("page_faults"),
               st.u("hard_faults"), st.u("os_events"));
  if (st.d("walk_cycle_share") < kTranslationMatters)
    std::fprintf(f,
                 "  note: page walks took %.2f%% of the cycles (under %.0f%%): this run hardly exercises "
                 "translation,\n        so paging modes can differ here only by their VMM costs\n",
                 100 * st.d("walk_cycle_share"), 100 * kTranslationMatters);
  if (st.find("host_seconds"))  // not with --no-host-timing: then the summary, too, is the same every run
    std::fprintf(f, "  %-22s %14.2f   %.2f M accesses/s\n", "host seconds", st.d("host_seconds"),
                 st.d("accesses_per_second") / 1e6);
}

}  // namespace

int run_cmd(int argc, char** argv) {
  Args a(argc, argv, argc > 1 && std::string(argv[1]) == "run" ? 2 : 1);
  std::string cfg_path;
  std::vector<std::string> sets;
  RunArgs r;
  bool list = false, markdown = false;
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
    else if (o == "--list-stats")
      list = true;
    else if (o == "--markdown")
      markdown = true;
    else if (!o.empty() && o[0] == '-')
      throw UsageError("run: unknown option " + o);
    else if (cfg_path.empty())
      cfg_path = o;
    else
      throw UsageError("run: more than one config file given");
  }
  if (markdown && !list) throw UsageError("run: --markdown goes with --list-stats");
  if (list) {  // every key --json writes; no simulation
    const auto& shapes = sys::run_stat_shapes();
    std::fputs((markdown ? stats::list_markdown(shapes) : stats::list_text(shapes)).c_str(), stdout);
    return kExitOk;
  }
  r.cfg = cfg_path.empty() ? config::load_text(config::default_config_yaml(), "<default>", sets)
                           : config::load(cfg_path, sets);
  // Svade leaves A/D to software: the run's guest OS and hypervisor would have to repair every
  // A/D page fault, and they implement only hardware updating (Svadu). `walk` shows Svade walks.
  if (r.cfg.format.riscv() && !r.cfg.format.ad_hw)
    throw config::ConfigError(
        "key 'format.ad': 'fault' (Svade) is for `agilemmu walk`; a run's guest OS and "
        "hypervisor model hardware A/D updating only (ad: hardware, docs/riscv.md)");
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
  // Memory too small for the regions populated at start: nothing ran, no statistics.
  std::unique_ptr<sys::System> sp;
  try {
    sp = std::make_unique<sys::System>(r.cfg);
  } catch (const vmm::MemoryExhausted& e) {
    std::fprintf(stderr, "agilemmu: %s (populating the regions)\n", config::memory_message(r.cfg, e).c_str());
    r.rc = kExitUsage;
    return 0;
  }
  sys::System& s = *sp;
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
  try {
    s.run();
  } catch (const sc_core::sc_report& e) {
    // A model error (e.g. mmu.check found a difference) is exit 1; SystemC wraps any other
    // exception a process threw in an "uncaught exception" (bad input met by a hook: exit 2).
    // A malformed trace record does not come this way: s.error() below.
    std::fprintf(stderr, "\nagilemmu: %s\n", e.what());
    r.rc = std::strstr(e.get_msg_type(), "uncaught exception") ? kExitUsage : kExitFail;
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nagilemmu: %s\n", e.what());
    r.rc = kExitUsage;  // bad input met during the run
    return 0;
  }
  if (!s.error().empty()) {
    std::fprintf(stderr, "\nagilemmu: %s\n", s.error().c_str());
    r.rc = kExitUsage;  // bad input met during the run (a malformed trace record)
    return 0;
  }
  if (bar) std::fprintf(stderr, "\r%60s\r", "");
  if (tf) sc_core::sc_close_vcd_trace_file(tf);
  const bool partial = g_interrupted || !s.out_of_memory().empty();
  // Without host timing, runs of one config and seed give byte-identical files and summaries.
  const nlohmann::json j = s.statistics(r.host_timing, partial);
  summary(j, r.json == "-" || r.csv == "-" ? stderr : stdout);
  if (!r.json.empty()) write_file(r.json, j.dump(2) + "\n");
  if (!r.csv.empty()) write_file(r.csv, sys::csv_text(j));
  if (!s.out_of_memory().empty()) {  // a config too small for its run: bad input, statistics so far written
    std::fprintf(stderr, "agilemmu: %s; the run stopped there and its statistics are marked partial\n",
                 s.out_of_memory().c_str());
    r.rc = kExitUsage;
  }
  return 0;
}
