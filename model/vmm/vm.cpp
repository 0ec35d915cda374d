#include <agilemmu/vmm/vm.h>

#include <algorithm>
#include <stdexcept>

#include <agilemmu/vmm/address_space.h>

namespace agilemmu::vmm {

using pt::Format;
using pt::PageSize;
using pt::Perms;

Vm::Vm(pt::PhysMem& mem, const Format& fmt, const Layout& layout)
    : mem_(mem),
      fmt_(fmt),
      layout_(layout),
      galloc_(kGuestPhysical, layout.guest_base, layout.guest_size),
      halloc_(kHostPhysical, layout.host_base, layout.host_size) {
  if (auto err = fmt.validate(); !err.empty()) throw std::invalid_argument(err);
  npt_ = make_table(fmt_.nested_levels, 0, true);  // the nested table uses its own depth (and root size)
}

void Vm::detach(AddressSpace* as) { spaces_.erase(std::remove(spaces_.begin(), spaces_.end(), as), spaces_.end()); }

std::unique_ptr<RadixTable> Vm::make_table(unsigned levels, uint64_t foreign_mask, bool nested) {
  RadixTable::Nodes n;
  n.alloc = [this] {
    const uint64_t hpa = halloc_.alloc_high();
    mem_.frame(hpa >> 12).fill(0);
    return hpa;
  };
  n.alloc_root = [this](uint64_t bytes) {
    const uint64_t hpa = halloc_.alloc_high_block(bytes);
    for (uint64_t off = 0; off < bytes; off += 4096) mem_.frame((hpa + off) >> 12).fill(0);
    return hpa;
  };
  n.to_host = [](uint64_t hpa) { return hpa; };
  n.release = [this](uint64_t hpa) { halloc_.free(hpa); };
  return std::make_unique<RadixTable>(mem_, fmt_, levels, std::move(n), foreign_mask, nested);
}

std::unique_ptr<RadixTable> Vm::host_table(uint64_t foreign_mask) { return make_table(fmt_.levels, foreign_mask); }

std::vector<Vm::Moved> Vm::host_migrate(uint64_t gpa) {
  auto* m = nested_covering(gpa);
  if (!m) throw std::logic_error("host_migrate of an unbacked gPA");
  const uint64_t gbase = m->first;
  const Mapping old = m->second;
  const uint64_t hpa = halloc_.alloc(old.size);
  for (uint64_t off = 0; off < pt::page_bytes(old.size); off += 4096)
    if (const auto* f = mem_.find((old.out + off) >> 12)) mem_.frame((hpa + off) >> 12) = *f;
  nested_map(gbase, hpa, old.size, old.perms);
  halloc_.free(old.out, old.size);
  // Every process whose guest pages lie on the host page: their shadow-style entries embed the old hPA.
  std::vector<Moved> moved;
  for (AddressSpace* as : spaces_)
    for (const auto& [va, bytes] : as->host_moved(gbase, gbase + pt::page_bytes(old.size)))
      moved.push_back({as, va, bytes});
  return moved;
}

void Vm::back_gpa(uint64_t gpa) {
  uint64_t base;
  Mapping m;
  if (covering(gpa, base, m)) return;
  const uint64_t bytes = pt::page_bytes(layout_.host_page);
  // Nothing covered gpa, so no remembered answer can change: a cached page p with a record at
  // base <= gpa <= p covering p would cover gpa too.
  record(gpa & ~(bytes - 1), halloc_.alloc(layout_.host_page), layout_.host_page, Perms{});
}

void Vm::record(uint64_t gpa, uint64_t hpa, PageSize size, Perms perms) {
  const uint64_t mask = pt::page_bytes(size) - 1;
  if ((gpa | hpa) & mask) throw std::invalid_argument("nested mapping not aligned to its page size");
  npt_->map(gpa, size, fmt_.leaf(hpa, size, perms));
  nested_.insert_or_assign(gpa, Mapping{hpa, size, perms});
}

void Vm::nested_map(uint64_t gpa, uint64_t hpa, PageSize size, Perms perms) {
  record(gpa, hpa, size, perms);
  // A record at `gpa` is the floor of exactly the pages p >= gpa whose floor was at or below it.
  for (CoverSlot& c : cover_)
    if (c.page != ~0ull && c.base <= gpa && c.page >= (gpa >> 12)) c.page = ~0ull;
  // gpa may back a node of a guest table: the nodes' host addresses the tables remember may be gone.
  for (AddressSpace* as : spaces_) as->guest_table().forget_paths();
}

bool Vm::covering(uint64_t gpa, uint64_t& base, Mapping& m) const {
  const uint64_t page = gpa >> 12;
  CoverSlot& c = cover_[page & (kCoverSlots - 1)];
  if (c.page != page) {
    const auto* r = nested_covering(gpa);
    if (!r) return false;  // (misses are not kept: back_gpa maps the page next)
    c = {page, r->first, r->second};
  }
  base = c.base;
  m = c.m;
  return true;
}

const MappingRecords::value_type* Vm::nested_covering(uint64_t gpa) const {
  const auto* m = nested_.floor(gpa);
  return m && gpa - m->first < pt::page_bytes(m->second.size) ? m : nullptr;
}

bool Vm::host_translate(uint64_t gpa, uint64_t& hpa, Perms& perms, PageSize& size) const {
  uint64_t base;
  Mapping m;
  if (!covering(gpa, base, m)) return false;
  hpa = m.out + (gpa - base);
  perms = m.perms;
  size = m.size;
  return true;
}

}  // namespace agilemmu::vmm
