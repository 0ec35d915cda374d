// Plain settings of the system around the MMU (no SystemC), loaded from YAML by config/.
#pragma once
#include <cstdint>
#include <string>

#include <agilemmu/mmu/set_assoc.h>

namespace agilemmu::sys {

// DRAM address mapping, low to high bits: column (within a row) | channel | bank | row; with
// `xor_banks` the channel and bank index is XORed with the row number folded to its width
// (permutation-based interleaving), so that rows at the same offset of different regions spread
// over the banks instead of conflicting in one.
struct DramConfig {
  uint32_t channels = 1;
  uint32_t banks = 8;         // per channel
  uint32_t row_bytes = 8192;  // bytes per row (per bank)
  bool open_page = true;      // open-row policy; false: close (precharge) after every access
  bool xor_banks = true;      // mapping: xor (true, the default) or linear
  double tRCD_ns = 14, tCL_ns = 14, tRP_ns = 14;
  double tBURST_ns = 4;  // per 64-byte burst
  double write_ns = 0;   // extra latency charged to writes (write recovery); 0 = as reads
  bool dmi = false;      // grant DMI for data (fast, untimed beyond a fixed latency)
  // Keep data written by the CPU in the store (page tables always are). Off by default: the
  // traffic generator's data values mean nothing, and a big data set would cost a host frame per
  // touched page. Data reads of frames that hold no page table then read zero.
  bool store_data = false;
  std::string validate() const;
};

struct LineCacheConfig {
  mmu::CacheGeometry geo{0, 8, 4, mmu::Replacement::LRU};  // entries = lines; 0 = no cache level
  uint32_t line_bytes = 64;
  double clock_ns = 1.0;  // latency is in cycles of this clock
};

// The core timing model (docs/memory-hierarchy.md). Off: every request's latency stalls the CPU,
// as before. On: a fetch record is an instruction and costs base_cpi cycles plus its latency
// beyond overlap_cycles (a front-end stall); a data access that hits the TLB and takes at most
// overlap_cycles overlaps with execution; a longer one (a cache miss) stalls only when mlp misses
// are already in flight, until the oldest ends; a TLB miss blocks until its walk and access end.
struct CoreModel {
  // Sources in configs/README.md ("Where the cache and core constants come from").
  bool enabled = true;
  double base_cpi = 0.5;        // cycles per instruction with every access hitting
  uint32_t mlp = 10;            // data misses in flight at once
  uint32_t overlap_cycles = 5;  // the latency of an L1 hit with a TLB hit, hidden by execution
};

// One level of the cache hierarchy (sys/mem_hierarchy.h): write-back, write-allocate.
struct CacheLevelConfig {
  mmu::CacheGeometry geo{0, 8, 4, mmu::Replacement::LRU};  // entries = lines; 0 = level switched off
  uint32_t mshrs = 16;  // misses of this level in flight at once; one more waits for the first to end
};

// The levels between the Mmu's three memory ports and the DRAM. Fetches go L1I -> L2 -> LLC,
// data L1D -> L2 -> LLC, page-table references (walk reads and A/D writes) enter at `walk_entry`.
// A level with no lines is skipped; with every level off the hierarchy passes requests straight on.
enum class CacheLevelId : uint8_t { L1I, L1D, L2, LLC };
constexpr size_t kCacheLevels = 4;
const char* to_string(CacheLevelId l);
struct HierarchyConfig {
  // One core of a Skylake-SP Xeon Gold 6130, sizes in 64-byte lines; sources in configs/README.md
  // ("Where the cache and core constants come from").
  CacheLevelConfig level[kCacheLevels] = {
      {{512, 8, 4, mmu::Replacement::LRU}, 10},      // L1I: 32 KiB
      {{512, 8, 4, mmu::Replacement::LRU}, 10},      // L1D: 32 KiB
      {{16384, 16, 14, mmu::Replacement::LRU}, 16},  // L2: 1 MiB
      {{360448, 11, 77, mmu::Replacement::LRU}, 32}  // LLC: 22 MiB
  };
  uint32_t line_bytes = 64;                     // of every level
  CacheLevelId walk_entry = CacheLevelId::L1D;  // L1D, L2 or LLC
  double clock_ns = 1.0;                        // latencies are in cycles of this clock
};

}  // namespace agilemmu::sys
