// Accessed/dirty writes and nested permission checks of the reference walk. Expected entries
// come from the table writer (RadixTable), not from pt::Walk.
#define BOOST_TEST_MODULE walk_ad
#include <boost/test/unit_test.hpp>

#include <set>

#include "walk_fixture.h"

using namespace agilemmu;
using pt::Port;
using pt::Stage;
using pt::Table;
namespace ec = pt::ec;
namespace pte = pt::pte;

namespace {
constexpr uint64_t kVa = 0x7f12345678;
constexpr uint64_t kPage = kVa & ~0xfffull;

// A guest with one clean 4 KiB page at kVa (A and D clear everywhere: fresh tables).
std::unique_ptr<Guest> clean_guest(pt::Perms perms = {}) {
  auto g = std::make_unique<Guest>();
  g->as->guest_map(kPage, PageSize::k4K, perms);
  g->as->build_all();
  return g;
}

// hPA of the nested leaf entry that maps `gpa`.
uint64_t nested_leaf_addr(Guest& g, uint64_t gpa) {
  unsigned level;
  uint64_t e;
  BOOST_REQUIRE(g.as->nested_table().lookup(gpa, level, e));
  return g.as->nested_table().entry_addr(gpa, level, false);
}

// Every write is an A/D update: it only adds A or D to the value the walk saw, and changes it.
void check_writes_only_set_ad(const pt::WalkResult& r) {
  for (unsigned i = 0; i < r.nrefs; ++i) {
    const pt::MemRef& m = r.refs[i];
    if (!m.write) continue;
    BOOST_TEST_CONTEXT("reference " << i + 1) {
      BOOST_TEST((m.data & ~m.old) != 0u);
      BOOST_TEST(((m.data & ~m.old) & ~(pte::A | pte::D)) == 0u);
      BOOST_TEST((m.old & ~m.data) == 0u);
    }
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(one_dimensional_walk_sets_a_right_after_each_read) {
  for (Mode m : {Mode::Native, Mode::Shadow, Mode::Agile}) {
    auto g = clean_guest();
    const auto r = g->walk(m, kVa);
    BOOST_TEST_CONTEXT("mode " << pt::to_string(m)) {
      BOOST_REQUIRE(r.ok);
      BOOST_REQUIRE_EQUAL(r.nrefs, 8u);  // read, write for each of the four levels
      BOOST_TEST(r.nwrites == 4u);
      for (unsigned i = 0; i < 8; i += 2) {
        BOOST_TEST(!r.refs[i].write);
        BOOST_TEST(r.refs[i + 1].write);
        BOOST_TEST(r.refs[i + 1].addr == r.refs[i].addr);
        BOOST_TEST(r.refs[i + 1].level == r.refs[i].level);
        BOOST_TEST(r.refs[i + 1].data == (r.refs[i + 1].old | pte::A));  // a read: A only, no D
        BOOST_TEST((g->mem.read64(r.refs[i].addr) & pte::A) != 0u);
      }
      BOOST_TEST(!r.tr.dirty);
      check_writes_only_set_ad(r);
      const auto again = g->walk(m, kVa);
      BOOST_TEST(again.nwrites == 0u);
      BOOST_TEST(again.nrefs == 4u);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_write_sets_d_in_the_leaf_only) {
  auto g = clean_guest();
  const auto read = g->walk(Mode::Native, kVa);
  BOOST_TEST(!read.tr.dirty);
  const auto write = g->walk(Mode::Native, kVa, Access::Write);
  BOOST_REQUIRE(write.ok);
  BOOST_TEST(write.tr.dirty);
  BOOST_REQUIRE_EQUAL(write.nwrites, 1u);  // A is set everywhere already: D in the leaf
  const pt::MemRef& w = write.refs[write.nrefs - 1];
  BOOST_TEST(w.write);
  BOOST_TEST(w.level == 4u);
  BOOST_TEST(w.data == (w.old | pte::D));
  for (unsigned i = 0; i + 1 < write.nrefs; ++i) BOOST_TEST(!write.refs[i].write);  // no D above the leaf
  BOOST_TEST(g->walk(Mode::Native, kVa, Access::Write).nwrites == 0u);
}

BOOST_AUTO_TEST_CASE(nested_write_walk_sets_guest_and_nested_accessed_and_dirty) {
  auto g = clean_guest();
  const auto r = g->walk(Mode::Nested, kVa, Access::Write);
  BOOST_REQUIRE(r.ok);
  BOOST_TEST(r.tr.dirty);
  check_writes_only_set_ad(r);
  // The guest leaf and the nested leaf of the data page read A=1 D=1 afterwards.
  const uint64_t gleaf = g->as->guest_table().read(kVa, 4);
  BOOST_TEST((gleaf & (pte::A | pte::D)) == (pte::A | pte::D));
  const uint64_t data_gpa = g->nested_walk_gpas(kVa).back();
  BOOST_TEST((g->mem.read64(nested_leaf_addr(*g, data_gpa)) & (pte::A | pte::D)) == (pte::A | pte::D));
  // Each guest page-table page was written (A in its entry): its nested leaf has D.
  const auto gpas = g->nested_walk_gpas(kVa);
  for (unsigned l = 0; l < 4; ++l) BOOST_TEST((g->mem.read64(nested_leaf_addr(*g, gpas[l])) & pte::D) != 0u);
  // Guest directory entries: A, no D.
  for (unsigned l = 1; l < 4; ++l) BOOST_TEST((g->as->guest_table().read(kVa, l) & (pte::A | pte::D)) == pte::A);
  // Every entry the walk read now has A: a second walk writes nothing.
  BOOST_TEST(g->walk(Mode::Nested, kVa, Access::Write).nwrites == 0u);
}

BOOST_AUTO_TEST_CASE(guest_entry_write_comes_after_the_d_of_its_page) {
  auto g = clean_guest();
  const auto gpas = g->nested_walk_gpas(kVa);
  const auto r = g->walk(Mode::Nested, kVa);
  BOOST_REQUIRE(r.ok);
  unsigned guest_reads = 0;
  for (unsigned i = 0; i < r.nrefs; ++i) {
    if (r.refs[i].write || r.refs[i].table != Table::Guest) continue;
    const unsigned level = r.refs[i].level;
    ++guest_reads;
    BOOST_TEST_CONTEXT("guest level " << level) {
      // [D of the nested leaf mapping this guest page] then [A of the guest entry].
      BOOST_REQUIRE(i + 2 < r.nrefs);
      const pt::MemRef& d = r.refs[i + 1];
      const pt::MemRef& a = r.refs[i + 2];
      BOOST_TEST(d.write);
      BOOST_TEST(d.port == Port::Nested);
      BOOST_TEST(d.addr == nested_leaf_addr(*g, gpas[level - 1]));
      BOOST_TEST(d.data == (d.old | pte::D));
      BOOST_TEST(a.write);
      BOOST_TEST(a.port == Port::Compound);
      BOOST_TEST(a.addr == r.refs[i].addr);
      BOOST_TEST(a.data == (a.old | pte::A));
    }
  }
  BOOST_TEST(guest_reads == 4u);
  // Reads are exactly the formula; writes: A once per distinct entry read, plus D once per
  // distinct nested leaf mapping a guest page-table page (nothing else: a read access).
  std::set<uint64_t> read_addrs, pt_page_leaves;
  for (unsigned i = 0; i < r.nrefs; ++i)
    if (!r.refs[i].write) read_addrs.insert(r.refs[i].addr);
  for (unsigned l = 0; l < 4; ++l) pt_page_leaves.insert(nested_leaf_addr(*g, gpas[l]));
  BOOST_TEST(r.nreads() == 24u);
  BOOST_TEST(r.nwrites == read_addrs.size() + pt_page_leaves.size());
}

BOOST_AUTO_TEST_CASE(nested_ad_off_leaves_the_nested_table_alone) {
  Guest g;
  g.fmt.nested_ad = false;
  g.as->guest_map(kPage, PageSize::k4K, {});
  g.as->build_all();
  const auto r = g.walk(Mode::Nested, kVa, Access::Write);
  BOOST_REQUIRE(r.ok);
  BOOST_TEST(r.tr.dirty);  // the guest leaf's D is all a write needs
  for (unsigned i = 0; i < r.nrefs; ++i)
    if (r.refs[i].write) BOOST_TEST(r.refs[i].port == Port::Compound);
  BOOST_TEST(r.nwrites == 4u);  // guest A x3, guest leaf A|D
}

BOOST_AUTO_TEST_CASE(a_faulting_leaf_is_not_written) {
  auto g = clean_guest({/*write=*/false, /*user=*/true, /*exec=*/true});
  const uint64_t leaf_addr = g->as->guest_table().entry_addr(kVa, 4, false);
  const uint64_t before = g->mem.read64(leaf_addr);
  const auto r = g->walk(Mode::Nested, kVa, Access::Write);
  BOOST_REQUIRE(!r.ok);
  BOOST_TEST(r.fault.stage == Stage::Guest);
  BOOST_TEST(r.fault.kind == FaultKind::Permission);
  BOOST_TEST(g->mem.read64(leaf_addr) == before);
  for (unsigned i = 0; i < r.nrefs; ++i)
    if (r.refs[i].write) BOOST_TEST(r.refs[i].addr != leaf_addr);
}

BOOST_AUTO_TEST_CASE(guest_table_page_read_only_in_the_nested_table_faults_on_its_a_write) {
  auto g = clean_guest();
  const uint64_t groot = g->as->roots().groot;
  const uint64_t nleaf = nested_leaf_addr(*g, groot);
  g->mem.write64(nleaf, g->mem.read64(nleaf) & ~pte::RW);
  // The guest root entry needs A: the walk must write the root page, which the nested table forbids.
  auto r = g->walk(Mode::Nested, kVa);
  BOOST_REQUIRE(!r.ok);
  BOOST_TEST(r.fault.stage == Stage::Nested);
  BOOST_TEST(r.fault.kind == FaultKind::Permission);
  BOOST_TEST(r.fault.level == 4u);
  BOOST_TEST(r.fault.addr == groot);
  BOOST_TEST(r.fault.error_code == (ec::GUEST_TABLE | ec::P | ec::W));
  // Once the guest root entry has A, reading through a read-only nested mapping is fine.
  const uint64_t gentry = g->as->guest_table().entry_addr(kVa, 1, false);
  g->mem.write64(gentry, g->mem.read64(gentry) | pte::A);
  r = g->walk(Mode::Nested, kVa);
  BOOST_TEST(!(r.fault.stage == Stage::Nested && r.fault.addr == groot));
}

BOOST_AUTO_TEST_CASE(nested_accesses_are_user_accesses) {
  // Supervisor nested leaf of the final data page: a supervisor guest access still faults.
  auto g = clean_guest();
  const uint64_t data_gpa = g->nested_walk_gpas(kVa).back();
  const uint64_t leaf = nested_leaf_addr(*g, data_gpa);
  g->mem.write64(leaf, g->mem.read64(leaf) & ~pte::US);
  const auto r = g->walk(Mode::Nested, kVa, Access::Read, /*user=*/false);
  BOOST_REQUIRE(!r.ok);
  BOOST_TEST(r.fault.stage == Stage::Nested);
  BOOST_TEST(r.fault.kind == FaultKind::Permission);
  BOOST_TEST(r.fault.addr == data_gpa);
  BOOST_TEST((r.fault.error_code & ec::FINAL) != 0u);
  // ... and so does translating a guest table pointer through a supervisor nested entry.
  auto h = clean_guest();
  const uint64_t groot = h->as->roots().groot;
  const uint64_t root_leaf = nested_leaf_addr(*h, groot);
  h->mem.write64(root_leaf, h->mem.read64(root_leaf) & ~pte::US);
  const auto p = h->walk(Mode::Nested, kVa);
  BOOST_REQUIRE(!p.ok);
  BOOST_TEST(p.fault.stage == Stage::Nested);
  BOOST_TEST(p.fault.addr == groot);
  BOOST_TEST(p.fault.error_code == (ec::GUEST_TABLE | ec::P));
}

BOOST_AUTO_TEST_CASE(final_nested_check_follows_the_access) {
  auto g = clean_guest();
  const uint64_t data_gpa = g->nested_walk_gpas(kVa).back();
  const uint64_t leaf = nested_leaf_addr(*g, data_gpa);
  g->mem.write64(leaf, (g->mem.read64(leaf) & ~pte::RW) | pte::NX);
  BOOST_TEST(g->walk(Mode::Nested, kVa, Access::Read).ok);
  for (Access a : {Access::Write, Access::Fetch}) {
    const auto r = g->walk(Mode::Nested, kVa, a);
    BOOST_TEST_REQUIRE(!r.ok);
    BOOST_TEST(r.fault.stage == Stage::Nested);
    BOOST_TEST(r.fault.kind == FaultKind::Permission);
    BOOST_TEST(r.fault.addr == data_gpa);
  }
}

BOOST_AUTO_TEST_CASE(probe_lists_the_writes_without_performing_them) {
  auto g = clean_guest();
  pt::WalkRequest req;
  req.va = kVa, req.mode = Mode::Nested, req.access = Access::Write;
  const uint64_t leaf_addr = g->as->guest_table().entry_addr(kVa, 4, false);
  const uint64_t before = g->mem.read64(leaf_addr);
  const auto p = pt::probe(g->mem, g->fmt, g->as->roots(), req);
  BOOST_TEST(g->mem.read64(leaf_addr) == before);
  const auto w = g->walk(Mode::Nested, kVa, Access::Write);
  BOOST_REQUIRE_EQUAL(p.nrefs, w.nrefs);
  for (unsigned i = 0; i < p.nrefs; ++i) BOOST_TEST((p.refs[i] == w.refs[i]));
  BOOST_TEST(g->mem.read64(leaf_addr) != before);
}

BOOST_AUTO_TEST_CASE(non_canonical_is_a_general_protection_fault) {
  auto g = clean_guest();
  for (Mode m : {Mode::Native, Mode::Nested, Mode::Shadow, Mode::Agile}) {
    const auto r = g->walk(m, 0x0000800000000000ull);
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.fault.kind == FaultKind::NonCanonical);
    BOOST_TEST(r.fault.stage == Stage::None);
    BOOST_TEST(r.nrefs == 0u);
  }
}

BOOST_AUTO_TEST_CASE(format_without_nx_maps_no_nx_bit) {
  pt::PhysMem mem;
  pt::Format fmt;
  fmt.nx_enabled = false;
  vmm::AddressSpace as(mem, fmt);
  as.guest_map(kPage, PageSize::k4K, {true, true, /*exec=*/false}, /*dirty=*/true);
  as.build_all();
  BOOST_TEST((as.guest_table().read(kVa, 4) & pte::NX) == 0u);
  for (Mode m : {Mode::Native, Mode::Nested, Mode::Shadow, Mode::Agile}) {
    pt::WalkRequest req;
    req.va = kVa, req.mode = m, req.access = Access::Fetch;
    BOOST_TEST(pt::walk(mem, fmt, as.roots(), req).ok);  // no reserved-bit fault, no NX
  }
}

BOOST_AUTO_TEST_CASE(shadow_leaves_stay_read_only_until_the_guest_page_is_dirty) {
  auto g = clean_guest();
  // Clean page: the shadow and compound leaves are read-only, the native and guest ones are not.
  for (Mode m : {Mode::Shadow, Mode::Agile}) {
    const auto r = g->walk(m, kVa, Access::Write);
    BOOST_TEST_REQUIRE(!r.ok);
    BOOST_TEST(r.fault.kind == FaultKind::Permission);
    BOOST_TEST(r.fault.level == 4u);
  }
  BOOST_TEST(g->walk(Mode::Nested, kVa, Access::Write).ok);
  BOOST_TEST(g->walk(Mode::Native, kVa, Access::Write).ok);
  // The hypervisor sets the guest's D and rebuilds the leaves: now writable.
  auto h = clean_guest();
  h->as->set_guest_dirty(kVa);
  h->as->resync(kPage, kPage + 0x1000);
  BOOST_TEST((h->as->guest_table().read(kVa, 4) & pte::D) != 0u);
  for (Mode m : {Mode::Shadow, Mode::Agile}) BOOST_TEST(h->walk(m, kVa, Access::Write).ok);
}
