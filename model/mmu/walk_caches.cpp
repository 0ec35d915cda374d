#include <agilemmu/mmu/walk_caches.h>
#include <agilemmu/pt/hash.h>

namespace agilemmu::mmu {

using pt::Format;

void WalkCacheSet::configure(const pt::Format& fmt, const CacheGeometry& pwc, const CacheGeometry& npwc,
                             const CacheGeometry& ntlb, uint64_t seed) {
  fmt_ = fmt;
  pwc_.configure(pwc, seed * 3 + 1);
  npwc_.configure(npwc, seed * 5 + 2);
  ntlb_.configure(ntlb, seed * 7 + 3);
}

// The set index mixes level and prefix so entries of different levels spread over the sets.
static uint64_t mix(uint64_t prefix, unsigned level) { return prefix * pt::kGoldenGamma >> 20 ^ level; }

bool WalkCacheSet::pwc_lookup(const Context& ctx, pt::Mode mode, uint64_t va, pt::PwcEntry& out) {
  if (!pwc_.enabled()) return false;
  for (unsigned l = fmt_.levels - 1; l >= 1; --l) {  // the deepest cached level skips the most
    const uint64_t p = va >> Format::shift(fmt_.levels, l);
    if (Pwc* e = pwc_.find(
            mix(p, l), [&](const Pwc& x) { return x.level == l && x.prefix == p && x.mode == mode && x.ctx == ctx; })) {
      out = e->v;
      ++pwc_.counters().hits;
      return true;
    }
  }
  ++pwc_.counters().misses;
  return false;
}

void WalkCacheSet::pwc_fill(const Context& ctx, pt::Mode mode, uint64_t va, const pt::PwcEntry& e) {
  const uint64_t p = va >> Format::shift(fmt_.levels, e.level);
  Pwc x{mode, e.level, p, ctx, e};
  pwc_.insert(mix(p, e.level), x,
              [&](const Pwc& y) { return y.level == e.level && y.prefix == p && y.mode == mode && y.ctx == ctx; });
}

bool WalkCacheSet::ntlb_lookup(const Context& ctx, uint64_t gpa, pt::NestedEntry& out) {
  if (!ntlb_.enabled()) return false;
  for (unsigned s = 0; s < 3; ++s) {
    const auto size = static_cast<pt::PageSize>(s);
    const uint64_t gpn = gpa >> (12 + 9 * s);
    if (NTlb* e =
            ntlb_.find(gpn, [&](const NTlb& x) { return x.size == size && x.gpn == gpn && x.vmid == ctx.vmid; })) {
      out = e->v;
      ++ntlb_.counters().hits;
      return true;
    }
  }
  ++ntlb_.counters().misses;
  return false;
}

void WalkCacheSet::ntlb_fill(const Context& ctx, uint64_t gpa, const pt::NestedEntry& e) {
  const uint64_t gpn = gpa >> (12 + 9 * static_cast<unsigned>(e.size));
  NTlb x{gpn, e.size, ctx.vmid, e};
  ntlb_.insert(gpn, x, [&](const NTlb& y) { return y.size == e.size && y.gpn == gpn && y.vmid == ctx.vmid; });
}

bool WalkCacheSet::npwc_lookup(const Context& ctx, uint64_t gpa, pt::NestedPwcEntry& out) {
  if (!npwc_.enabled()) return false;
  for (unsigned l = fmt_.nested_levels - 1; l >= 1; --l) {
    const uint64_t p = gpa >> Format::shift(fmt_.nested_levels, l);
    if (NPwc* e =
            npwc_.find(mix(p, l), [&](const NPwc& x) { return x.level == l && x.prefix == p && x.vmid == ctx.vmid; })) {
      out = e->v;
      ++npwc_.counters().hits;
      return true;
    }
  }
  ++npwc_.counters().misses;
  return false;
}

void WalkCacheSet::npwc_fill(const Context& ctx, uint64_t gpa, const pt::NestedPwcEntry& e) {
  const uint64_t p = gpa >> Format::shift(fmt_.nested_levels, e.level);
  NPwc x{e.level, p, ctx.vmid, e};
  npwc_.insert(mix(p, e.level), x,
               [&](const NPwc& y) { return y.level == e.level && y.prefix == p && y.vmid == ctx.vmid; });
}

void WalkCacheSet::invalidate_first_dim(uint16_t vmid) {
  pwc_.invalidate_if([&](const Pwc& x) { return x.ctx.vmid == vmid; });
}

namespace {
// The VA range a first-dimension entry at `level` covers lies within [va, va + bytes): an entry
// a change of that range can have rewritten or freed. (Entries above it cover more than the
// range, so the change did not touch them: x86's INVLPG drops those too, we keep them.)
bool covers(const Format& f, unsigned level, uint64_t prefix, uint64_t va, uint64_t bytes) {
  const unsigned sh = Format::shift(f.levels, level);
  const uint64_t lo = prefix << sh, last = lo + ((1ull << sh) - 1);
  return lo >= va && last <= va + (bytes - 1);
}
}  // namespace

void WalkCacheSet::invalidate_first_dim_range(const Context& c, uint64_t va, uint64_t bytes) {
  pwc_.invalidate_if([&](const Pwc& x) { return x.ctx == c && covers(fmt_, x.level, x.prefix, va, bytes); });
}

void WalkCacheSet::invalidate_first_dim_range(uint16_t vmid, uint64_t va, uint64_t bytes) {
  pwc_.invalidate_if(
      [&](const Pwc& x) { return !x.ctx.host && x.ctx.vmid == vmid && covers(fmt_, x.level, x.prefix, va, bytes); });
}

void WalkCacheSet::invalidate_first_dim_asid(uint16_t vmid, uint16_t asid) {
  pwc_.invalidate_if([&](const Pwc& x) { return !x.ctx.host && x.ctx.vmid == vmid && x.ctx.asid == asid; });
}

void WalkCacheSet::invalidate_nested(uint16_t vmid) {
  npwc_.invalidate_if([&](const NPwc& x) { return x.vmid == vmid; });
  ntlb_.invalidate_if([&](const NTlb& x) { return x.vmid == vmid; });
  // First-dimension entries hold gPAs (guest/nested-style) or hPAs of shadow and compound nodes,
  // which the hypervisor owns: a nested-table change leaves them valid.
}

void WalkCacheSet::invalidate_all() {
  pwc_.invalidate_all();
  npwc_.invalidate_all();
  ntlb_.invalidate_all();
}

}  // namespace agilemmu::mmu
