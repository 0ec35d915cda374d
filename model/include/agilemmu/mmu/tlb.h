// Translation lookaside buffer: gVA (or hVA) page -> hPA page, tagged by address space.
#pragma once
#include <cstdint>

#include <agilemmu/mmu/set_assoc.h>
#include <agilemmu/pt/walk.h>

namespace agilemmu::mmu {

// Which address space a lookup belongs to. Host (hVA) translations are tagged apart from every
// guest's, so a guest and the host never share entries (FIG. 8 block 102).
struct Context {
  uint16_t asid = 0;
  uint16_t vmid = 0;
  bool host = false;
  bool operator==(const Context& o) const { return asid == o.asid && vmid == o.vmid && host == o.host; }
};

struct TlbEntry {
  uint64_t vpn = 0;  // va >> page shift of `size`
  uint64_t hpa_base = 0;
  pt::PageSize size = pt::PageSize::k4K;
  pt::Perms perms;
  Context ctx;
  bool dirty = false;  // pt::Translation::dirty: may serve a write without a walk
};

class Tlb {
 public:
  // page_sizes: bit 0 = 4K, bit 1 = 2M, bit 2 = 1G. 4K must be held: larger translations are
  // stored as the largest held size that fits (splintering), as real TLBs do.
  void configure(const CacheGeometry& g, unsigned page_sizes, uint64_t seed);
  bool enabled() const { return arr_.enabled(); }
  uint32_t latency() const { return arr_.geometry().latency; }
  // The entry translating `va` in context `c`, or nullptr. Counts one hit or miss. (Inline: the
  // MMU asks once per access.)
  const TlbEntry* find(const Context& c, uint64_t va) {
    if (!enabled()) return nullptr;
    const TlbEntry* e = scan(c, va, [&](uint64_t vpn, auto&& same) { return arr_.find(vpn, same); });
    ++(e ? arr_.counters().hits : arr_.counters().misses);
    return e;
  }
  // The entry find() would return, without counting or touching the replacement state.
  const TlbEntry* peek(const Context& c, uint64_t va) const {
    return scan(c, va, [&](uint64_t vpn, auto&& same) { return arr_.peek(vpn, same); });
  }
  // find() with a copy of the entry.
  bool lookup(const Context& c, uint64_t va, TlbEntry& out) {
    const TlbEntry* e = find(c, va);
    if (e) out = *e;
    return e;
  }
  void insert(const Context& c, uint64_t va, uint64_t hpa, pt::PageSize size, const pt::Perms& perms, bool dirty);
  void invalidate_page(const Context& c, uint64_t va);
  void invalidate_range(uint16_t vmid, uint64_t va, uint64_t bytes);     // every ASID of a VM
  void invalidate_range(const Context& c, uint64_t va, uint64_t bytes);  // one ASID's entries
  void invalidate_asid(uint16_t vmid, uint16_t asid);
  void invalidate_vmid(uint16_t vmid);
  void invalidate_all() { arr_.invalidate_all(); }
  const CacheCounters& counters() const { return arr_.counters(); }
  size_t valid_count() const { return arr_.valid_count(); }

 private:
  // Runs pred over every entry that can overlap [va, va + bytes): an entry of size s is indexed by
  // its vpn, so only the sets of the range's vpns of each held size; every set when those are more.
  template <class Pred>
  void invalidate_overlapping(uint64_t va, uint64_t bytes, Pred&& pred);
  // Looks for va's page in each held size, smallest first, through get(vpn, same).
  template <class Get>
  const TlbEntry* scan(const Context& c, uint64_t va, Get&& get) const {
    for (unsigned s = 0; s < 3; ++s) {
      if (!(sizes_ >> s & 1)) continue;
      const auto size = static_cast<pt::PageSize>(s);
      const uint64_t vpn = va >> (12 + 9 * s);
      if (const TlbEntry* e = get(vpn, [&](const TlbEntry& x) { return x.size == size && x.vpn == vpn && x.ctx == c; }))
        return e;
    }
    return nullptr;
  }
  SetAssoc<TlbEntry> arr_;
  unsigned sizes_ = 1;
};

}  // namespace agilemmu::mmu
