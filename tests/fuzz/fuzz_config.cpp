// Fuzz target: the YAML config loader. Any input must give a valid Config or a ConfigError
// (which names file/line/key) — never a crash, a hang or another exception. The first line may
// be a --set assignment, so override paths are fuzzed too.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> sets;
  if (text.rfind("#set ", 0) == 0) {
    const auto nl = text.find('\n');
    sets.push_back(text.substr(5, nl == std::string::npos ? std::string::npos : nl - 5));
    text = nl == std::string::npos ? "" : text.substr(nl + 1);
  }
  try {
    const auto c = agilemmu::config::load_text(text, "fuzz.yaml", sets);
    // Validation let junk through: the format, or regions that wrap, leave the canonical address
    // space or overlap.
    if (c.format.levels != 4 && c.format.levels != 5) __builtin_trap();
    // The model's own rules (the Mmu and Vmm constructors would throw on a config that breaks them).
    if (c.mmu.validate() || c.costs.validate() || c.dynamic.validate() || c.ptcache.geo.validate()) __builtin_trap();
    for (size_t i = 0; i < c.regions.size(); ++i) {
      const auto& r = c.regions[i];
      const uint64_t last = r.base + (r.size - 1);
      if (r.size == 0 || last < r.base || !c.format.canonical(r.base) || !c.format.canonical(last) ||
          (r.base >> 63) != (last >> 63))
        __builtin_trap();
      for (size_t j = 0; j < i; ++j)
        if (r.base <= c.regions[j].base + (c.regions[j].size - 1) && c.regions[j].base <= last) __builtin_trap();
    }
  } catch (const agilemmu::config::ConfigError&) {
  }
  return 0;
}
