// The RISC-V format of pt::Walk (format.isa: riscv): Sv39/Sv48/Sv57 first dimension, G-stage
// SvNNx4, superpages, permissions (SUM, MXR, U), reserved encodings, Svadu/Svade and the causes
// the spec names. Tables are written here entry by entry from the privileged spec's PTE layout,
// independently of the walk and of the VMM; reference counts are derived from the geometry.
#define BOOST_TEST_MODULE walk_riscv
#include <boost/test/unit_test.hpp>

#include <agilemmu/pt/print.h>
#include <agilemmu/pt/walk.h>

#include "../riscv/rv_image.h"

using namespace agilemmu;
using pt::Access;
using pt::FaultKind;
using pt::Mode;
using pt::PageSize;
using pt::Stage;
namespace rv = pt::rv;

namespace {
constexpr uint64_t kGuestToHost = 0x100000000ull;  // Image's default: hPA = gPA + this for guest tables
using test::rv_image::Image;
using test::rv_image::kPtr;
using test::rv_image::kRwx;

// A guest with one 4 KiB page va -> gPA kData -> hPA kData + kGuestToHost.
constexpr uint64_t kVa = 0x3f12345678;  // canonical in Sv39 too (bit 38 clear)
constexpr uint64_t kData = 0x40000000;
struct Guest {
  Image img;
  pt::Roots roots;
  Guest(unsigned levels, unsigned nested_levels, uint64_t leaf_flags = kRwx, uint64_t data_g_flags = kRwx | rv::U)
      : img(levels, nested_levels) {
    roots.nroot = img.nroot;
    roots.groot = img.guest_frame();
    img.mem.write64(img.vs_entry(roots.groot, kVa, levels), rv::make_pte(kData, leaf_flags));
    img.g_map(kData, kData + kGuestToHost, nested_levels, data_g_flags);
  }
  pt::WalkResult walk(Access acc = Access::Read, bool user = false) {
    return img.walk(roots, Mode::Nested, kVa, acc, user);
  }
};

void expect_fault(const pt::WalkResult& r, Stage st, FaultKind k, uint64_t addr, uint64_t scause) {
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.fault.stage == st);
  BOOST_TEST(r.fault.kind == k);
  BOOST_TEST(r.fault.addr == addr);
  BOOST_TEST(r.fault.error_code == scause);
}
unsigned two_d(unsigned guest_levels, unsigned nested_levels) {
  return guest_levels * (nested_levels + 1) + nested_levels;
}
}  // namespace

// Each guest level: its node's gPA through the G-stage (one reference per G-stage level), then
// the VS-stage entry; then the final gPA through the G-stage.
BOOST_AUTO_TEST_CASE(nested_sv48_over_sv48x4_uncached_is_24) {
  Guest g(4, 4);
  const auto r = g.walk();
  BOOST_TEST(r.ok);
  BOOST_TEST(r.nreads() == two_d(4, 4));
  BOOST_TEST(two_d(4, 4) == 24u);
  BOOST_TEST(r.tr.hpa == kData + kGuestToHost + (kVa & 0xfff));
  BOOST_TEST(r.tr.gpa == kData + (kVa & 0xfff));
}

BOOST_AUTO_TEST_CASE(nested_sv39_over_sv39x4_uncached_is_15) {
  Guest g(3, 3);
  const auto r = g.walk();
  BOOST_TEST(r.ok);
  BOOST_TEST(r.nreads() == two_d(3, 3));
  BOOST_TEST(two_d(3, 3) == 15u);
  BOOST_TEST(r.tr.hpa == kData + kGuestToHost + (kVa & 0xfff));
}

