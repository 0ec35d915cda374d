// The simulator configuration: what a YAML file (plus --set overrides) describes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <agilemmu/mmu/mmu_config.h>
#include <agilemmu/pt/format.h>
#include <agilemmu/pt/walk.h>
#include <agilemmu/vmm/address_space.h>
#include <agilemmu/vmm/vmm.h>

#include "config/sys_config.h"
#include "config/workload_config.h"
#include "config/yaml_reader.h"

namespace agilemmu::config {

enum class Paging : uint8_t { Shadow, Nested };  // agile: how a region starts in the compound table

struct Region {
  std::string name;
  std::string kind = "data";  // code | heap | stack | mmap | data
  uint64_t base = 0;
  uint64_t size = 0;
  pt::PageSize page_size = pt::PageSize::k4K;
  pt::Perms perms;
  Paging paging = Paging::Shadow;
  unsigned nested_level = 0;   // compound level of the nested-style entries; 0 = lowest necessary
  bool populate = true;        // mapped at start (false: demand paged)
  sys::RegionTraffic traffic;  // how the workload accesses it
};

// One process of a multi-process workload (workload.processes): a trace, or synthetic traffic
// over its own regions. Each has its own guest page table and ASID (its index + 1).
struct Process {
  std::string name;
  std::string trace;            // a trace to replay, or empty: synthetic traffic over `regions`
  uint64_t trace_limit = 0;     // replay at most this many records (0: all)
  uint64_t accesses = 0;        // synthetic: accesses (workload.accesses unless given)
  std::vector<Region> regions;  // synthetic: its regions, as guest.regions
};

struct Workload {
  uint64_t accesses = 100000;
  uint32_t access_size = 8;
  uint32_t outstanding = 1;   // requests in flight (at timing)
  uint32_t think_cycles = 0;  // CPU cycles between requests
  double context_switch_rate = 0;
  std::string trace;               // lackey trace to replay instead of the synthetic regions
  uint64_t trace_limit = 0;        // replay at most this many records (0: all)
  bool demand_anywhere = true;     // a fault outside every region maps a 4 KiB rwxu page
  std::vector<Process> processes;  // several processes, scheduled round-robin (empty: one, as above)
  uint64_t time_slice = 10000;     // accesses a process runs before the scheduler switches
};

struct Config {
  std::string source;  // file name (or "<default>") for messages
  uint64_t seed = 1;
  pt::Format format;
  pt::Mode mode = pt::Mode::Agile;
  vmm::Layout layout;
  std::vector<Region> regions;
  vmm::Policy agile_policy = vmm::Policy::Static;  // agile.policy
  unsigned agile_nested_level = 0;                 // agile.nested_level: default for nested regions
  vmm::DynamicPolicy dynamic;                      // agile.interval / threshold / window / backoff
  vmm::VmmCosts costs;                             // vmm.*
  bool root_cache = false;                         // vmm.root_cache
  mmu::MmuConfig mmu;
  sys::DramConfig dram;
  sys::LineCacheConfig ptcache;
  sys::HierarchyConfig caches;
  sys::CoreModel core;
  Workload workload;
  // The synthetic workload over the regions, as the request producer takes it.
  sys::WorkloadConfig synthetic() const { return synthetic(regions, workload.accesses, seed); }
  sys::WorkloadConfig synthetic(const std::vector<Region>& regs, uint64_t accesses, uint64_t seed) const;
};

// Loads, merges --set overrides, and validates. Throws ConfigError naming file, line and key.
Config load(const std::string& path, const std::vector<std::string>& sets = {});
Config load_text(const std::string& yaml, const std::string& name, const std::vector<std::string>& sets = {});
// The configuration used when `agilemmu` runs with no arguments.
const char* default_config_yaml();

// The user's view of vmm::MemoryExhausted: the key that sets the memory that ran out, e.g.
// "key 'guest.memory' (1024 MiB) is too small for this run: ...".
std::string memory_message(const Config& cfg, const vmm::MemoryExhausted& e);

// Builds the guest's address space from the regions: maps populated regions, builds the derived
// tables and applies the agile paging of each region.
void populate(const Config& cfg, vmm::AddressSpace& as);
// The same for one process of workload.processes, from its own regions.
void populate(const Config& cfg, const std::vector<Region>& regions, vmm::AddressSpace& as);

}  // namespace agilemmu::config
