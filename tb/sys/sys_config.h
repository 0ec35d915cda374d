// Plain settings of the system around the MMU (no SystemC), loaded from YAML by config/.
#pragma once
#include <cstdint>
#include <string>

#include <agilemmu/mmu/set_assoc.h>

namespace agilemmu::sys {

// DRAM address mapping, low to high bits: column (within a row) | channel | bank | row.
struct DramConfig {
  uint32_t channels = 1;
  uint32_t banks = 8;         // per channel
  uint32_t row_bytes = 8192;  // bytes per row (per bank)
  bool open_page = true;      // open-row policy; false: close (precharge) after every access
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

}  // namespace agilemmu::sys
