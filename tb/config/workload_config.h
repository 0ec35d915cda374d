// The synthetic workload's settings (no SystemC): what each region's traffic looks like, loaded
// from YAML by config/ and run by sys/workload.h's SyntheticSource.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace agilemmu::sys {

enum class Pattern : uint8_t { Sequential, Strided, Uniform, Zipf, PointerChase };
bool parse_pattern(const std::string&, Pattern&);

struct RegionTraffic {
  std::string name;
  uint64_t base = 0, size = 0;
  uint64_t page_bytes = 4096;
  bool code = false;  // instruction fetches instead of loads/stores
  Pattern pattern = Pattern::Uniform;
  uint64_t stride = 64;         // strided: bytes between accesses
  double skew = 0.99;           // zipf: exponent over the region's pages
  double weight = 1;            // share of the accesses
  double write_fraction = 0.3;  // data regions: stores among accesses
  // OS/hypervisor events per 1000 accesses of the whole workload, on random pages of this region
  double remap_rate = 0, unmap_rate = 0, host_migrate_rate = 0;
};

struct WorkloadConfig {
  uint64_t accesses = 100000;
  uint32_t access_size = 8;
  double context_switch_rate = 0;  // per 1000 accesses
  std::vector<RegionTraffic> regions;
  uint64_t seed = 1;
};

}  // namespace agilemmu::sys