BOOST_AUTO_TEST_CASE(native_sv39_sv48_sv57) {
  for (unsigned levels : {3u, 4u, 5u}) {
    Image img(levels, 4);
    pt::Roots roots;
    roots.hroot = img.host_frames(1);
    img.mem.write64(img.native_entry(roots.hroot, kVa, levels), rv::make_pte(0x5000000, kRwx));
    const auto r = img.walk(roots, Mode::Native, kVa);
    BOOST_TEST_CONTEXT("levels " << levels) {
      BOOST_TEST(r.ok);
      BOOST_TEST(r.nreads() == levels);
      BOOST_TEST(r.tr.hpa == 0x5000000 + (kVa & 0xfff));
      // The reads are the entries the spec's process reads: a + va.vpn[i] * PTESIZE.
      BOOST_TEST(r.refs[0].addr == roots.hroot + 8 * ((kVa >> (12 + 9 * (levels - 1))) & 0x1ff));
    }
  }
}

// Sv48x4: gPA bits 49:0; the root index is gPA[49:39], 11 bits.
BOOST_AUTO_TEST_CASE(g_stage_root_has_2048_entries_and_two_extra_gpa_bits) {
  Image img(4, 4);
  pt::Roots roots;
  roots.nroot = img.nroot;
  roots.groot = img.guest_frame();
  const uint64_t high_gpa = (3ull << 48) | 0x2000;  // both extra bits (49:48) set
  img.mem.write64(img.vs_entry(roots.groot, kVa, 4), rv::make_pte(high_gpa, kRwx));
  img.g_map(high_gpa, 0x9000000, 4, kRwx | rv::U);
  auto r = img.walk(roots, Mode::Nested, kVa);
  BOOST_TEST(r.ok, r.fault.kind << " " << r.fault.stage << " level " << int(r.fault.level));
  BOOST_TEST(r.tr.hpa == 0x9000000 + (kVa & 0xfff));
  const auto& last = r.refs[r.nrefs - 4];  // the final gPA's G-stage root read
  BOOST_TEST(last.table == pt::Table::Nested);
  BOOST_TEST(last.level == 1);
  BOOST_TEST(last.addr == img.nroot + 8 * (high_gpa >> 39));
  BOOST_TEST((high_gpa >> 39) > 0x1ffu);  // an index a 4 KiB root would not have
  // One bit more is beyond Sv48x4: a load guest-page fault with that gPA (htval = gPA >> 2).
  const uint64_t too_high = 1ull << 50;
  img.mem.write64(img.vs_entry(roots.groot, kVa, 4), rv::make_pte(too_high, kRwx));
  r = img.walk(roots, Mode::Nested, kVa);
  expect_fault(r, Stage::Nested, FaultKind::AddressSize, too_high + (kVa & 0xfff), rv::kLoadGuestPageFault);
}

// A leaf at any level; a superpage's PPN must be aligned to its size.
BOOST_AUTO_TEST_CASE(superpages_at_every_level_and_misaligned_ones) {
  const PageSize sizes[] = {PageSize::k512G, PageSize::k1G, PageSize::k2M};
  for (unsigned level = 1; level <= 3; ++level) {
    Image img(4, 4);
    pt::Roots roots;
    roots.hroot = img.host_frames(1);
    const uint64_t bytes = pt::page_bytes(sizes[level - 1]);
    const uint64_t ea = img.native_entry(roots.hroot, kVa, level);
    img.mem.write64(ea, rv::make_pte(4 * bytes, kRwx));
    auto r = img.walk(roots, Mode::Native, kVa);
    BOOST_TEST_CONTEXT("level " << level) {
      BOOST_TEST(r.ok);
      BOOST_TEST(r.nreads() == level);
      BOOST_TEST(r.tr.size == sizes[level - 1]);
      BOOST_TEST(r.tr.hpa == 4 * bytes + (kVa & (bytes - 1)));
      img.mem.write64(ea, rv::make_pte(4 * bytes + 0x1000, kRwx));  // PPN[0] != 0
      r = img.walk(roots, Mode::Native, kVa, Access::Write);
      expect_fault(r, Stage::Native, FaultKind::Misaligned, kVa, rv::kStorePageFault);
    }
  }
}

