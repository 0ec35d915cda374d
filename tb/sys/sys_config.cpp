#include "sys/sys_config.h"
#include "sys/workload.h"

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

bool parse_pattern(const std::string& s, Pattern& p) {
  static const std::pair<const char*, Pattern> names[] = {{"sequential", Pattern::Sequential},
                                                          {"strided", Pattern::Strided},
                                                          {"uniform", Pattern::Uniform},
                                                          {"zipf", Pattern::Zipf},
                                                          {"pointer_chase", Pattern::PointerChase}};
  for (const auto& [n, v] : names)
    if (s == n) {
      p = v;
      return true;
    }
  return false;
}

}  // namespace agilemmu::sys
