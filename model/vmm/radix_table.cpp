#include <agilemmu/vmm/radix_table.h>

#include <stdexcept>
#include <string>

#include <agilemmu/pt/print.h>

namespace agilemmu::vmm {

using pt::Format;

RadixTable::RadixTable(pt::PhysMem& mem, const pt::Format& fmt, unsigned levels, Nodes nodes, uint64_t foreign_mask,
                       bool nested)
    : mem_(mem), fmt_(fmt), levels_(levels), nodes_(std::move(nodes)), nested_(nested), foreign_mask_(foreign_mask) {
  if (wide_root() && !nodes_.alloc_root) throw std::logic_error("a RISC-V G-stage table needs Nodes::alloc_root");
  root_ = wide_root() ? nodes_.alloc_root(uint64_t{4} << 12) : nodes_.alloc();
  ++nodes_count_;
}

void RadixTable::put(uint64_t va, unsigned level, uint64_t node, uint64_t ea, uint64_t value) {
  const uint64_t old = mem_.read64(ea);
  // A directory entry that goes away or points elsewhere: the paths remembered through it are gone.
  if (is_dir(old, level) && (!is_dir(value, level) || fmt_.target(value) != fmt_.target(old))) forget_paths();
  mem_.write64(ea, value);
  if (on_write) on_write(va, level, node, old, value);
}

const RadixTable::PathSlot& RadixTable::start(uint64_t va, unsigned level, unsigned& at) const {
  for (at = level; at > 1; --at)
    if (path_[at].prefix == prefix(va, at)) return path_[at];
  if (path_[1].prefix != 0) path_[1] = {0, root_, nodes_.to_host(root_)};
  return path_[1];
}

uint64_t RadixTable::step(uint64_t va, unsigned level, uint64_t node) const {
  path_[level] = {prefix(va, level), node, nodes_.to_host(node)};
  return path_[level].host;
}

uint64_t RadixTable::node_of(uint64_t va, unsigned level) const {
  unsigned l;
  const PathSlot& s = start(va, level, l);
  uint64_t node = s.node, host = s.host;
  for (; l < level; ++l) {
    const uint64_t e = mem_.read64(host + offset(va, l));
    if (!is_dir(e, l)) return 0;
    node = fmt_.target(e);
    host = step(va, l + 1, node);
  }
  return node;
}

uint64_t RadixTable::entry_addr(uint64_t va, unsigned level, bool create) {
  unsigned l;
  const PathSlot& s = start(va, level, l);
  uint64_t node = s.node, host = s.host;
  for (;; ++l) {
    const uint64_t ea = host + offset(va, l);
    if (l == level) return ea;
    const uint64_t e = mem_.read64(ea);
    if (!fmt_.present(e)) {
      if (!create) return 0;
      const uint64_t child = nodes_.alloc();
      ++nodes_count_;
      put(va, l, node, ea, fmt_.pointer(child));
      node = child;
    } else if (!is_dir(e, l)) {
      if (!create) return 0;
      throw std::logic_error("page-table path for " + pt::hex(va) + " blocked by a leaf at level " + std::to_string(l));
    } else {
      node = fmt_.target(e);
    }
    host = step(va, l + 1, node);
  }
}

uint64_t RadixTable::read(uint64_t va, unsigned level) const {
  const uint64_t ea = const_cast<RadixTable*>(this)->entry_addr(va, level, false);
  return ea ? mem_.read64(ea) : 0;
}

void RadixTable::write(uint64_t va, unsigned level, uint64_t value) {
  const uint64_t ea = entry_addr(va, level, true);
  const uint64_t old = mem_.read64(ea);
  put(va, level, on_write ? node_of(va, level) : 0, ea, value);
  if (is_dir(old, level) && (!is_dir(value, level) || fmt_.target(value) != fmt_.target(old)))
    release_below(old, level);
}

void RadixTable::map(uint64_t va, pt::PageSize size, uint64_t leaf) {
  write(va, Format::level_of(levels_, size), leaf);
}

bool RadixTable::lookup(uint64_t va, unsigned& level, uint64_t& entry) const {
  unsigned l;
  uint64_t host = start(va, levels_, l).host;
  for (;; ++l) {
    const uint64_t e = mem_.read64(host + offset(va, l));
    if (!fmt_.present(e)) return false;
    if (!is_dir(e, l)) {
      level = l;
      entry = e;
      return true;
    }
    if (l == levels_) return false;
    host = step(va, l + 1, fmt_.target(e));
  }
}

void RadixTable::release_below(uint64_t entry, unsigned level) {
  if (!is_dir(entry, level)) return;
  const uint64_t child = fmt_.target(entry);
  const uint64_t host = nodes_.to_host(child);
  const unsigned n = entries(level + 1);
  for (unsigned i = 0; i < n; ++i) release_below(mem_.read64(host + 8ull * i), level + 1);
  for (unsigned f = 0; f < n / 512; ++f) {
    mem_.zero_frame((host >> 12) + f);
    nodes_.release(child + 4096ull * f);
  }
  --nodes_count_;
}

void RadixTable::release_all() {
  forget_paths();
  release_below(fmt_.pointer(root_), 0);
}

}  // namespace agilemmu::vmm