BOOST_AUTO_TEST_CASE(sum_mxr_and_user_pages) {
  Image img(3, 3);
  pt::Roots roots;
  roots.hroot = img.host_frames(1);
  const uint64_t ea = img.native_entry(roots.hroot, kVa, 3);
  auto leaf = [&](uint64_t flags) { img.mem.write64(ea, rv::make_pte(0x7000000, flags | rv::V | rv::A | rv::D)); };
  auto ok = [&](Access a, bool user, bool sum = false, bool mxr = false) {
    return img.walk(roots, Mode::Native, kVa, a, user, sum, mxr).ok;
  };
  leaf(rv::R | rv::W | rv::X | rv::U);
  BOOST_TEST(ok(Access::Read, true));
  BOOST_TEST(!ok(Access::Read, false));  // S-mode load of a U page needs SUM
  BOOST_TEST(ok(Access::Read, false, true));
  BOOST_TEST(ok(Access::Write, false, true));
  BOOST_TEST(!ok(Access::Fetch, false, true));  // never fetched from in S-mode
  const auto r = img.walk(roots, Mode::Native, kVa, Access::Fetch, false, true);
  expect_fault(r, Stage::Native, FaultKind::Permission, kVa, rv::kInstPageFault);
  leaf(rv::R | rv::W | rv::X);  // a supervisor page
  BOOST_TEST(!ok(Access::Read, true));
  BOOST_TEST(ok(Access::Fetch, false));
  leaf(rv::X);  // execute-only: readable with MXR
  BOOST_TEST(!ok(Access::Read, false));
  BOOST_TEST(ok(Access::Read, false, false, true));
  BOOST_TEST(ok(Access::Fetch, false));
  leaf(rv::R);
  BOOST_TEST(!ok(Access::Write, false));
  BOOST_TEST(!ok(Access::Fetch, false));
  BOOST_TEST(img.walk(roots, Mode::Native, kVa, Access::Write).fault.error_code == rv::kStorePageFault);
}

BOOST_AUTO_TEST_CASE(reserved_encodings_are_page_faults) {
  const uint64_t bad_leaves[] = {rv::V | rv::W | rv::A | rv::D,  // W without R
                                 kRwx | (1ull << 54), kRwx | (1ull << 60), kRwx | rv::PBMT, kRwx | rv::N};
  for (uint64_t flags : bad_leaves) {
    Image img(4, 4);
    pt::Roots roots;
    roots.hroot = img.host_frames(1);
    img.mem.write64(img.native_entry(roots.hroot, kVa, 4), rv::make_pte(0x7000000, flags));
    BOOST_TEST_CONTEXT("flags " << std::hex << flags) {
      expect_fault(img.walk(roots, Mode::Native, kVa), Stage::Native, FaultKind::Reserved, kVa, rv::kLoadPageFault);
    }
  }
  // A, D and U are reserved in a non-leaf; a non-leaf at the last level has no leaf below.
  for (uint64_t extra : {rv::A, rv::D, rv::U}) {
    Image img(4, 4);
    pt::Roots roots;
    roots.hroot = img.host_frames(1);
    img.mem.write64(img.native_entry(roots.hroot, kVa, 4), rv::make_pte(0x7000000, kRwx));
    const uint64_t ea = img.native_entry(roots.hroot, kVa, 2);
    img.mem.write64(ea, img.mem.read64(ea) | extra);
    const auto r = img.walk(roots, Mode::Native, kVa);
    expect_fault(r, Stage::Native, FaultKind::Reserved, kVa, rv::kLoadPageFault);
    BOOST_TEST(r.fault.level == 2);
  }
  Image img(4, 4);
  pt::Roots roots;
  roots.hroot = img.host_frames(1);
  img.mem.write64(img.native_entry(roots.hroot, kVa, 4), rv::make_pte(0x7000000, kPtr));
  const auto r = img.walk(roots, Mode::Native, kVa);
  expect_fault(r, Stage::Native, FaultKind::Reserved, kVa, rv::kLoadPageFault);
  BOOST_TEST(r.fault.level == 4);
  // The RSW bits are the software's: ignored.
  img.mem.write64(img.native_entry(roots.hroot, kVa, 4), rv::make_pte(0x7000000, kRwx | rv::RSW));
  BOOST_TEST(img.walk(roots, Mode::Native, kVa).ok);
}

