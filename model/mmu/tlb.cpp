#include <agilemmu/mmu/tlb.h>

namespace agilemmu::mmu {

namespace {
unsigned shift_of(pt::PageSize s) { return 12 + 9 * static_cast<unsigned>(s); }
// Whether entry x's page overlaps [va, va + bytes).
bool overlaps(const TlbEntry& x, uint64_t va, uint64_t bytes) {
  const uint64_t lo = x.vpn << shift_of(x.size), hi = lo + (1ull << shift_of(x.size));
  return lo < va + bytes && va < hi;
}
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

template <class Pred>
void Tlb::invalidate_overlapping(uint64_t va, uint64_t bytes, Pred&& pred) {
  if (!enabled()) return;
  const uint64_t last = va + (bytes - 1);
  uint64_t sets = 0;  // to visit, over the held sizes
  for (unsigned s = 0; s < 3; ++s)
    if (sizes_ >> s & 1) sets += (last >> (12 + 9 * s)) - (va >> (12 + 9 * s)) + 1;
  if (bytes == 0 || last < va || sets >= arr_.geometry().sets()) return arr_.invalidate_if(pred);
  for (unsigned s = 0; s < 3; ++s)
    if (sizes_ >> s & 1)
      for (uint64_t vpn = va >> (12 + 9 * s); vpn <= last >> (12 + 9 * s); ++vpn) arr_.invalidate_set_if(vpn, pred);
}

void Tlb::invalidate_page(const Context& c, uint64_t va) {
  invalidate_overlapping(va, 1, [&](const TlbEntry& x) { return x.ctx == c && x.vpn == va >> shift_of(x.size); });
}

void Tlb::invalidate_range(uint16_t vmid, uint64_t va, uint64_t bytes) {
  invalidate_overlapping(
      va, bytes, [&](const TlbEntry& x) { return !x.ctx.host && x.ctx.vmid == vmid && overlaps(x, va, bytes); });
}

void Tlb::invalidate_range(const Context& c, uint64_t va, uint64_t bytes) {
  invalidate_overlapping(va, bytes, [&](const TlbEntry& x) { return x.ctx == c && overlaps(x, va, bytes); });
}

void Tlb::invalidate_asid(uint16_t vmid, uint16_t asid) {
  arr_.invalidate_if([&](const TlbEntry& x) { return !x.ctx.host && x.ctx.vmid == vmid && x.ctx.asid == asid; });
}

void Tlb::invalidate_vmid(uint16_t vmid) {
  arr_.invalidate_if([&](const TlbEntry& x) { return !x.ctx.host && x.ctx.vmid == vmid; });
}

}  // namespace agilemmu::mmu
