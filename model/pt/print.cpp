#include <agilemmu/pt/print.h>

#include <cstdio>

namespace agilemmu::pt {

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

std::string describe(const Fault& f, Isa isa) {
  if (isa == Isa::RiscV && f.stage != Stage::None)
    return std::string(rv::cause_name(f.error_code)) + " (scause " + std::to_string(f.error_code) + ") stage " +
           to_string(f.stage) + " " + to_string(f.kind) + " level " + std::to_string(f.level) + " addr " + hex(f.addr);
  if (f.stage == Stage::None) return std::string(to_string(f.kind)) + " (#GP) addr " + hex(f.addr);
  return std::string("stage ") + to_string(f.stage) + " " + to_string(f.kind) + " level " + std::to_string(f.level) +
         " addr " + hex(f.addr) + " error code " + hex(f.error_code);
}

}  // namespace agilemmu::pt
