// Every fault kind at every level in each dimension, with stage, level, address and error code.
// Entries are corrupted in the page-table bytes through the table writer's path finder.
#define BOOST_TEST_MODULE walk_faults
#include <boost/test/unit_test.hpp>

#include "walk_fixture.h"

using namespace agilemmu;
using pt::Stage;
namespace ec = pt::ec;

namespace {
constexpr uint64_t kVa = 0x7f12345678;

struct FirstDim {
  Mode mode;
  Stage stage;
  vmm::RadixTable& (vmm::AddressSpace::*table)();
};
const FirstDim kFirstDims[] = {
    {Mode::Native, Stage::Native, nullptr},  // native table: found through roots().hroot below
    {Mode::Shadow, Stage::Shadow, &vmm::AddressSpace::shadow_table},
    {Mode::Agile, Stage::Compound, &vmm::AddressSpace::compound_table},
    {Mode::Nested, Stage::Guest, &vmm::AddressSpace::guest_table},
};

// hPA of the first-dimension entry for `va` at `level` in the table a mode walks.
uint64_t entry_of(Guest& g, const FirstDim& d, uint64_t va, unsigned level) {
  if (d.table) return (g.as.get()->*d.table)().entry_addr(va, level, false);
  uint64_t node = g.as->roots().hroot;  // native table: follow its directory entries by hand
  for (unsigned l = 1; l < level; ++l)
    node = g.mem.read64(node + 8 * pt::Format::index(4, va, l)) & pt::Format::kAddrField;
  return node + 8 * pt::Format::index(4, va, level);
}

// Guest holds references into its own PhysMem, so it lives on the heap and never moves.
std::unique_ptr<Guest> mapped(unsigned maxphyaddr = 52, pt::Perms perms = {}) {
  auto g = std::make_unique<Guest>(4, PageSize::k4K, maxphyaddr);
  g->as->guest_map(kVa & ~0xfffull, PageSize::k4K, perms);
  g->as->build_all();
  return g;
}

void expect_fault(const pt::WalkResult& r, Stage st, FaultKind k, unsigned level, uint64_t addr, uint64_t code) {
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.fault.stage == st);
  BOOST_TEST(r.fault.kind == k);
  BOOST_TEST(r.fault.level == level);
  BOOST_TEST(r.fault.addr == addr);
  BOOST_TEST(r.fault.error_code == code);
}
}  // namespace

BOOST_AUTO_TEST_CASE(not_present_every_level_first_dimension) {
  for (const auto& d : kFirstDims)
    for (unsigned level = 1; level <= 4; ++level) {
      BOOST_TEST_CONTEXT(pt::to_string(d.mode) << " level " << level) {
        auto g_owner = mapped();
        Guest& g = *g_owner;
        const uint64_t ea = entry_of(g, d, kVa, level);
        g.mem.write64(ea, g.mem.read64(ea) & ~pt::pte::P);
        expect_fault(g.walk(d.mode, kVa, Access::Write, true), d.stage, FaultKind::NotPresent, level, kVa,
                     ec::W | ec::U);
      }
    }
}

BOOST_AUTO_TEST_CASE(reserved_bits_every_level_first_dimension) {
  for (const auto& d : kFirstDims)
    for (unsigned level = 1; level <= 4; ++level) {
      BOOST_TEST_CONTEXT(pt::to_string(d.mode) << " level " << level) {
        auto g_owner = mapped(46);
        Guest& g = *g_owner;  // address bits 51:46 are reserved
        const uint64_t ea = entry_of(g, d, kVa, level);
        g.mem.write64(ea, g.mem.read64(ea) | (1ull << 50));
        expect_fault(g.walk(d.mode, kVa, Access::Fetch), d.stage, FaultKind::Reserved, level, kVa,
                     ec::P | ec::RSVD | ec::I);
      }
    }
}

BOOST_AUTO_TEST_CASE(page_size_bit_at_root_is_reserved) {
  for (const auto& d : kFirstDims) {
    auto g_owner = mapped();
    Guest& g = *g_owner;
    const uint64_t ea = entry_of(g, d, kVa, 1);
    g.mem.write64(ea, g.mem.read64(ea) | pt::pte::PS);
    expect_fault(g.walk(d.mode, kVa), d.stage, FaultKind::Reserved, 1, kVa, ec::P | ec::RSVD);
  }
}

BOOST_AUTO_TEST_CASE(reserved_low_bits_of_large_page) {
  Guest g;
  g.as->guest_map(0x40000000, PageSize::k2M, {});
  g.as->build_all();
  const uint64_t ea = g.as->guest_table().entry_addr(0x40000000, 3, false);
  g.mem.write64(ea, g.mem.read64(ea) | (1ull << 13));  // bits 20:13 of a 2 MiB PDE are reserved
  expect_fault(g.walk(Mode::Nested, 0x40000000), Stage::Guest, FaultKind::Reserved, 3, 0x40000000, ec::P | ec::RSVD);
}

BOOST_AUTO_TEST_CASE(permission_faults_at_leaf) {
  const pt::Perms ro_kernel_nx{false, false, false};
  struct {
    Access a;
    bool user;
    uint64_t code;
  } cases[] = {{Access::Write, false, ec::P | ec::W},
               {Access::Read, true, ec::P | ec::U},
               {Access::Fetch, false, ec::P | ec::I}};
  for (const auto& d : kFirstDims)
    for (const auto& c : cases) {
      BOOST_TEST_CONTEXT(pt::to_string(d.mode) << " " << pt::to_string(c.a) << (c.user ? " user" : "")) {
        auto g_owner = mapped(52, ro_kernel_nx);
        Guest& g = *g_owner;
        expect_fault(g.walk(d.mode, kVa, c.a, c.user), d.stage, FaultKind::Permission, 4, kVa, c.code);
        BOOST_TEST(g.walk(d.mode, kVa, Access::Read, false).ok);  // a plain kernel read is allowed
      }
    }
}

