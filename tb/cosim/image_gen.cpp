#include "cosim/image_gen.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <vector>

namespace agilemmu::cosim {

using pt::PageSize;

Image::Image(const pt::Format& fmt, uint64_t seed, const ImageKnobs& knobs) : fmt_(fmt), knobs_(knobs), rng_(seed) {
  vmm::Layout layout;
  // Backing page size of the hypervisor (4K or 2M). 1 GiB nested pages come from own_backing():
  // FrameAllocator turns every 1 GiB alignment gap into 262144 free 4 KiB frames (slow to build),
  // so 1G backing only with the knob. (The knobs draw only when set: default images stay the same.)
  layout.host_page = chance(55) ? PageSize::k4K : PageSize::k2M;
  if (knobs_.host_1g_pct && chance(knobs_.host_1g_pct)) layout.host_page = PageSize::k1G;
  host_page_ = layout.host_page;
  as_ = std::make_unique<vmm::AddressSpace>(mem_, fmt_, layout);
  add_mappings(24 + static_cast<unsigned>(rnd(40)));
  as_->build_all();
  add_switch_points(static_cast<unsigned>(rnd(10)));
  if (chance(knobs_.fully_nested_pct)) {  // croot becomes the guest root, a gPA: fully nested agile walks
    as_->set_compound_nested(0, 0);
    stats_.fully_nested = true;
  }
  roots_ = as_->roots();
  writable_compound_leaves();
  corrupt(4 + static_cast<unsigned>(rnd(16)) + knobs_.extra_corruptions);
  preset_ad(static_cast<unsigned>(rnd(24)));
  restrict_nested(static_cast<unsigned>(rnd(4)));
  clear_table_d();
}

uint64_t Image::canonical(uint64_t va) const {
  const unsigned b = fmt_.va_bits();
  return static_cast<uint64_t>(static_cast<int64_t>(va << (64 - b)) >> (64 - b));
}

// Indices cluster on a few values per level so mappings share table nodes (deep, dense paths).
uint64_t Image::random_va(PageSize align) {
  static constexpr unsigned kHot[] = {0, 1, 2, 3, 255, 256, 510, 511};
  uint64_t va = 0;
  for (unsigned l = 1; l <= fmt_.levels; ++l) {
    const uint64_t idx = chance(75) ? kHot[rnd(8)] : rnd(512);
    va |= idx << pt::Format::shift(fmt_.levels, l);
  }
  va |= rnd(4096);
  return canonical(va & ~(pt::page_bytes(align) - 1));
}

void Image::add_mappings(unsigned n) {
  std::map<uint64_t, uint64_t> used;  // start -> end of mapped gVA ranges
  for (unsigned i = 0; i < n; ++i) {
    const unsigned s = static_cast<unsigned>(rnd(100));
    PageSize size = s < 70 ? PageSize::k4K : s < 93 ? PageSize::k2M : PageSize::k1G;
    const uint64_t bytes = pt::page_bytes(size);
    const uint64_t va = random_va(size);
    auto it = used.upper_bound(va);
    if (it != used.end() && it->first < va + bytes) continue;
    if (it != used.begin() && std::prev(it)->second > va) continue;
    pt::Perms p{chance(70), chance(70), chance(60)};
    try {
      if (size == PageSize::k1G || (size == PageSize::k2M && chance(50))) {
        as_->guest_map_at(va, own_backing(size), size, p);
      } else if (size == host_page_ && chance(20)) {
        // Own nested mapping (whole host pages, so no backing overlaps it) with its own
        // permissions: nested permission faults.
        const uint64_t gpa = as_->guest_frames().alloc(size);
        as_->nested_map(gpa, as_->host_frames().alloc(size), size, pt::Perms{chance(60), !chance(15), chance(60)});
        as_->guest_map_at(va, gpa, size, p);
      } else {
        as_->guest_map(va, size, p);
      }
    } catch (const std::exception&) {
      continue;  // allocator full or a conflicting path: try another mapping
    }
    used[va] = va + bytes;
    mapped_.push_back({va, bytes});
    if (knobs_.dirty_pct && chance(knobs_.dirty_pct)) {
      as_->set_guest_dirty(va);
      dirty_.push_back(va);
    }
    ++stats_.mappings;
  }
}

// Guest-physical range for a large guest page, backed by 2M or 1G nested pages, taken from
// address ranges outside both frame allocators (see the constructor).
uint64_t Image::own_backing(PageSize size) {
  const PageSize ns = chance(50) ? PageSize::k2M : PageSize::k1G;
  const uint64_t nbytes = pt::page_bytes(ns);
  const uint64_t region = std::max(pt::page_bytes(size), nbytes);
  own_gpa_ = (own_gpa_ + region - 1) & ~(region - 1);
  own_hpa_ = (own_hpa_ + region - 1) & ~(region - 1);
  const pt::Perms np{!chance(15), !chance(8), !chance(15)};
  for (uint64_t off = 0; off < region; off += nbytes) as_->nested_map(own_gpa_ + off, own_hpa_ + off, ns, np);
  // A guest page smaller than its nested page sits anywhere inside it.
  const uint64_t gpa =
      own_gpa_ + (region > pt::page_bytes(size) ? rnd(region / pt::page_bytes(size)) * pt::page_bytes(size) : 0);
  own_gpa_ += region;
  own_hpa_ += region;
  return gpa;
}

void Image::add_switch_points(unsigned n) {
  if (mapped_.empty()) return;
  for (unsigned i = 0; i < n; ++i) {
    const uint64_t va = mapped_[rnd(mapped_.size())].first;
    as_->set_compound_nested(va, 1 + static_cast<unsigned>(rnd(fmt_.levels)));
    ++stats_.nested_points;
  }
}

void Image::corrupt(unsigned n) {
  if (mapped_.empty()) return;
  for (unsigned i = 0; i < n; ++i) {
    const auto& m = mapped_[rnd(mapped_.size())];
    const uint64_t va = m.first + rnd(m.second);
    pt::WalkRequest req{va, pt::Access::Read, false, static_cast<pt::Mode>(rnd(4))};
    const pt::WalkResult w = pt::probe(mem_, fmt_, roots_, req);  // A/D stay as they are
    if (w.nrefs == 0) continue;
    // Entries near a root are shared by most walks: one corrupted there faults a whole dimension
    // (a nested entry above the guest page-table pages without P, or without RW, which every
    // guest A/D write then needs). Mostly corrupt what few walks share: first-dimension entries
    // of the lowest two levels and the last nested entry of the final gPA's translation (after
    // the last guest-table read; the entries above it map the guest page tables too); now and
    // then any entry.
    auto lvls_of = [&](const pt::MemRef& r) { return r.table == pt::Table::Nested ? fmt_.nested_levels : fmt_.levels; };
    std::vector<unsigned> local;
    int last_guest = -1;  // none: the walk's nested references all translate guest-table pointers
    for (unsigned k = 0; k < w.nrefs; ++k)
      if (w.refs[k].table == pt::Table::Guest) last_guest = static_cast<int>(k);
    int final_leaf = -1;
    for (unsigned k = 0; k < w.nrefs; ++k) {
      const pt::MemRef& r = w.refs[k];
      if (r.write) continue;
      if (r.table != pt::Table::Nested && r.level + 2u > fmt_.levels) local.push_back(k);
      if (r.table == pt::Table::Nested && last_guest >= 0 && static_cast<int>(k) > last_guest)
        final_leaf = static_cast<int>(k);
    }
    if (final_leaf >= 0) local.push_back(static_cast<unsigned>(final_leaf));
    // (A walk that already faults near a root offers no such entry: corrupting its shared
    // entries again and again would leave a whole dimension unreachable.)
    const bool any = chance(knobs_.corrupt_any_pct);
    if (local.empty() && !any) continue;
    const pt::MemRef& ref = any ? w.refs[rnd(w.nrefs)] : w.refs[local[rnd(local.size())]];
    const unsigned lvls = lvls_of(ref);
    uint64_t v = mem_.read64(ref.addr);
    // (In a 4K leaf only the address bits can be reserved: PS there is the PAT bit.)
    const bool reserved = knobs_.reserved_pct && chance(knobs_.reserved_pct);
    switch (reserved ? (ref.level == lvls ? 1 : 1 + rnd(3)) : rnd(9)) {
      case 0:
        v &= ~pt::pte::P;
        break;
      case 1: {  // an address bit at or above MAXPHYADDR (or, with MAXPHYADDR 52, above the gPA
                 // width); half the time exactly the boundary bit, where off-by-one bugs live
        const unsigned lo = fmt_.maxphyaddr < 52 ? fmt_.maxphyaddr : fmt_.gpa_bits();
        if (lo < 52) v |= 1ull << (chance(50) ? lo : lo + rnd(52 - lo));
        break;
      }
      case 2:
        v |= pt::pte::PS;
        break;  // reserved at PML4/PML5, a (misaligned) large leaf below
      case 3:   // low bits of a large page
        if (ref.level < lvls)
          v |= pt::pte::PS | (1ull << (13 + rnd(8)));
        else
          v |= 1ull << 12;  // PAT bit position at 4 KiB: an address bit, not reserved
        break;
      case 4:
        v &= ~pt::pte::RW;
        break;
      case 5:
        v &= ~pt::pte::US;
        break;
      case 6:
        v |= pt::pte::NX;
        break;
      case 7:
        v ^= 1ull << fmt_.selector_bit;
        break;  // only compound entries honour it
      default:
        v = 0;
        break;
    }
    mem_.write64(ref.addr, v);
    corrupted_.push_back(va);
    ++stats_.corruptions;
  }
}

// A dirty page's compound leaf is a copy of its guest leaf, A and D included: clear them, so that
// the walk sets them (the shadow leaf starts clear already).
void Image::writable_compound_leaves() {
  for (uint64_t va : dirty_) {
    const pt::WalkResult w = pt::probe(mem_, fmt_, roots_, {va, pt::Access::Read, false, pt::Mode::Agile});
    for (unsigned k = 0; k < w.nrefs; ++k)
      if (!w.refs[k].write && w.refs[k].table == pt::Table::Compound)
        mem_.write64(w.refs[k].addr, mem_.read64(w.refs[k].addr) & ~(pt::pte::A | pt::pte::D));
  }
}

void Image::clear_table_d() {
  if (!knobs_.table_d_clear_pct) return;
  for (const auto& m : mapped_) {
    if (!chance(knobs_.table_d_clear_pct)) continue;
    const pt::WalkResult w = pt::probe(mem_, fmt_, roots_, {m.first, pt::Access::Read, false, pt::Mode::Nested});
    // One large nested leaf maps many guest table pages: the first guest entry written sets its
    // D for all. So the guest entries above a random level get A, those below lose it: the first
    // write of a walk to this page is at that level.
    const unsigned first = 1 + static_cast<unsigned>(rnd(fmt_.levels));
    for (unsigned k = 1; k < w.nrefs; ++k) {  // the nested leaf read right before a guest-table read
      const pt::MemRef& r = w.refs[k];
      if (r.table != pt::Table::Guest || r.write || w.refs[k - 1].table != pt::Table::Nested || w.refs[k - 1].write)
        continue;
      mem_.write64(w.refs[k - 1].addr, mem_.read64(w.refs[k - 1].addr) & ~pt::pte::D);
      const uint64_t v = mem_.read64(r.addr);
      mem_.write64(r.addr, r.level < first ? v | pt::pte::A : v & ~pt::pte::A);
    }
  }
}

// Some entries on the paths of mapped pages already have A, or A and D (set by earlier walks, as
// far as the walker can tell); the rest start clear.
void Image::preset_ad(unsigned n) {
  if (mapped_.empty()) return;
  for (unsigned i = 0; i < n; ++i) {
    const auto& m = mapped_[rnd(mapped_.size())];
    pt::WalkRequest req{m.first + rnd(m.second), pt::Access::Read, false, static_cast<pt::Mode>(rnd(4))};
    const pt::WalkResult w = pt::probe(mem_, fmt_, roots_, req);
    for (unsigned k = 0; k < w.nrefs; ++k) {
      if (w.refs[k].write || !chance(40)) continue;
      mem_.write64(w.refs[k].addr, mem_.read64(w.refs[k].addr) | pt::pte::A | (chance(35) ? pt::pte::D : 0));
      ++stats_.ad_preset;
    }
  }
}

// Nested leaves with restricted permissions: the leaf mapping a guest page-table page (its
// walks fault when the guest entry needs an A/D write and RW is clear, or at once when US is
// clear; NX does not matter there) or the leaf mapping a data page (the final gPA's checks).
void Image::restrict_nested(unsigned n) {
  if (mapped_.empty()) return;
  for (unsigned i = 0; i < n; ++i) {
    const auto& m = mapped_[rnd(mapped_.size())];
    pt::WalkRequest req{m.first + rnd(m.second), pt::Access::Read, false, pt::Mode::Nested};
    const pt::WalkResult w = pt::probe(mem_, fmt_, roots_, req);
    std::vector<uint64_t> table_leaves;  // nested leaves read just before a guest-table read
    uint64_t last_nested = 0, data_leaf = 0;
    for (unsigned k = 0; k < w.nrefs; ++k) {
      const pt::MemRef& r = w.refs[k];
      if (r.write) continue;
      if (r.table == pt::Table::Nested) {
        last_nested = r.addr;
        data_leaf = r.addr;
      } else if (r.table == pt::Table::Guest) {
        if (last_nested) table_leaves.push_back(last_nested);
        data_leaf = 0;
      }
    }
    uint64_t leaf = 0;
    if (!table_leaves.empty() && (chance(60) || !data_leaf))
      leaf = table_leaves[rnd(table_leaves.size())];
    else
      leaf = data_leaf;
    if (!leaf) continue;
    uint64_t v = mem_.read64(leaf);
    switch (rnd(fmt_.nx_enabled ? 3 : 2)) {
      case 0:
        v &= ~pt::pte::RW;
        break;
      case 1:
        v &= ~pt::pte::US;
        break;
      default:
        v |= pt::pte::NX;
        break;
    }
    mem_.write64(leaf, v);
    ++stats_.nested_restricted;
  }
}

pt::WalkRequest Image::next_request() {
  pt::WalkRequest r;
  r.mode = static_cast<pt::Mode>(rnd(4));
  r.access = static_cast<pt::Access>(rnd(3));
  r.user = chance(50);
  const unsigned k = static_cast<unsigned>(rnd(100));
  if (k < 50 && !mapped_.empty()) {
    const auto& m = mapped_[rnd(mapped_.size())];
    r.va = m.first + rnd(m.second);
  } else if (k < 72 && !corrupted_.empty()) {
    r.va = corrupted_[rnd(corrupted_.size())] ^ rnd(4096);
  } else if (k < 86) {  // NOLINT(bugprone-branch-clone): the last branch is the fallback when nothing is mapped
    r.va = random_va(PageSize::k4K);
  } else if (k < 89) {
    r.va = rng_();      // almost always non-canonical
  } else if (k < 91) {  // one bit off canonical: just past the boundary, or only bit 63 wrong
    r.va = random_va(PageSize::k4K) ^ (chance(50) ? 1ull << (fmt_.va_bits() - 1) : 1ull << 63);
  } else if (!mapped_.empty()) {  // near miss: same upper path, another page
    const auto& m = mapped_[rnd(mapped_.size())];
    r.va = canonical(m.first ^ (1ull << (12 + rnd(fmt_.va_bits() - 13))));
  } else {
    r.va = random_va(PageSize::k4K);
  }
  return r;
}

}  // namespace agilemmu::cosim
