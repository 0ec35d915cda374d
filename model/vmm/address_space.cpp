#include <agilemmu/vmm/address_space.h>

#include <algorithm>
#include <stdexcept>

namespace agilemmu::vmm {

using pt::Format;
using pt::PageSize;
using pt::Perms;

namespace {
const MappingRecords::value_type* find_covering(const MappingRecords& m, uint64_t addr) {
  const auto* e = m.floor(addr);
  return e && addr - e->first < pt::page_bytes(e->second.size) ? e : nullptr;
}
}  // namespace

AddressSpace::AddressSpace(pt::PhysMem& mem, const Format& fmt, const Layout& layout)
    : owned_(std::make_unique<Vm>(mem, fmt, layout)), vm_(*owned_), mem_(mem), fmt_(fmt) {
  init();
}

AddressSpace::AddressSpace(Vm& vm) : vm_(vm), mem_(vm.mem()), fmt_(vm.format()) { init(); }

AddressSpace::~AddressSpace() { vm_.detach(this); }

void AddressSpace::init() {
  RadixTable::Nodes gnodes;
  gnodes.alloc = [this] {
    const uint64_t gpa = vm_.guest_frames().alloc();
    back_gpa(gpa);
    uint64_t hpa = 0;
    Perms p;
    PageSize s;
    host_translate(gpa, hpa, p, s);
    mem_.frame(hpa >> 12).fill(0);
    return gpa;
  };
  gnodes.to_host = [this](uint64_t gpa) {
    uint64_t hpa = 0;
    Perms p;
    PageSize s;
    if (!host_translate(gpa, hpa, p, s)) throw std::logic_error("guest table node has no host backing");
    return hpa;
  };
  gnodes.release = [this](uint64_t gpa) { vm_.guest_frames().free(gpa); };
  gpt_ = std::make_unique<RadixTable>(mem_, fmt_, fmt_.levels, std::move(gnodes));
  gpt_->on_write = [this](uint64_t va, unsigned level, uint64_t node, uint64_t old, uint64_t v) {
    // A nested-style compound entry is a copy of the guest's entry at its level: keep it current.
    const unsigned sh = Format::shift(fmt_.levels, level);
    if (points_.count({level, va >> sh})) cpt_->write(va >> sh << sh, level, compound_copy(level, v));
    if (on_guest_pt_write) on_guest_pt_write(va, level, node, old, v);
  };
  spt_ = vm_.host_table();
  hpt_ = vm_.host_table();
  cpt_ = vm_.host_table(fmt_.selector());
  vm_.attach(this);
}

std::optional<uint64_t> AddressSpace::fresh_frame(PageSize size) {
  const auto gpa = size == PageSize::k4K ? vm_.guest_frames().alloc(size) : vm_.guest_frames().try_alloc(size);
  if (gpa)
    for (uint64_t off = 0; off < pt::page_bytes(size); off += pt::page_bytes(vm_.layout().host_page))
      back_gpa(*gpa + off);
  return gpa;
}

uint64_t AddressSpace::guest_map(uint64_t gva, PageSize size, Perms perms, bool dirty) {
  const auto gpa = fresh_frame(size);
  if (!gpa) return map_smaller(gva, size, perms, dirty);
  guest_map_at(gva, *gpa, size, perms, dirty);
  return *gpa;
}

bool AddressSpace::guest_range_unmapped(uint64_t gva, uint64_t bytes) const {
  if (find_covering(guest_, gva)) return false;
  const auto next = guest_.lower_bound(gva);
  return next == guest_.end() || next->first >= gva + bytes;
}

uint64_t AddressSpace::map_smaller(uint64_t gva, PageSize size, Perms perms, bool dirty) {
  ++huge_fallbacks_;
  const auto smaller = static_cast<PageSize>(static_cast<unsigned>(size) - 1);
  const uint64_t first = guest_map(gva, smaller, perms, dirty);
  for (uint64_t off = pt::page_bytes(smaller); off < pt::page_bytes(size); off += pt::page_bytes(smaller))
    guest_map(gva + off, smaller, perms, dirty);
  return first;
}

void AddressSpace::copy_guest(uint64_t from_gpa, uint64_t to_gpa, uint64_t bytes) {
  for (uint64_t off = 0; off < bytes; off += 4096) {
    uint64_t from = 0, to = 0;
    Perms p;
    PageSize s;
    host_translate(from_gpa + off, from, p, s);
    host_translate(to_gpa + off, to, p, s);
    if (const auto* f = mem_.find(from >> 12)) mem_.frame(to >> 12) = *f;
  }
}

bool AddressSpace::guest_dirty(uint64_t gva) const {
  unsigned level;
  uint64_t e;
  return gpt_->lookup(gva, level, e) && (e & fmt_.d_bit());
}

void AddressSpace::set_guest_dirty(uint64_t gva) {
  unsigned level;
  uint64_t e;
  if (!gpt_->lookup(gva, level, e) || (e & fmt_.d_bit())) return;
  const uint64_t bytes = 1ull << Format::shift(fmt_.levels, level);
  gpt_->write(gva & ~(bytes - 1), level, e | fmt_.a_bit() | fmt_.d_bit());
}

uint64_t AddressSpace::shadow_leaf(uint64_t va, uint64_t hpa, PageSize s, const Perms& p) const {
  const uint64_t e = fmt_.leaf(hpa, s, p);
  return guest_dirty(va) ? e : e & ~fmt_.write_bit();
}

uint64_t AddressSpace::compound_copy(unsigned level, uint64_t v) const {
  if (fmt_.is_leaf(fmt_.levels, level, v) && !(v & fmt_.d_bit())) v &= ~fmt_.write_bit();
  return v | fmt_.selector();
}

void AddressSpace::guest_map_at(uint64_t gva, uint64_t gpa, PageSize size, Perms perms, bool dirty) {
  const uint64_t mask = pt::page_bytes(size) - 1;
  if ((gva | gpa) & mask) throw std::invalid_argument("guest mapping not aligned to its page size");
  if (const auto* old = find_covering(guest_, gva)) rmap_.erase(old->second.out, old->first);
  gpt_->map(gva, size, fmt_.leaf(gpa, size, perms, dirty, dirty));
  guest_.insert_or_assign(gva, Mapping{gpa, size, perms});
  rmap_.insert(gpa, gva);
}

uint64_t AddressSpace::guest_remap(uint64_t gva) {
  auto* m = find_covering(guest_, gva);
  if (!m) throw std::logic_error("guest_remap of an unmapped gVA");
  const uint64_t base = m->first;
  const Mapping old = m->second;
  const uint64_t bytes = pt::page_bytes(old.size);
  if (const auto gpa = fresh_frame(old.size)) {
    copy_guest(old.out, *gpa, bytes);
    guest_map_at(base, *gpa, old.size, old.perms);
    vm_.guest_frames().free(old.out, old.size);
    return *gpa;
  }
  // No free frame of the page's size: the guest splits the page into smaller fresh ones.
  drop_guest_mapping(base);
  const uint64_t first = map_smaller(base, old.size, old.perms, false);
  for (uint64_t off = 0; off < bytes;) {
    uint64_t gpa;
    Perms p;
    PageSize s;
    guest_translate(base + off, gpa, p, s);
    copy_guest(old.out + off, gpa, pt::page_bytes(s));
    off += pt::page_bytes(s);
  }
  vm_.guest_frames().free(old.out, old.size);
  return first;
}

Mapping AddressSpace::drop_guest_mapping(uint64_t base) {
  const auto* m = guest_.find(base);
  if (!m) throw std::out_of_range("no guest mapping at this gVA");
  const Mapping old = m->second;
  gpt_->clear(base, Format::level_of(fmt_.levels, old.size));
  guest_.erase(base);
  rmap_.erase(old.out, base);
  return old;
}

bool AddressSpace::guest_unmap(uint64_t gva) {
  auto* m = find_covering(guest_, gva);
  if (!m) return false;
  const Mapping old = drop_guest_mapping(m->first);
  vm_.guest_frames().free(old.out, old.size);
  return true;
}

bool AddressSpace::guest_protect(uint64_t gva, Perms perms, bool clean) {
  auto* m = find_covering(guest_, gva);
  if (!m) return false;
  const uint64_t base = m->first;
  const Mapping old = m->second;
  guest_map_at(base, old.out, old.size, perms, !clean && guest_dirty(base));
  return true;
}

bool AddressSpace::guest_move(uint64_t from, uint64_t to) {
  auto* m = find_covering(guest_, from);
  if (!m || find_covering(guest_, to)) return false;
  const uint64_t base = m->first;
  const Mapping old = m->second;
  if (to & (pt::page_bytes(old.size) - 1)) throw std::invalid_argument("guest_move to a misaligned gVA");
  const bool dirty = guest_dirty(base);
  drop_guest_mapping(base);
  guest_map_at(to, old.out, old.size, old.perms, dirty);
  return true;
}

void AddressSpace::guest_reset() {
  points_.clear();
  full_nested_ = false;
  // Clearing a top-level entry releases the whole subtree below it (RadixTable::write).
  const unsigned sh = Format::shift(fmt_.levels, 1);
  for (uint64_t i = 0; i < 512; ++i)
    if (fmt_.present(gpt_->read(i << sh, 1))) gpt_->clear(i << sh, 1);
  for (const auto& [va, m] : guest_) vm_.guest_frames().free(m.out, m.size);
  guest_.clear();
  rmap_.clear();
  build_all();
}

std::vector<std::pair<uint64_t, uint64_t>> AddressSpace::host_migrate(uint64_t gpa) {
  std::vector<std::pair<uint64_t, uint64_t>> mine;
  for (const auto& m : vm_.host_migrate(gpa))
    if (m.as == this) mine.push_back({m.va, m.bytes});
  return mine;
}

std::vector<std::pair<uint64_t, uint64_t>> AddressSpace::host_moved(uint64_t gpa_lo, uint64_t gpa_hi) {
  std::vector<std::pair<uint64_t, uint64_t>> moved;
  for (uint64_t gva : gvas_of(gpa_lo, gpa_hi)) {
    auto* g = find_covering(guest_, gva);
    moved.push_back({g->first, pt::page_bytes(g->second.size)});
    resync(g->first, g->first + moved.back().second);
  }
  return moved;
}

void AddressSpace::teardown() {
  on_guest_pt_write = nullptr;  // the guest's own teardown writes are not measured here
  guest_reset();
  gpt_->on_write = nullptr;
  gpt_->release_all();
  spt_->release_all();
  hpt_->release_all();
  cpt_->release_all();
  torn_down_ = true;
}

std::vector<uint64_t> AddressSpace::gvas_of(uint64_t lo, uint64_t hi) const {
  std::vector<uint64_t> out;
  // Guest pages may be larger than the gPA range: start from any page that could cover `lo`.
  auto it = rmap_.lower_bound(lo >= (1ull << 30) ? lo - (1ull << 30) + 1 : 0);
  for (; it != rmap_.end() && it->first < hi; ++it) {
    const auto* g = find_covering(guest_, it->second);
    if (g && it->first + pt::page_bytes(g->second.size) > lo) out.push_back(it->second);
  }
  return out;
}

void AddressSpace::clear_leaves(RadixTable& t, uint64_t lo, uint64_t hi, bool skip_points) {
  for (uint64_t va = lo; va < hi;) {
    unsigned level;
    uint64_t e;
    if (skip_points && covered_by_point(va, fmt_.levels)) {
      va += 4096;
      continue;
    }
    if (!t.lookup(va, level, e)) {
      va += 4096;
      continue;
    }
    const uint64_t bytes = 1ull << Format::shift(fmt_.levels, level);
    t.clear(va & ~(bytes - 1), level);
    va = (va & ~(bytes - 1)) + bytes;
  }
}

void AddressSpace::resync(uint64_t lo, uint64_t hi) {
  clear_leaves(*spt_, lo, hi, false);
  clear_leaves(*hpt_, lo, hi, false);
  clear_leaves(*cpt_, lo, hi, true);
  for_each_piece(lo, hi, [&](uint64_t va, uint64_t hpa, PageSize s, Perms p) {
    const uint64_t shadow = shadow_leaf(va, hpa, s, p);
    spt_->map(va, s, shadow);
    hpt_->map(va, s, fmt_.leaf(hpa, s, p));
    if (!covered_by_point(va, fmt_.levels)) cpt_->map(va, s, shadow);
  });
}

bool AddressSpace::guest_translate(uint64_t gva, uint64_t& gpa, Perms& perms, PageSize& size) const {
  auto* m = find_covering(guest_, gva);
  if (!m) return false;
  gpa = m->second.out + (gva - m->first);
  perms = m->second.perms;
  size = m->second.size;
  return true;
}

bool AddressSpace::translate(uint64_t gva, uint64_t& hpa, Perms& perms, PageSize& size) const {
  uint64_t gpa;
  Perms gp, np;
  PageSize gs, ns;
  if (!guest_translate(gva, gpa, gp, gs) || !host_translate(gpa, hpa, np, ns)) return false;
  perms = gp & np;
  size = std::min(gs, ns);
  return true;
}

template <class Fn>
void AddressSpace::for_each_piece(uint64_t lo, uint64_t hi, Fn&& fn) const {
  auto it = guest_.upper_bound(lo);
  if (it != guest_.begin()) --it;
  for (; it != guest_.end() && it->first < hi; ++it) {
    const uint64_t gbytes = pt::page_bytes(it->second.size);
    if (it->first + gbytes <= lo) continue;
    for (uint64_t off = 0; off < gbytes;) {
      uint64_t hpa = 0;
      Perms np;
      PageSize ns;
      if (!host_translate(it->second.out + off, hpa, np, ns)) {  // unbacked gPA: no shadow entry
        off += 4096;
        continue;
      }
      const PageSize piece = std::min(it->second.size, ns);
      const uint64_t pbytes = pt::page_bytes(piece);
      fn(it->first + off, hpa & ~(pbytes - 1), piece, it->second.perms & np);
      off += pbytes;
    }
  }
}

std::vector<AddressSpace::Piece> AddressSpace::pieces() const {
  std::vector<Piece> ps;
  ps.reserve(guest_.size());
  for_each_piece(0, ~0ull, [&](uint64_t va, uint64_t hpa, PageSize s, Perms p) {
    ps.push_back({va, hpa, s, p, shadow_leaf(va, hpa, s, p)});
  });
  return ps;
}

void AddressSpace::fill_shadow(const std::vector<Piece>& ps) {
  spt_->release_all();
  spt_ = vm_.host_table();
  for (const Piece& x : ps) spt_->map(x.va, x.size, x.shadow);
}

void AddressSpace::fill_native(const std::vector<Piece>& ps) {
  hpt_->release_all();
  hpt_ = vm_.host_table();
  for (const Piece& x : ps) hpt_->map(x.va, x.size, fmt_.leaf(x.hpa, x.size, x.perms));
}

void AddressSpace::fill_compound(const std::vector<Piece>& ps) {
  cpt_->release_all();
  cpt_ = vm_.host_table(fmt_.selector());
  for (const Piece& x : ps)
    if (!covered_by_point(x.va, fmt_.levels)) cpt_->map(x.va, x.size, x.shadow);
  for (const auto& [level, prefix] : points_) {
    const uint64_t va = prefix << Format::shift(fmt_.levels, level);
    cpt_->write(va, level, compound_copy(level, gpt_->read(va, level)));
  }
}

void AddressSpace::build_shadow() { fill_shadow(pieces()); }
void AddressSpace::build_native() { fill_native(pieces()); }
void AddressSpace::build_compound() { fill_compound(pieces()); }

void AddressSpace::build_all() {
  const std::vector<Piece> ps = pieces();
  fill_shadow(ps);  // (in this order: each table's nodes come from the host allocator in turn)
  fill_native(ps);
  fill_compound(ps);
}

bool AddressSpace::covered_by_point(uint64_t va, unsigned max_level) const {
  for (unsigned l = 1; l <= max_level; ++l)
    if (points_.count({l, va >> Format::shift(fmt_.levels, l)})) return true;
  return false;
}

void AddressSpace::fill_compound(uint64_t lo, uint64_t hi) {
  for_each_piece(lo, hi, [&](uint64_t va, uint64_t hpa, PageSize s, Perms p) {
    if (!covered_by_point(va, fmt_.levels)) cpt_->map(va, s, shadow_leaf(va, hpa, s, p));
  });
}

void AddressSpace::set_compound_nested(uint64_t gva, unsigned level) {
  if (level == 0) {
    full_nested_ = true;
    return;
  }
  if (level > fmt_.levels) throw std::invalid_argument("compound level out of range");
  unsigned glevel;
  uint64_t gentry;
  if (gpt_->lookup(gva, glevel, gentry) && glevel < level) level = glevel;
  if (covered_by_point(gva, level)) return;  // already nested at this level or above
  const unsigned sh = Format::shift(fmt_.levels, level);
  const uint64_t lo = gva >> sh << sh;
  // Points deeper inside this entry's range are subsumed by it.
  for (auto it = points_.begin(); it != points_.end();) {
    const uint64_t pva = it->second << Format::shift(fmt_.levels, it->first);
    if (it->first > level && (pva >> sh) == (gva >> sh))
      it = points_.erase(it);
    else
      ++it;
  }
  points_.insert({level, gva >> sh});
  cpt_->write(lo, level, compound_copy(level, gpt_->read(lo, level)));
}

void AddressSpace::set_compound_shadow(uint64_t gva, unsigned level) {
  if (level == 0) {
    if (full_nested_) {
      full_nested_ = false;
      build_compound();
    }
    return;
  }
  const unsigned sh = Format::shift(fmt_.levels, level);
  if (!points_.erase({level, gva >> sh})) return;
  const uint64_t lo = gva >> sh << sh;
  cpt_->clear(lo, level);
  fill_compound(lo, lo + (1ull << sh));
}

unsigned AddressSpace::lowest_necessary_level(uint64_t va, uint64_t size) const {
  unsigned leaf = fmt_.levels;  // unmapped ranges will get 4 KiB leaves
  auto it = guest_.upper_bound(va);
  if (it != guest_.begin()) --it;
  for (; it != guest_.end() && it->first < va + size; ++it)
    if (it->first + pt::page_bytes(it->second.size) > va)
      leaf = std::min(leaf, Format::level_of(fmt_.levels, it->second.size));
  return leaf > 1 ? leaf - 1 : 1;
}

void AddressSpace::make_range_nested(uint64_t va, uint64_t size, unsigned level) {
  if (level == 0) level = lowest_necessary_level(va, size);
  const unsigned sh = Format::shift(fmt_.levels, level);
  for (uint64_t a = va >> sh << sh; a < va + size; a += 1ull << sh) set_compound_nested(a, level);
}

void AddressSpace::make_range_shadow(uint64_t va, uint64_t size) {
  std::vector<std::pair<unsigned, uint64_t>> hit;
  for (const auto& [level, prefix] : points_) {
    const unsigned sh = Format::shift(fmt_.levels, level);
    const uint64_t lo = prefix << sh, hi = lo + (1ull << sh);
    if (lo < va + size && hi > va) hit.push_back({level, lo});
  }
  for (const auto& [level, lo] : hit) set_compound_shadow(lo, level);
}

std::vector<std::pair<unsigned, uint64_t>> AddressSpace::nested_points() const {
  std::vector<std::pair<unsigned, uint64_t>> v;
  for (const auto& [level, prefix] : points_) v.push_back({level, prefix << Format::shift(fmt_.levels, level)});
  return v;
}

pt::Roots AddressSpace::roots() const {
  pt::Roots r;
  r.hroot = hpt_->root();
  r.groot = gpt_->root();
  r.nroot = vm_.nested_table().root();
  r.sroot = spt_->root();
  r.croot = full_nested_ ? gpt_->root() : cpt_->root();
  r.croot_is_gpa = full_nested_;
  return r;
}

}  // namespace agilemmu::vmm
