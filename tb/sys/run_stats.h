// The statistics of one `agilemmu run`, declared once for the registry (agilemmu/stats/registry.h):
// the run's own keys, with the MMU's, DRAM's, page-table cache's and VMM's groups nested under
// "mmu", "dram", "ptcache", "caches" and "vmm". --json, --csv, the summary and --list-stats all come from here.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include <agilemmu/mmu/mmu.h>
#include <agilemmu/stats/registry.h>
#include <agilemmu/vmm/address_space.h>
#include <agilemmu/vmm/vmm.h>

#include "config/config.h"
#include "sys/dram.h"
#include "sys/line_cache.h"
#include "sys/mem_hierarchy.h"
#include "sys/mm_replay.h"
#include "sys/traffic_gen.h"

namespace agilemmu::sys {

// A trace's memory-map events replayed, summed over the processes.
struct MmCounts {
  std::array<uint64_t, kEventKinds> counts{};
  uint64_t dropped = 0;  // mapped pages the calls removed
};

// Everything a run's statistics are read from, once it has ended.
struct RunView {
  const config::Config& cfg;
  const TrafficGenStats& cpu;
  const mmu::Mmu& mmu;
  const vmm::Vmm& vmm;
  const Dram& dram;
  const LineCache& ptcache;
  const MemHierarchy& caches;
  const MmCounts& mm;  // the trace's memory-map events
  // Accesses of each process (workload.processes in order; one entry for a single process).
  const std::vector<uint64_t>& process_accesses;
  double host_seconds = 0;
  bool host_timing = true;      // false: the host-time keys are left out (--no-host-timing)
  bool partial = false;         // stopped early (Ctrl-C, out of memory)
  uint64_t prologue_pages = 0;  // pages a windowed trace's prologue mapped before the window
  // Simulated time in CPU cycles (mmu.clock_ns).
  uint64_t cycles() const;
};

const stats::Group<RunView>& run_stats_group();
// The declarations alone, for listings.
const std::vector<stats::Shape>& run_stat_shapes();

// Whether `key` (dotted) is one the run's registry declares (an open index matching any member).
bool is_run_stat(const std::string& key);

// The registry's keys and values as nested JSON objects (a dotted name is a path of keys).
template <class Src>
nlohmann::json to_json(const stats::Group<Src>& g, const Src& src);
void put(nlohmann::json& j, const std::string& dotted, const stats::Value& v);

template <class Src>
nlohmann::json to_json(const stats::Group<Src>& g, const Src& src) {
  nlohmann::json j = nlohmann::json::object();
  stats::visit(g, src, [&j](const std::string& key, const stats::Value& v) { put(j, key, v); });
  return j;
}

// --csv: one header line of dotted names and one line of values, in the JSON's key order.
std::string csv_text(const nlohmann::json& j);

}  // namespace agilemmu::sys