BOOST_AUTO_TEST_CASE(nested_dimension_not_present_and_reserved_every_level) {
  for (int corrupt_rsvd = 0; corrupt_rsvd < 2; ++corrupt_rsvd)
    for (unsigned level = 1; level <= 4; ++level) {
      auto probe_owner = mapped(46);
      Guest& probe = *probe_owner;
      const size_t n = probe.nested_walk_gpas(kVa).size();
      for (size_t target = 0; target < n; ++target) {
        BOOST_TEST_CONTEXT((corrupt_rsvd ? "reserved" : "not-present")
                           << " nested level " << level << " for gPA #" << target) {
          auto g_owner = mapped(46);
          Guest& g = *g_owner;
          const auto gpas = g.nested_walk_gpas(kVa);
          std::vector<uint64_t> entries;
          for (uint64_t gpa : gpas) entries.push_back(g.as->nested_table().entry_addr(gpa, level, false));
          const uint64_t ea = entries[target];
          const uint64_t v = g.mem.read64(ea);
          g.mem.write64(ea, corrupt_rsvd ? v | (1ull << 49) : v & ~pt::pte::P);
          // The first nested walk that reads the corrupted entry faults.
          size_t first = 0;
          while (entries[first] != ea) ++first;
          const bool final = first == gpas.size() - 1;
          uint64_t code = final ? (ec::FINAL | ec::W) : ec::GUEST_TABLE;
          if (corrupt_rsvd) code |= ec::P | ec::RSVD;
          expect_fault(g.walk(Mode::Nested, kVa, Access::Write), Stage::Nested,
                       corrupt_rsvd ? FaultKind::Reserved : FaultKind::NotPresent, level, gpas[first], code);
        }
      }
    }
}

BOOST_AUTO_TEST_CASE(nested_permission_fault_on_final_gpa) {
  Guest g;
  const uint64_t gpa = g.as->guest_frames().alloc();
  g.as->nested_map(gpa, g.as->host_frames().alloc(), PageSize::k4K, pt::Perms{false, true, false});
  g.as->guest_map_at(kVa & ~0xfffull, gpa, PageSize::k4K, {});
  g.as->build_all();
  const uint64_t fgpa = gpa | (kVa & 0xfff);
  expect_fault(g.walk(Mode::Nested, kVa, Access::Write), Stage::Nested, FaultKind::Permission, 4, fgpa,
               ec::FINAL | ec::W | ec::P);
  expect_fault(g.walk(Mode::Nested, kVa, Access::Fetch), Stage::Nested, FaultKind::Permission, 4, fgpa,
               ec::FINAL | ec::I | ec::P);
  BOOST_TEST(g.walk(Mode::Nested, kVa, Access::Read).ok);
  // Shadow entries hold guest AND nested permissions, so shadow paging faults in its own table.
  expect_fault(g.walk(Mode::Shadow, kVa, Access::Write), Stage::Shadow, FaultKind::Permission, 4, kVa, ec::W | ec::P);
  g.as->set_compound_nested(kVa, 4);
  expect_fault(g.walk(Mode::Agile, kVa, Access::Write), Stage::Nested, FaultKind::Permission, 4, fgpa,
               ec::FINAL | ec::W | ec::P);
}

BOOST_AUTO_TEST_CASE(guest_stage_fault_below_nested_style_entry) {
  auto g_owner = mapped();
  Guest& g = *g_owner;
  g.as->set_compound_nested(kVa, 2);
  const uint64_t ea = g.as->guest_table().entry_addr(kVa, 3, false);
  g.mem.write64(ea, g.mem.read64(ea) & ~pt::pte::P);
  const auto r = g.walk(Mode::Agile, kVa);
  expect_fault(r, Stage::Guest, FaultKind::NotPresent, 3, kVa, 0);
  BOOST_TEST(r.switch_level == 2);
}

BOOST_AUTO_TEST_CASE(non_canonical_address) {
  auto g_owner = mapped();
  Guest& g = *g_owner;
  const uint64_t bad = 0x0000800000000000ull;
  for (const auto& d : kFirstDims) {
    const auto r = g.walk(d.mode, bad);
    expect_fault(r, Stage::None, FaultKind::NonCanonical, 0, bad, 0);  // #GP: no stage
    BOOST_TEST(r.nrefs == 0u);
  }
}

BOOST_AUTO_TEST_CASE(guest_physical_address_beyond_nested_reach) {
  auto g_owner = mapped();
  Guest& g = *g_owner;
  const uint64_t far = 1ull << 49;  // valid under MAXPHYADDR 52, beyond a 4-level nested table
  g.as->guest_table().write(kVa, 4, pt::make_pte(far, pt::pte::P | pt::pte::RW | pt::pte::US));
  expect_fault(g.walk(Mode::Nested, kVa), Stage::Nested, FaultKind::AddressSize, 0, far | (kVa & 0xfff),
               ec::FINAL | ec::P | ec::RSVD);
}

BOOST_AUTO_TEST_CASE(unbacked_memory_reads_as_not_present) {
  Guest g;  // nothing mapped: the roots point at empty (zeroed) nodes
  for (const auto& d : kFirstDims) {
    const auto r = g.walk(d.mode, kVa);
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.fault.kind == FaultKind::NotPresent);
    BOOST_TEST(r.fault.level == 1);
  }
}
