// The walker's caches, plugged into the reference walk through pt::WalkCaches:
//  - a page-walk cache for the first dimension (compound, shadow, guest or native table), keyed
//    by paging mode, level and VA prefix, so shadow-style and nested-style pointers never alias;
//  - a nested page-walk cache (gPA prefix -> next nested node);
//  - a nested TLB (gPA page -> hPA page; Bhargava et al., ASPLOS 2008).
#pragma once
#include <cstdint>

#include <agilemmu/mmu/set_assoc.h>
#include <agilemmu/mmu/tlb.h>
#include <agilemmu/pt/walk.h>

namespace agilemmu::mmu {

class WalkCacheSet : public pt::WalkCaches {
 public:
  void configure(const pt::Format& fmt, const CacheGeometry& pwc, const CacheGeometry& npwc, const CacheGeometry& ntlb,
                 uint64_t seed);
  // The context the pt::WalkCaches interface below uses (one walk at a time: tests and tools).
  // Concurrent walkers each go through their own ContextCaches instead.
  void set_context(const Context& c) { ctx_ = c; }

  bool pwc_lookup(pt::Mode mode, uint64_t va, pt::PwcEntry& out) override { return pwc_lookup(ctx_, mode, va, out); }
  void pwc_fill(pt::Mode mode, uint64_t va, const pt::PwcEntry& e) override { pwc_fill(ctx_, mode, va, e); }
  bool ntlb_lookup(uint64_t gpa, pt::NestedEntry& out) override { return ntlb_lookup(ctx_, gpa, out); }
  void ntlb_fill(uint64_t gpa, const pt::NestedEntry& e) override { ntlb_fill(ctx_, gpa, e); }
  bool npwc_lookup(uint64_t gpa, pt::NestedPwcEntry& out) override { return npwc_lookup(ctx_, gpa, out); }
  void npwc_fill(uint64_t gpa, const pt::NestedPwcEntry& e) override { npwc_fill(ctx_, gpa, e); }

  bool pwc_lookup(const Context& c, pt::Mode mode, uint64_t va, pt::PwcEntry& out);
  void pwc_fill(const Context& c, pt::Mode mode, uint64_t va, const pt::PwcEntry& e);
  bool ntlb_lookup(const Context& c, uint64_t gpa, pt::NestedEntry& out);
  void ntlb_fill(const Context& c, uint64_t gpa, const pt::NestedEntry& e);
  bool npwc_lookup(const Context& c, uint64_t gpa, pt::NestedPwcEntry& out);
  void npwc_fill(const Context& c, uint64_t gpa, const pt::NestedPwcEntry& e);

  void invalidate_first_dim(uint16_t vmid);  // compound/shadow/guest structure changed
  // First-dimension entries of context `c` whose range lies within [va, va + bytes) (INVLPG).
  void invalidate_first_dim_range(const Context& c, uint64_t va, uint64_t bytes);
  // ... of every guest address space of a VM; every entry of one ASID.
  void invalidate_first_dim_range(uint16_t vmid, uint64_t va, uint64_t bytes);
  void invalidate_first_dim_asid(uint16_t vmid, uint16_t asid);
  void invalidate_nested(uint16_t vmid);  // the nested table changed
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

// One walker's view of the shared walk caches: its own context, so walkers whose memory reads
// interleave (AT, or targets that wait()) never look up or fill under another walk's context.
// Fills are dropped once an invalidation has happened since the walk started (`epoch` moved):
// what the walk read before it may be stale, and a fill after the invalidation would outlive it.
class ContextCaches final : public pt::WalkCaches {
 public:
  ContextCaches(WalkCacheSet& set, const uint64_t& epoch) : set_(set), epoch_(epoch) {}
  void begin(const Context& c) { ctx_ = c, start_ = epoch_; }
  bool stale() const { return epoch_ != start_; }

  bool pwc_lookup(pt::Mode m, uint64_t va, pt::PwcEntry& out) override { return set_.pwc_lookup(ctx_, m, va, out); }
  void pwc_fill(pt::Mode m, uint64_t va, const pt::PwcEntry& e) override {
    if (!stale()) set_.pwc_fill(ctx_, m, va, e);
  }
  bool ntlb_lookup(uint64_t gpa, pt::NestedEntry& out) override { return set_.ntlb_lookup(ctx_, gpa, out); }
  void ntlb_fill(uint64_t gpa, const pt::NestedEntry& e) override {
    if (!stale()) set_.ntlb_fill(ctx_, gpa, e);
  }
  bool npwc_lookup(uint64_t gpa, pt::NestedPwcEntry& out) override { return set_.npwc_lookup(ctx_, gpa, out); }
  void npwc_fill(uint64_t gpa, const pt::NestedPwcEntry& e) override {
    if (!stale()) set_.npwc_fill(ctx_, gpa, e);
  }

 private:
  WalkCacheSet& set_;
  const uint64_t& epoch_;
  Context ctx_;
  uint64_t start_ = 0;
};

}  // namespace agilemmu::mmu
