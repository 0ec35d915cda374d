#include "config/sys_config.h"

namespace agilemmu::sys {

namespace {
bool pow2(uint64_t v) { return v && !(v & (v - 1)); }
}  // namespace

std::string DramConfig::validate() const {
  if (!pow2(channels)) return "channels must be a power of two";
  if (!pow2(banks)) return "banks must be a power of two";
  if (!pow2(row_bytes) || row_bytes < 64) return "row_bytes must be a power of two >= 64";
  if (tRCD_ns < 0 || tCL_ns < 0 || tRP_ns < 0 || tBURST_ns < 0 || write_ns < 0) return "timings must be >= 0";
  return {};
}

const char* to_string(CacheLevelId l) {
  static const char* const names[] = {"l1i", "l1d", "l2", "llc"};
  return names[size_t(l)];
}

}  // namespace agilemmu::sys
