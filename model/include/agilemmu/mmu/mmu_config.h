// Everything an architect sizes in the MMU. Loaded from the `mmu:` section of a config.
#pragma once
#include <cstdint>
#include <string>

#include <agilemmu/config_issue.h>
#include <agilemmu/mmu/set_assoc.h>
#include <agilemmu/pt/walk.h>
#include <agilemmu/pt/walk_timing.h>

namespace agilemmu::mmu {

enum class Timing : uint8_t { LT, AT };

struct TlbConfig {
  CacheGeometry geo;
  unsigned page_sizes = 7;       // bit 0: 4K, bit 1: 2M, bit 2: 1G
  ConfigIssue validate() const;  // fields "geo.*", "page_sizes"
};

// The context of a request that carries no MmuExtension (a platform that does not know it).
struct DefaultContext {
  uint16_t asid = 1;
  uint16_t vmid = 1;
  bool host = false;  // true: hVA requests (native walk from hroot)
  bool user = true;
  bool sum = false;  // RISC-V SUM (MmuExtension::sum)
};

struct MmuConfig {
  pt::Mode mode = pt::Mode::Agile;  // paging mode for guest requests
  Timing timing = Timing::LT;
  double clock_ns = 1.0;     // MMU clock period
  uint32_t walkers = 1;      // concurrent page walks (AT)
  uint32_t queue = 16;       // misses waiting for a walker (AT); more stall the CPU socket
  double quantum_ns = 1000;  // LT: temporal-decoupling quantum
  pt::WalkTiming walk;       // start/step cycles (lookup cycles come from each cache)
  bool split_l1 = true;      // separate instruction and data L1 TLBs
  TlbConfig l1i{{128, 8, 1, Replacement::LRU}, 1};
  TlbConfig l1d{{64, 4, 1, Replacement::LRU}, 7};
  TlbConfig l2{{1536, 12, 7, Replacement::LRU}, 3};
  CacheGeometry pwc{32, 4, 1, Replacement::LRU};   // first-dimension page-walk cache
  CacheGeometry npwc{32, 4, 1, Replacement::LRU};  // nested-dimension page-walk cache
  CacheGeometry ntlb{64, 8, 1, Replacement::LRU};  // nested TLB (gPA -> hPA)
  uint64_t seed = 1;
  // Translation-coherence checker: every delivered translation is compared with a fresh uncached
  // walk of the tables as they are at that moment; a difference stops the simulation.
  bool check = false;
  DefaultContext default_context;

  // Limits (besides each structure's CacheGeometry limits).
  static constexpr uint32_t kMaxWalkers = 256, kMaxQueue = 4096, kMaxWalkCycles = 1u << 20;
  static constexpr double kMinClockNs = 0.001, kMaxClockNs = 1e6, kMaxQuantumNs = 1e12;
  // The first field out of range, by member path ("walkers", "l1d.geo.ways", "walk.step_cycles"),
  // or none. The Mmu's constructor throws InvalidConfig on it.
  ConfigIssue validate() const;
};

}  // namespace agilemmu::mmu
