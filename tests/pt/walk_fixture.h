// Shared helpers for the reference-walk tests: a small guest built with vmm::AddressSpace and
// expectations derived from the table writer (RadixTable), which finds entries independently
// of pt::Walk.
#pragma once
#include <memory>
#include <vector>

#include <agilemmu/pt/print.h>
#include <agilemmu/pt/walk.h>
#include <agilemmu/vmm/address_space.h>

namespace agilemmu::test {

struct Guest {
  pt::PhysMem mem;
  pt::Format fmt;
  std::unique_ptr<vmm::AddressSpace> as;

  explicit Guest(unsigned levels = 4, pt::PageSize host_page = pt::PageSize::k4K, unsigned maxphyaddr = 52,
                 uint64_t guest_memory = 4ull << 30) {
    fmt.levels = fmt.nested_levels = levels;
    fmt.maxphyaddr = maxphyaddr;
    vmm::Layout lay;
    lay.host_page = host_page;
    lay.guest_size = guest_memory;
    as = std::make_unique<vmm::AddressSpace>(mem, fmt, lay);
  }
  Guest(const Guest&) = delete;  // `as` refers to `mem`: a Guest must not move
  Guest& operator=(const Guest&) = delete;
  pt::WalkResult walk(pt::Mode m, uint64_t va, pt::Access acc = pt::Access::Read, bool user = false) {
    pt::WalkRequest r;
    r.va = va, r.mode = m, r.access = acc, r.user = user;
    return pt::walk(mem, fmt, as->roots(), r);
  }
  // gPAs the nested dimension translates during a nested walk of `va`: each guest node from the
  // root down, then the final gPA — read from the guest table through the table writer.
  std::vector<uint64_t> nested_walk_gpas(uint64_t va, unsigned from_level = 1, uint64_t first_node = ~0ull) {
    std::vector<uint64_t> g;
    uint64_t node = first_node == ~0ull ? as->roots().groot : first_node;
    for (unsigned l = from_level; l <= fmt.levels; ++l) {
      g.push_back(node);
      const uint64_t e = as->guest_table().read(va, l);
      const bool leaf = l == fmt.levels || (e & pt::pte::PS);
      if (leaf) {
        const uint64_t mask = pt::page_bytes(pt::Format::size_at(fmt.levels, l)) - 1;
        g.push_back((e & pt::Format::kAddrField & ~mask) | (va & mask));
        break;
      }
      node = e & pt::Format::kAddrField;
    }
    return g;
  }
  // Number of nested references needed to translate `gpa` (the depth of its nested leaf).
  unsigned nested_depth(uint64_t gpa) {
    unsigned level;
    uint64_t e;
    BOOST_REQUIRE(as->nested_table().lookup(gpa, level, e));
    return level;
  }
};

// The walk's reads alone, in order: what reference-count formulas and orders without A/D talk about.
inline pt::WalkResult reads_of(const pt::WalkResult& r) {
  pt::WalkResult out = r;
  out.nrefs = 0;
  out.nwrites = 0;
  for (unsigned i = 0; i < r.nrefs; ++i)
    if (!r.refs[i].write) out.refs[out.nrefs++] = r.refs[i];
  return out;
}

}  // namespace agilemmu::test

// The names every walk test uses.
using agilemmu::pt::Access;
using agilemmu::pt::FaultKind;
using agilemmu::pt::Mode;
using agilemmu::pt::PageSize;
using agilemmu::test::Guest;
