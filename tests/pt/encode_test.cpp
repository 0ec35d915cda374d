// The entry encoder of pt::Format (pointer, leaf, selector, A/D, permissions) against the one
// walk: an entry the encoder writes must walk to what was asked, for x86-64 and RISC-V, at every
// depth and at every level a leaf may sit (superpages included).
#define BOOST_TEST_MODULE encode
#include <boost/test/unit_test.hpp>

#include <vector>

#include <agilemmu/pt/walk.h>

using namespace agilemmu;
using pt::PageSize;
using pt::Perms;

namespace {
struct Case {
  pt::Isa isa;
  unsigned levels;
};
std::vector<Case> cases() {
  return {{pt::Isa::X86_64, 4}, {pt::Isa::X86_64, 5}, {pt::Isa::RiscV, 3}, {pt::Isa::RiscV, 4}, {pt::Isa::RiscV, 5}};
}
pt::Format format(const Case& c) {
  pt::Format f;
  f.isa = c.isa;
  f.levels = c.levels;
  f.nested_levels = c.levels;
  if (c.isa == pt::Isa::RiscV) f.selector_bit = pt::kRvSelectorBit;
  return f;
}
// Leaf levels the ISA allows: x86 the last three (4K, 2M, 1G), RISC-V every level.
std::vector<unsigned> leaf_levels(const pt::Format& f) {
  std::vector<unsigned> out;
  for (unsigned l = 1; l <= f.levels; ++l)
    if (f.riscv() || l + 2 >= f.levels) out.push_back(l);
  return out;
}
std::vector<Perms> perm_sets(const pt::Format& f) {
  std::vector<Perms> out;
  for (unsigned m = 0; m < 8; ++m) out.push_back({(m & 1) != 0, (m & 2) != 0, (m & 4) != 0, true});
  if (f.riscv()) out.push_back({false, true, true, false});  // execute-only
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(leaf_and_pointers_walk_to_what_was_asked) {
  for (const Case& c : cases()) {
    const pt::Format f = format(c);
    for (unsigned level : leaf_levels(f)) {
      for (const Perms& p : perm_sets(f)) {
        for (const bool dirty : {false, true}) {
          pt::PhysMem mem;
          const uint64_t root = 0x100000;
          const PageSize size = pt::Format::size_at(f.levels, level);
          const uint64_t va = 0x0000123456789000ull & ((1ull << (f.va_bits() - 1)) - 1);
          const uint64_t pa = 0x40000000000ull & ~(pt::page_bytes(size) - 1);
          uint64_t node = root;
          for (unsigned l = 1; l < level; ++l) {
            const uint64_t child = root + 0x1000ull * l;
            const uint64_t e = f.pointer(child);
            BOOST_TEST(f.is_pointer(f.levels, l, e));
            BOOST_TEST(f.target(e) == child);
            const pt::Entry d = f.decode(f.levels, l, e, f.reserved_always());
            BOOST_TEST(int(d.kind) == int(pt::EntryKind::Pointer));
            BOOST_TEST(d.addr == child);
            mem.write64(node + 8ull * pt::Format::index(f.levels, va, l), e);
            node = child;
          }
          const uint64_t leaf = f.leaf(pa, size, p, dirty, dirty);
          BOOST_TEST(f.is_leaf(f.levels, level, leaf));
          BOOST_TEST(!f.is_pointer(f.levels, level, leaf));
          BOOST_TEST(((leaf & f.d_bit()) != 0) == dirty);
          mem.write64(node + 8ull * pt::Format::index(f.levels, va, level), leaf);
          pt::Roots roots;
          roots.hroot = root;
          pt::WalkRequest req;
          req.va = va;
          req.mxr = true;  // an execute-only RISC-V leaf is readable with MXR
          req.sum = true;  // and a RISC-V U page by S-mode with SUM
          const auto r = pt::probe(mem, f, roots, req);
          BOOST_TEST_CONTEXT(pt::to_string(c.isa) << " L" << c.levels << " leaf level " << level << " "
                                                  << pt::to_string(p) << " dirty " << dirty) {
            BOOST_TEST(r.ok);
            BOOST_TEST(r.tr.hpa == pa + (va & (pt::page_bytes(size) - 1)));
            BOOST_TEST(int(r.tr.size) == int(size));
            Perms want = p;
            if (!f.riscv() && !p.read) want.read = true;
            BOOST_TEST(pt::to_string(r.tr.perms) == pt::to_string(want));
            BOOST_TEST(r.tr.dirty == dirty);
            // Pointers are written without A (x86 walks set it in each, RISC-V has none there);
            // a leaf written accessed and dirty needs no A/D update.
            const unsigned pointer_writes = f.ad_in_pointers() ? level - 1 : 0;
            BOOST_TEST(r.nwrites == pointer_writes + (dirty ? 0u : 1u));
          }
        }
      }
    }
  }
}

// The write-protect bit and the selector: a leaf without write_bit() is read-only; a pointer
// with selector() set is still a pointer to the same node (the compound table reads the bit).
BOOST_AUTO_TEST_CASE(write_bit_and_selector) {
  for (const Case& c : cases()) {
    const pt::Format f = format(c);
    const uint64_t leaf = f.leaf(0x200000, PageSize::k4K, Perms{}, true, true);
    const auto d = f.decode(f.levels, f.levels, leaf & ~f.write_bit(), f.reserved_always());
    BOOST_TEST(int(d.kind) == int(pt::EntryKind::Leaf));
    BOOST_TEST(!d.perms.write);
    BOOST_TEST(d.perms.read);
    const uint64_t ptr = f.pointer(0x300000) | f.selector();
    BOOST_TEST(f.is_pointer(f.levels, 1, ptr));
    BOOST_TEST(f.target(ptr) == 0x300000u);
    const auto dp = f.decode(f.levels, 1, ptr, f.reserved_always());
    BOOST_TEST(int(dp.kind) == int(pt::EntryKind::Pointer));
    BOOST_TEST(!f.present(0));
  }
}

// x86 statistics must not move: the encoder writes exactly the entries the x86 code wrote.
BOOST_AUTO_TEST_CASE(x86_entries_are_the_historic_encoding) {
  pt::Format f;
  BOOST_TEST(f.pointer(0x5000) == (0x5000 | pt::pte::P | pt::pte::RW | pt::pte::US));
  BOOST_TEST(f.leaf(0x5000, PageSize::k4K, Perms{true, false, false, true}) ==
             (0x5000 | pt::pte::P | pt::pte::RW | pt::pte::NX));
  BOOST_TEST(f.leaf(0x200000, PageSize::k2M, Perms{false, true, true, true}, true, true) ==
             (0x200000 | pt::pte::P | pt::pte::US | pt::pte::PS | pt::pte::A | pt::pte::D));
  f.nx_enabled = false;
  BOOST_TEST(f.leaf(0x5000, PageSize::k4K, Perms{false, false, false, true}) == (0x5000 | pt::pte::P));
}
