// The walker's caches, plugged into the reference walk through pt::WalkCaches:
//  - a page-walk cache for the first dimension (compound, shadow, guest or native table), keyed
//    by paging mode, level and VA prefix, so shadow-style and nested-style pointers never alias;
//  - a nested page-walk cache (gPA prefix -> next nested node);
//  - a nested TLB (gPA page -> hPA page; Bhargava et al., ASPLOS 2008).
#pragma once
#include <cstdint>

#include "mmu/set_assoc.h"
#include "mmu/tlb.h"
#include "pt/walk.h"

namespace agilemmu::mmu {

class WalkCacheSet : public pt::WalkCaches {
 public:
  void configure(const pt::Format& fmt, const CacheGeometry& pwc, const CacheGeometry& npwc, const CacheGeometry& ntlb,
                 uint64_t seed);
  void set_context(const Context& c) { ctx_ = c; }

  bool pwc_lookup(pt::Mode mode, uint64_t va, pt::PwcEntry& out) override;
  void pwc_fill(pt::Mode mode, uint64_t va, const pt::PwcEntry& e) override;
  bool ntlb_lookup(uint64_t gpa, pt::NestedEntry& out) override;
  void ntlb_fill(uint64_t gpa, const pt::NestedEntry& e) override;
  bool npwc_lookup(uint64_t gpa, pt::NestedPwcEntry& out) override;
  void npwc_fill(uint64_t gpa, const pt::NestedPwcEntry& e) override;

  void invalidate_first_dim(uint16_t vmid);  // compound/shadow/guest structure changed
  void invalidate_nested(uint16_t vmid);     // the nested table changed
  void invalidate_all();

  const CacheCounters& pwc_counters() const { return pwc_.counters(); }
  const CacheCounters& npwc_counters() const { return npwc_.counters(); }
  const CacheCounters& ntlb_counters() const { return ntlb_.counters(); }
  uint32_t pwc_latency() const { return pwc_.geometry().latency; }
  uint32_t npwc_latency() const { return npwc_.geometry().latency; }
  uint32_t ntlb_latency() const { return ntlb_.geometry().latency; }
  bool pwc_enabled() const { return pwc_.enabled(); }
  bool npwc_enabled() const { return npwc_.enabled(); }
  bool ntlb_enabled() const { return ntlb_.enabled(); }

 private:
  struct Pwc {
    pt::Mode mode;
    uint8_t level;
    uint64_t prefix;
    Context ctx;
    pt::PwcEntry v;
  };
  struct NPwc {
    uint8_t level;
    uint64_t prefix;
    uint16_t vmid;
    pt::NestedPwcEntry v;
  };
  struct NTlb {
    uint64_t gpn;
    pt::PageSize size;
    uint16_t vmid;
    pt::NestedEntry v;
  };
  pt::Format fmt_;
  Context ctx_;
  SetAssoc<Pwc> pwc_;
  SetAssoc<NPwc> npwc_;
  SetAssoc<NTlb> ntlb_;
};

}  // namespace agilemmu::mmu