BOOST_AUTO_TEST_CASE(non_canonical_is_a_page_fault) {
  Guest g(3, 3);
  const uint64_t va = 1ull << 39;  // bit 39 set, bits 63:39 not all equal in Sv39
  const auto r = g.img.walk(g.roots, Mode::Nested, va, Access::Write);
  expect_fault(r, Stage::Guest, FaultKind::NonCanonical, va, rv::kStorePageFault);
  BOOST_TEST(r.nrefs == 0u);
}

// G-stage accesses are U-mode accesses: a G-stage leaf without U faults, as a guest-page fault
// naming the gPA.
BOOST_AUTO_TEST_CASE(g_stage_leaf_without_u_is_a_guest_page_fault) {
  Guest g(4, 4, kRwx, kRwx);  // the data page's G-stage leaf lacks U
  expect_fault(g.walk(), Stage::Nested, FaultKind::Permission, kData + (kVa & 0xfff), rv::kLoadGuestPageFault);
  expect_fault(g.walk(Access::Fetch), Stage::Nested, FaultKind::Permission, kData + (kVa & 0xfff),
               rv::kInstGuestPageFault);
}

// Reading a VS-stage table is an implicit load in the G-stage (R needed, X alone is not enough),
// reported as a fault of the original access type with the gPA of the VS-stage entry.
BOOST_AUTO_TEST_CASE(implicit_vs_table_reads_are_loads_in_the_g_stage) {
  Guest g(4, 4);
  const uint64_t root_pte_gpa = g.roots.groot + 8 * ((kVa >> 39) & 0x1ff);
  g.img.g_map(g.roots.groot, g.roots.groot + kGuestToHost, 4, rv::V | rv::X | rv::U | rv::A | rv::D);
  const auto r = g.walk(Access::Fetch);
  expect_fault(r, Stage::Nested, FaultKind::Permission, root_pte_gpa, rv::kInstGuestPageFault);
  BOOST_TEST(r.nreads() == 4u);  // the root's gPA through the G-stage, nothing more
  // Readable but not writable: reading is fine, but the VS-stage A update is a store to it.
  g.img.g_map(g.roots.groot, g.roots.groot + kGuestToHost, 4, rv::V | rv::R | rv::U | rv::A | rv::D);
  BOOST_TEST(g.walk().ok);  // the VS leaf has A already (kRwx): no write needed
  // A VS leaf without A in a table page the G-stage maps read-only: setting A is an implicit
  // store, refused by the G-stage, and reported as a fault of the original access (a load).
  Guest h(4, 4, rv::V | rv::R | rv::W);
  const uint64_t leaf_ea = h.img.vs_entry(h.roots.groot, kVa, 4) - kGuestToHost;  // the VS leaf's gPA
  h.img.g_map(leaf_ea & ~0xfffull, (leaf_ea & ~0xfffull) + kGuestToHost, 4, rv::V | rv::R | rv::U | rv::A | rv::D);
  const auto s = h.walk();
  expect_fault(s, Stage::Nested, FaultKind::Permission, leaf_ea, rv::kLoadGuestPageFault);
  BOOST_TEST(s.nwrites == 0u);
}

