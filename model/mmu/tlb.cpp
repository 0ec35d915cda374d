#include <agilemmu/mmu/tlb.h>

namespace agilemmu::mmu {

namespace {
unsigned shift_of(pt::PageSize s) { return 12 + 9 * static_cast<unsigned>(s); }
}  // namespace

void Tlb::configure(const CacheGeometry& g, unsigned page_sizes, uint64_t seed) {
  arr_.configure(g, seed);
  sizes_ = page_sizes | 1;
}

void Tlb::insert(const Context& c, uint64_t va, uint64_t hpa, pt::PageSize size, const pt::Perms& perms, bool dirty) {
  if (!enabled()) return;
  while (size != pt::PageSize::k4K && !(sizes_ >> static_cast<unsigned>(size) & 1))
    size = static_cast<pt::PageSize>(static_cast<unsigned>(size) - 1);
  const unsigned sh = shift_of(size);
  TlbEntry e{va >> sh, (hpa >> sh) << sh, size, perms, c, dirty};
  arr_.insert(e.vpn, e, [&](const TlbEntry& x) { return x.size == size && x.vpn == e.vpn && x.ctx == c; });
}

void Tlb::invalidate_page(const Context& c, uint64_t va) {
  arr_.invalidate_if([&](const TlbEntry& x) { return x.ctx == c && x.vpn == va >> shift_of(x.size); });
}

void Tlb::invalidate_range(uint16_t vmid, uint64_t va, uint64_t bytes) {
  arr_.invalidate_if([&](const TlbEntry& x) {
    const uint64_t lo = x.vpn << shift_of(x.size), hi = lo + (1ull << shift_of(x.size));
    return !x.ctx.host && x.ctx.vmid == vmid && lo < va + bytes && va < hi;
  });
}

void Tlb::invalidate_asid(uint16_t vmid, uint16_t asid) {
  arr_.invalidate_if([&](const TlbEntry& x) { return !x.ctx.host && x.ctx.vmid == vmid && x.ctx.asid == asid; });
}

void Tlb::invalidate_vmid(uint16_t vmid) {
  arr_.invalidate_if([&](const TlbEntry& x) { return !x.ctx.host && x.ctx.vmid == vmid; });
}

}  // namespace agilemmu::mmu
