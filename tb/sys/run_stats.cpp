#include "sys/run_stats.h"

#include <algorithm>
#include <cmath>

#include <agilemmu/mmu/mmu_stats_group.h>
#include <agilemmu/vmm/vmm_stats_group.h>

namespace agilemmu::sys {

using stats::Agg, stats::Unit, stats::Value, stats::value_of;

uint64_t RunView::cycles() const {
  return static_cast<uint64_t>(std::llround(cpu.end.to_seconds() * 1e9 / cfg.mmu.clock_ns));
}

namespace {
// What ran: the configuration echoed.
void add_identity(stats::Group<RunView>& g) {
  g.add({"config", Unit::Text, Agg::None, "config file (or <default>)"},
        [](const RunView& v) { return Value(v.cfg.source); });
  g.add({"mode", Unit::Text, Agg::None, "paging mode: native, nested, shadow or agile"},
        [](const RunView& v) { return Value(std::string(pt::to_string(v.cfg.mode))); });
  g.add({"timing", Unit::Text, Agg::None, "TLM timing: lt or at"},
        [](const RunView& v) { return Value(std::string(v.cfg.mmu.timing == mmu::Timing::AT ? "at" : "lt")); });
  g.add({"policy", Unit::Text, Agg::None, "agile policy: static, dynamic or isca (none in other modes)"},
        [](const RunView& v) {
          return Value(std::string(v.cfg.mode == pt::Mode::Agile ? vmm::to_string(v.cfg.agile_policy) : "none"));
        });
  g.add({"seed", Unit::Count, Agg::None, "random seed"}, [](const RunView& v) { return value_of(v.cfg.seed); });
  g.add({"partial", Unit::Flag, Agg::None,
         "the run stopped early (Ctrl-C, or guest or host memory exhausted): statistics so far",
         "only when stopped early"},
        [](const RunView& v) { return v.partial ? Value(true) : Value(stats::Absent{}); });
}

void add_cpu(stats::Group<RunView>& g) {
  auto cpu = [&g](const stats::Decl& d, uint64_t TrafficGenStats::*f) {
    g.add(d, [f](const RunView& v) { return value_of(v.cpu.*f); });
  };
  cpu({"accesses", Unit::Count, Agg::Sum, "requests the CPU completed"}, &TrafficGenStats::accesses);
  cpu({"fetches", Unit::Count, Agg::Sum, "instruction fetches completed"}, &TrafficGenStats::fetches);
  cpu({"reads", Unit::Count, Agg::Sum, "data reads completed"}, &TrafficGenStats::reads);
  cpu({"writes", Unit::Count, Agg::Sum, "data writes completed"}, &TrafficGenStats::writes);
  cpu({"page_faults", Unit::Count, Agg::Sum,
       "faults the guest OS repaired by mapping a page (demand paging), then retried"},
      &TrafficGenStats::faults_handled);
  g.add({"prologue_pages", Unit::Count, Agg::Sum,
         "pages a windowed trace's prologue mapped before its window: the footprint the program had built "
         "(page_faults counts only the window's own; 0 without a window)"},
        [](const RunView& v) { return value_of(v.prologue_pages); });
  cpu({"hard_faults", Unit::Count, Agg::Sum,
       "faults left unrepaired (permission, or outside every region with demand_anywhere: false)"},
      &TrafficGenStats::hard_faults);
  cpu({"os_events", Unit::Count, Agg::Sum,
       "remaps, unmaps, host migrations and context switches applied, and a trace's memory-map events"},
      &TrafficGenStats::events);
  cpu({"stall_cycles", Unit::Cycles, Agg::Sum, "cycles the CPU was stalled by the guest OS and the VMM"},
      &TrafficGenStats::stall_cycles);
  // The core model (core.enabled; all zero when it is off).
  cpu({"core.base_cycles", Unit::Cycles, Agg::Sum, "instructions (fetches) x core.base_cpi"},
      &TrafficGenStats::core_base_cycles);
  cpu({"core.fetch_stall_cycles", Unit::Cycles, Agg::Sum, "fetch latency beyond core.overlap_cycles (front end)"},
      &TrafficGenStats::core_fetch_stall_cycles);
  cpu({"core.mlp_stall_cycles", Unit::Cycles, Agg::Sum,
       "data misses waiting for one of core.mlp misses in flight to end (LT)"},
      &TrafficGenStats::core_mlp_stall_cycles);
  cpu({"core.tlb_stall_cycles", Unit::Cycles, Agg::Sum, "data accesses that missed the TLB: their whole latency (LT)"},
      &TrafficGenStats::core_tlb_stall_cycles);
  cpu({"core.overlapped", Unit::Count, Agg::Sum,
       "data accesses hitting the TLB within core.overlap_cycles: hidden by execution (LT)"},
      &TrafficGenStats::core_overlapped);
  cpu({"core.misses", Unit::Count, Agg::Sum, "data accesses hitting the TLB, longer than core.overlap_cycles (LT)"},
      &TrafficGenStats::core_misses);
}

void add_translation(stats::Group<RunView>& g) {
  g.add({"translations", Unit::Count, Agg::Sum,
         "translations the MMU made: one per page an access touches (an access that crosses into the next page "
         "counts twice; a faulting request that is retried counts again)"},
        [](const RunView& v) { return value_of(v.mmu.stats().requests); });
  g.add({"tlb_hits", Unit::Count, Agg::Sum, "translations that hit the L1 or L2 TLB"},
        [](const RunView& v) { return value_of(v.mmu.stats().tlb_hits); });
  g.add({"tlb_misses", Unit::Count, Agg::Sum, "translations that needed a walk (or waited for one)"},
        [](const RunView& v) { return value_of(v.mmu.stats().requests - v.mmu.stats().tlb_hits); });
  g.add({"walks", Unit::Count, Agg::Sum, "page walks started"},
        [](const RunView& v) { return value_of(v.mmu.stats().walks); });
  g.add({"walk_refs", Unit::Count, Agg::Sum, "memory references made by walks (reads and A/D writes)"},
        [](const RunView& v) { return value_of(v.mmu.stats().walk_refs()); });
  g.add({"refs_per_walk", Unit::Ratio, Agg::Mean, "walk_refs / walks"}, [](const RunView& v) {
    const auto& s = v.mmu.stats();
    return Value(s.walks ? double(s.walk_refs()) / s.walks : 0.0);
  });
  g.add({"walks_per_1000_accesses", Unit::Ratio, Agg::Mean,
         "walks per 1000 accesses (how much translation a run exercises)"},
        [](const RunView& v) {
          return Value(v.cpu.accesses ? 1000.0 * double(v.mmu.stats().walks) / double(v.cpu.accesses) : 0.0);
        });
  g.add({"avg_walk_cycles", Unit::Cycles, Agg::Mean, "walk latency from start to result, mean"},
        [](const RunView& v) { return Value(v.mmu.stats().walk_cycles.mean()); });
  g.add({"p99_walk_cycles", Unit::Cycles, Agg::Max, "walk latency, 99th percentile"},
        [](const RunView& v) { return value_of(v.mmu.stats().walk_cycles.percentile(0.99)); });
}

void add_time(stats::Group<RunView>& g) {
  const auto vmm = [](const RunView& v) -> const vmm::VmmStats& { return v.vmm.stats(); };
  g.add({"vmm_traps", Unit::Count, Agg::Sum, "VMM interventions, all kinds"},
        [vmm](const RunView& v) { return value_of(vmm(v).traps_total()); });
  g.add({"vmm_trap_cycles", Unit::Cycles, Agg::Sum, "cycles of the VMM interventions"},
        [vmm](const RunView& v) { return value_of(vmm(v).trap_cycles_total()); });
  g.add({"vmm_cycles", Unit::Cycles, Agg::Sum, "trap cycles plus agile switching and shadow-resync work"},
        [vmm](const RunView& v) { return value_of(vmm(v).vmm_cycles()); });
  g.add({"guest_os_cycles", Unit::Cycles, Agg::Sum, "the guest OS's own page-fault work (paid natively too)"},
        [vmm](const RunView& v) { return value_of(vmm(v).guest_os_cycles); });
  g.add({"translate_cycles", Unit::Cycles, Agg::Sum,
         "TLB lookups + walks, summed over requests (overlapping requests in AT each count)"},
        [](const RunView& v) {
          return value_of(static_cast<uint64_t>(std::llround(v.mmu.stats().translate_ns / v.cfg.mmu.clock_ns)));
        });
  g.add({"translate_exposed_cycles", Unit::Cycles, Agg::Sum,
         "cycles with at least one translation in progress (overlapping requests count once; LT: = translate_cycles)"},
        [](const RunView& v) {
          return value_of(static_cast<uint64_t>(std::llround(v.mmu.stats().translate_exposed_ns / v.cfg.mmu.clock_ns)));
        });
  g.add({"walk_cycles", Unit::Cycles, Agg::Sum, "walker-busy cycles summed over walks"},
        [](const RunView& v) { return value_of(v.mmu.stats().walker_busy_cycles); });
  g.add({"data_cycles", Unit::Cycles, Agg::Sum, "the data accesses after translation"}, [](const RunView& v) {
    return value_of(static_cast<uint64_t>(std::llround(v.mmu.stats().data_ns / v.cfg.mmu.clock_ns)));
  });
  g.add({"cycles", Unit::Cycles, Agg::Sum, "simulated time of the whole run, in CPU cycles (mmu.clock_ns)"},
        [](const RunView& v) { return value_of(v.cycles()); });
  g.add({"cycles_per_access", Unit::Ratio, Agg::Mean, "cycles / accesses"},
        [](const RunView& v) { return Value(v.cpu.accesses ? double(v.cycles()) / double(v.cpu.accesses) : 0.0); });
  g.add({"walk_cycle_share", Unit::Ratio, Agg::Mean,
         "walk_cycles / cycles: under 0.01 the run hardly exercises translation (the summary and "
         "compare-modes.sh say so)"},
        [](const RunView& v) {
          const uint64_t c = v.cycles();
          return Value(c ? double(v.mmu.stats().walker_busy_cycles) / double(c) : 0.0);
        });
  constexpr const char* kHost = "absent with --no-host-timing";
  g.add({"host_seconds", Unit::Seconds, Agg::Sum, "host time of the simulation", kHost},
        [](const RunView& v) { return v.host_timing ? Value(v.host_seconds) : Value(stats::Absent{}); });
  g.add({"accesses_per_second", Unit::PerSecond, Agg::Mean, "simulation speed: accesses per host second", kHost},
        [](const RunView& v) {
          if (!v.host_timing) return Value(stats::Absent{});
          return Value(v.host_seconds > 0 ? v.cpu.accesses / v.host_seconds : 0.0);
        });
}

// Per process (workload.processes in order, or the only one as 0): who ran and who paid.
void add_processes(stats::Group<RunView>& g) {
  constexpr size_t kMaxProcesses = 4095;  // ASIDs 1..4095 (config: workload.processes)
  constexpr const char* kWhen = "one per process: 0 alone, or workload.processes in order";
  using Get = uint64_t (*)(const RunView&, size_t);
  const auto per = [&g](const char* name, Unit u, const char* desc, Get get) {
    g.add_array({name, u, Agg::Sum, desc, kWhen}, stats::numbered("process", kMaxProcesses, true),
                [get](const RunView& v, size_t i) -> Value {
                  return i < v.process_accesses.size() ? value_of(get(v, i)) : Value(stats::Absent{});
                });
  };
  per("processes.accesses", Unit::Count, "accesses the process issued",
      [](const RunView& v, size_t i) { return v.process_accesses[i]; });
  per("processes.vmm_cycles", Unit::Cycles, "VMM trap, agile switching and shadow-resync cycles the process caused",
      [](const RunView& v, size_t i) { return v.vmm.process_stats(i).vmm_cycles(); });
  per("processes.guest_os_cycles", Unit::Cycles, "the guest OS's page-fault work for the process",
      [](const RunView& v, size_t i) { return v.vmm.process_stats(i).guest_os_cycles; });
  per("processes.traps", Unit::Count, "VMM traps the process caused, all kinds",
      [](const RunView& v, size_t i) { return v.vmm.process_stats(i).traps_total(); });
  per("processes.context_switches", Unit::Count,
      "root changes to the process (the scheduler's, and context_switch_rate's while it ran)",
      [](const RunView& v, size_t i) { return v.vmm.process_stats(i).context_switches; });
}

stats::Group<RunView> make_group() {
  stats::Group<RunView> g;
  add_identity(g);
  add_cpu(g);
  add_translation(g);
  add_time(g);
  g.nest("mmu", mmu::mmu_stats_group(), [](const RunView& v) -> const mmu::Mmu& { return v.mmu; });
  g.add({"mmu.walker.occupancy", Unit::Ratio, Agg::Mean, "busy walker-cycles / (cycles x walkers)"},
        [](const RunView& v) {
          const uint64_t c = v.cycles();
          return Value(c ? double(v.mmu.stats().walker_busy_cycles) / (double(c) * v.cfg.mmu.walkers) : 0.0);
        });
  g.nest("dram", dram_stats_group(), [](const RunView& v) -> const DramCounters& { return v.dram.counters(); });
  g.nest("ptcache", LineCache::stats_group(), [](const RunView& v) -> const LineCache& { return v.ptcache; });
  g.nest("", MemHierarchy::stats_group(), [](const RunView& v) -> const MemHierarchy& { return v.caches; });
  g.nest("vmm", vmm::vmm_stats_group(), [](const RunView& v) {
    return vmm::VmmView{v.vmm.stats(), v.cfg.format.levels, v.vmm.nested_points()};
  });
  stats::Index calls{"call", {}};
  for (unsigned k = 0; k < kEventKinds; ++k)
    calls.names.emplace_back(to_string(static_cast<WorkloadOp::Kind>(WorkloadOp::Mmap + k)));
  g.add_array({"mm_events", Unit::Count, Agg::Sum, "memory-map calls of the trace replayed by the guest OS, by call"},
              std::move(calls), [](const RunView& v, size_t k) { return value_of(v.mm.counts[k]); });
  g.add({"mm_events.pages_dropped", Unit::Count, Agg::Sum,
         "mapped pages the replayed calls removed from the guest table (munmap, mremap, a shrinking brk, PROT_NONE, "
         "MADV_DONTNEED, exit)"},
        [](const RunView& v) { return value_of(v.mm.dropped); });
  add_processes(g);
  return g;
}
}  // namespace

const stats::Group<RunView>& run_stats_group() {
  static const stats::Group<RunView> g = make_group();
  return g;
}

const std::vector<stats::Shape>& run_stat_shapes() {
  static const std::vector<stats::Shape> s = stats::shapes(run_stats_group());
  return s;
}

bool is_run_stat(const std::string& key) {
  const auto parts = stats::split_name(key);
  for (const auto& sh : run_stat_shapes()) {
    if (sh.path.size() != parts.size()) continue;
    bool same = true;
    for (size_t i = 0; same && i < parts.size(); ++i) {
      const auto& p = sh.path[i];
      const auto& n = parts[i].text;
      same = p.index ? std::find(p.index->names.begin(), p.index->names.end(), n) != p.index->names.end() : p.text == n;
    }
    if (same) return true;
  }
  return false;
}

void put(nlohmann::json& j, const std::string& dotted, const stats::Value& v) {
  const auto parts = stats::split_name(dotted);
  nlohmann::json* at = &j;
  for (size_t i = 0; i + 1 < parts.size(); ++i) at = &(*at)[parts[i].text];
  if (std::holds_alternative<stats::Absent>(v)) {
    if (at->is_null()) *at = nlohmann::json::object();  // the parent stays, as an empty object
    return;
  }
  at = &(*at)[parts.back().text];
  std::visit(
      [at](const auto& x) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(x)>, stats::Absent>) *at = x;
      },
      v);
}

namespace {
void flatten(const nlohmann::json& j, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else {
    out.emplace_back(prefix, j.is_string() ? j.get<std::string>() : j.dump());
  }
}
}  // namespace

std::string csv_text(const nlohmann::json& j) {
  std::vector<std::pair<std::string, std::string>> kv;
  flatten(j, "", kv);
  std::string head, row;
  for (const auto& [k, v] : kv) {
    head += (head.empty() ? "" : ",") + k;
    row += (row.empty() ? "" : ",") + (v.find(',') != std::string::npos ? "\"" + v + "\"" : v);
  }
  return head + "\n" + row + "\n";
}

}  // namespace agilemmu::sys