// Svadu: the walk sets A in the leaf (and D on a write), never in a non-leaf.
BOOST_AUTO_TEST_CASE(svadu_sets_a_and_d_in_leaves_only) {
  Image img(4, 4);
  pt::Roots roots;
  roots.hroot = img.host_frames(1);
  const uint64_t ea = img.native_entry(roots.hroot, kVa, 4);
  const uint64_t clean = rv::make_pte(0x7000000, rv::V | rv::R | rv::W);
  img.mem.write64(ea, clean);
  auto r = img.walk(roots, Mode::Native, kVa);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.nwrites == 1u);
  BOOST_TEST(r.refs[r.nrefs - 1].addr == ea);
  BOOST_TEST(img.mem.read64(ea) == (clean | rv::A));
  r = img.walk(roots, Mode::Native, kVa, Access::Write);
  BOOST_TEST(r.nwrites == 1u);
  BOOST_TEST(img.mem.read64(ea) == (clean | rv::A | rv::D));
  BOOST_TEST(r.tr.dirty);
  for (unsigned l = 1; l < 4; ++l) BOOST_TEST(!(img.mem.read64(img.native_entry(roots.hroot, kVa, l)) & rv::A));
}

// Svade: a leaf without A (or without D on a write) is a page fault and nothing is written.
BOOST_AUTO_TEST_CASE(svade_faults_instead_of_writing) {
  Guest g(4, 4, rv::V | rv::R | rv::W | rv::A);  // VS leaf: A, no D
  g.img.fmt.ad_hw = false;
  BOOST_TEST(g.walk().ok);
  auto r = g.walk(Access::Write);
  expect_fault(r, Stage::Guest, FaultKind::AccessedDirty, kVa, rv::kStorePageFault);
  BOOST_TEST(r.nwrites == 0u);
  // The same in the G-stage: the data page's G-stage leaf without D, a guest-page fault.
  Guest h(4, 4, kRwx, rv::V | rv::R | rv::W | rv::U | rv::A);
  h.img.fmt.ad_hw = false;
  r = h.walk(Access::Write);
  expect_fault(r, Stage::Nested, FaultKind::AccessedDirty, kData + (kVa & 0xfff), rv::kStoreGuestPageFault);
  BOOST_TEST(r.nwrites == 0u);
  h.img.fmt.ad_hw = true;  // Svadu: D written in the G-stage leaf instead
  r = h.walk(Access::Write);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.nwrites == 1u);
}

// The compound table: RSW bit 8 marks a nested-style entry (its PPN is a gPA); the walk goes
// nested below it. Switching at level k reads k compound entries, then (L - k) guest levels with
// their node pointers and the final gPA through the G-stage.
BOOST_AUTO_TEST_CASE(compound_table_switches_at_each_level) {
  const unsigned expect[] = {0, 20, 16, 12, 8};  // k + 5 (4 - k) + 4, as for x86
  for (unsigned k = 1; k <= 4; ++k) {
    Guest g(4, 4);
    // Compound path: hPA nodes down to level k, whose entry points (selector set) at the guest
    // table's level k+1 node (a gPA), or is the guest leaf itself (a gPA) at k = 4.
    g.roots.croot = g.img.host_frames(1);
    uint64_t gnode = g.roots.groot;  // the guest node at level k+1, found through the guest table
    for (unsigned l = 1; l <= k; ++l) {
      const uint64_t e = g.img.mem.read64(g.img.vs_entry(g.roots.groot, kVa, l));
      if (l == k) gnode = e;
    }
    const uint64_t cea = g.img.native_entry(g.roots.croot, kVa, k);
    g.img.mem.write64(cea, gnode | (1ull << pt::kRvSelectorBit));
    const auto r = g.img.walk(g.roots, Mode::Agile, kVa);
    BOOST_TEST_CONTEXT("switch at level " << k) {
      BOOST_TEST(r.ok);
      BOOST_TEST(r.nreads() == expect[k]);
      BOOST_TEST(r.switch_level == static_cast<int>(k));
      BOOST_TEST(r.tr.hpa == kData + kGuestToHost + (kVa & 0xfff));
    }
  }
}
