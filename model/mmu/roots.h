// Private to the Mmu: the root registers of every address space it has been told about.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <systemc>

#include <agilemmu/mmu/tlb.h>
#include <agilemmu/pt/walk.h>

namespace agilemmu::mmu {

class RootTable {
 public:
  explicit RootTable(const sc_core::sc_object& owner) : owner_(owner) {}
  // False when `c` had these roots already.
  bool set(const Context& c, const pt::Roots& r) {
    pt::Roots& cur = roots_[key(c)];
    if (cur == r) return false;
    cur = r;
    return true;
  }
  // An address space nobody set roots for is an SC_REPORT_ERROR (and walks from all-zero roots).
  const pt::Roots& of(const Context& c) const {
    auto it = roots_.find(key(c));
    if (it != roots_.end()) return it->second;
    SC_REPORT_ERROR(owner_.name(), ("no root registers for " + std::string(c.host ? "host" : "guest") + " asid " +
                                    std::to_string(c.asid) + " vmid " + std::to_string(c.vmid))
                                       .c_str());
    static const pt::Roots none;
    return none;
  }

 private:
  static uint32_t key(const Context& c) {
    return (c.host ? 1u << 31 : 0u) | (uint32_t(c.host ? 0 : c.vmid) << 16) | c.asid;
  }
  const sc_core::sc_object& owner_;
  std::map<uint32_t, pt::Roots> roots_;  // key: host bit | vmid | asid
};

}  // namespace agilemmu::mmu
