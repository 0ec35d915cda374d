// Directed co-simulation walks: the reference counts of DESIGN.md through the RTL walker, the A/D
// writes, the nested permission checks, each checked against the golden walk by the scoreboard.
#define BOOST_TEST_MODULE cosim_directed
#include <boost/test/unit_test.hpp>

#include <sstream>

#include "cosim/rtl_walker.h"
#include "cosim/scoreboard.h"
#include <agilemmu/vmm/address_space.h>

using namespace agilemmu;
using pt::Mode;
using pt::PageSize;

namespace {

constexpr uint64_t kVa = 0x7f12'3456'7000ull;

struct Fixture {
  explicit Fixture(unsigned levels, PageSize guest = PageSize::k4K, PageSize host = PageSize::k4K)
      : Fixture(levels == 5 ? "l5" : "l4", guest, host) {}
  explicit Fixture(const std::string& config, PageSize guest = PageSize::k4K, PageSize host = PageSize::k4K)
      : rtl(cosim::RtlWalker::create(config)) {
    vmm::Layout layout;
    layout.host_page = host;
    as = std::make_unique<vmm::AddressSpace>(mem, rtl->format(), layout);
    as->guest_map(kVa & ~(pt::page_bytes(guest) - 1), guest, pt::Perms{});
    as->build_all();
  }
  // Runs one walk through the scoreboard; returns the RTL's read count (its writes: last_writes).
  unsigned walk(Mode mode, uint64_t va = kVa, uint32_t latency = 1, pt::Access access = pt::Access::Read,
                bool user = false) {
    cosim::Scoreboard sb(*rtl, mem, latency);
    const bool match = sb.check(as->roots(), pt::WalkRequest{va, access, user, mode});
    std::ostringstream os;
    if (!match) sb.report(os);
    BOOST_TEST(match, os.str());
    BOOST_TEST(sb.rtl_result().cycles == pt::WalkTiming{}.uncached(sb.rtl_result().nrefs, latency));
    last = sb.rtl_result().r;
    last_ok = last.ok;
    last_switch = last.switch_level;
    last_writes = sb.rtl_result().nwrites;
    return sb.rtl_result().nrefs - sb.rtl_result().nwrites;
  }
  // Warms A/D on the path (a write walk sets every A and the leaf D), so the next walks count
  // reads only.
  void warm(Mode mode, uint64_t va = kVa) { walk(mode, va, 1, pt::Access::Write); }
  // Nested leaf of the guest page-table page read at guest level `level` (nested mode), and the
  // nested leaf of the data page.
  uint64_t table_leaf(unsigned level) const {
    const pt::WalkResult w =
        pt::probe(mem, rtl->format(), as->roots(), pt::WalkRequest{kVa, pt::Access::Read, false, Mode::Nested});
    uint64_t nested = 0;
    for (unsigned k = 0; k < w.nrefs; ++k) {
      const pt::MemRef& r = w.refs[k];
      if (r.write) continue;
      if (r.table == pt::Table::Nested)
        nested = r.addr;
      else if (r.table == pt::Table::Guest && r.level == level)
        return nested;
    }
    return nested;  // level 0: the data page's
  }
  pt::PhysMem mem;
  std::unique_ptr<cosim::RtlWalker> rtl;
  std::unique_ptr<vmm::AddressSpace> as;
  pt::WalkResult last;
  unsigned last_writes = 0;
  bool last_ok = false;
  int last_switch = 0;
};

}  // namespace

BOOST_AUTO_TEST_CASE(counts_4level) {
  Fixture f(4);
  for (Mode m : {Mode::Native, Mode::Shadow, Mode::Nested}) f.warm(m);
  BOOST_TEST(f.walk(Mode::Native) == 4u);
  BOOST_TEST(f.last_ok);
  BOOST_TEST(f.walk(Mode::Shadow) == 4u);
  BOOST_TEST(f.walk(Mode::Nested) == 24u);
  BOOST_TEST(f.last_ok);
  BOOST_TEST(f.last_switch == 0);
  BOOST_TEST(f.walk(Mode::Agile) == 4u);  // all shadow-style
  BOOST_TEST(f.last_switch == -1);
}

BOOST_AUTO_TEST_CASE(agile_switch_levels_4level) {
  const unsigned expected[] = {0, 20, 16, 12, 8};  // k + 5*(4-k) + 4
  for (unsigned k = 1; k <= 4; ++k) {
    Fixture f(4);
    f.as->set_compound_nested(kVa, k);
    BOOST_TEST(f.walk(Mode::Agile) == expected[k], "switch at level " << k);
    BOOST_TEST(f.last_writes > 0u);  // A clear everywhere
    BOOST_TEST(f.walk(Mode::Agile) == expected[k], "switch at level " << k);
    BOOST_TEST(f.last_ok);
    BOOST_TEST(f.last_switch == static_cast<int>(k));
  }
  Fixture full(4);
  full.as->set_compound_nested(kVa, 0);  // croot is a gPA
  BOOST_TEST(full.walk(Mode::Agile) == 24u);
  BOOST_TEST(full.last_switch == 0);
}

BOOST_AUTO_TEST_CASE(counts_5level) {
  Fixture f(5);
  for (Mode m : {Mode::Native, Mode::Shadow, Mode::Nested}) f.warm(m);
  BOOST_TEST(f.walk(Mode::Native) == 5u);
  BOOST_TEST(f.walk(Mode::Shadow) == 5u);
  BOOST_TEST(f.walk(Mode::Nested) == 35u);
  BOOST_TEST(f.last_ok);
}

BOOST_AUTO_TEST_CASE(large_pages_shorten_walks) {
  // Nested count with Lg guest and Ln nested levels: Lg*(Ln+1) + Ln.
  Fixture g2m(4, PageSize::k2M, PageSize::k4K);
  BOOST_TEST(g2m.walk(Mode::Nested) == 19u);
  BOOST_TEST(g2m.walk(Mode::Shadow) == 4u);  // the shadow table splits it to the 4K host pages
  Fixture h2m(4, PageSize::k4K, PageSize::k2M);
  BOOST_TEST(h2m.walk(Mode::Nested) == 19u);
  BOOST_TEST(h2m.walk(Mode::Shadow) == 4u);
  Fixture both(4, PageSize::k2M, PageSize::k2M);
  BOOST_TEST(both.walk(Mode::Nested) == 15u);
  BOOST_TEST(both.walk(Mode::Native) == 3u);
}

BOOST_AUTO_TEST_CASE(faults_and_latency) {
  Fixture f(4);
  BOOST_TEST(f.walk(Mode::Nested, 0x8000'0000'0000ull) == 0u);  // non-canonical: no reference
  BOOST_TEST(!f.last_ok);
  BOOST_TEST((f.last.fault.kind == pt::FaultKind::NonCanonical));
  BOOST_TEST((f.last.fault.stage == pt::Stage::None));  // #GP: no table stage
  BOOST_TEST(f.walk(Mode::Shadow, 0x1000) == 1u);       // root entry not present
  BOOST_TEST(!f.last_ok);
  for (uint32_t lat : {1u, 2u, 7u, 30u}) BOOST_TEST(f.walk(Mode::Nested, kVa, lat) == 24u);
}

// A in every entry used, D in the leaf of a write, each right after its read and only once.
BOOST_AUTO_TEST_CASE(ad_writes_4level) {
  Fixture f(4);
  BOOST_TEST(f.walk(Mode::Native) == 4u);
  BOOST_TEST(f.last_writes == 4u);  // A in all four entries
  BOOST_TEST(f.walk(Mode::Native) == 4u);
  BOOST_TEST(f.last_writes == 0u);
  BOOST_TEST(f.walk(Mode::Native, kVa, 3, pt::Access::Write) == 4u);
  BOOST_TEST(f.last_writes == 1u);  // D in the leaf
  BOOST_TEST(f.walk(Mode::Native, kVa, 2, pt::Access::Write) == 4u);
  BOOST_TEST(f.last_writes == 0u);
  // Nested: every nested entry used and every guest entry get A; each guest entry's write first
  // sets D in the nested leaf mapping its page.
  BOOST_TEST(f.walk(Mode::Nested) == 24u);
  const unsigned first = f.last_writes;
  BOOST_TEST(first >= 4u + 4u + 4u);
  BOOST_TEST(f.walk(Mode::Nested) == 24u);
  BOOST_TEST(f.last_writes == 0u);
  BOOST_TEST(f.walk(Mode::Nested, kVa, 1, pt::Access::Write) == 24u);
  BOOST_TEST(f.last_writes == 2u);  // D in the guest leaf (its page already dirty), D in the data page's nested leaf
  BOOST_TEST((f.last.refs[f.last.nrefs - 1].table == pt::Table::Nested));
}

// A guest page-table page whose nested translation is read-only: the walk faults when a guest
// entry there needs an A/D write, and not when it does not.
BOOST_AUTO_TEST_CASE(guest_table_page_write_protected) {
  Fixture f(4);
  f.warm(Mode::Nested);
  const uint64_t leaf = f.table_leaf(4);
  BOOST_REQUIRE(leaf != 0u);
  f.mem.write64(leaf, f.mem.read64(leaf) & ~pt::pte::RW);
  BOOST_TEST(f.walk(Mode::Nested) == 24u);  // A already set: no write to the guest page
  BOOST_TEST(f.last_ok);
  const uint64_t gleaf = f.last.refs[19].addr;  // the guest leaf entry (read 20 of 24)
  BOOST_REQUIRE(f.last.refs[19].table == pt::Table::Guest);
  f.mem.write64(gleaf, f.mem.read64(gleaf) & ~pt::pte::A);
  BOOST_TEST(f.walk(Mode::Nested) == 20u);
  BOOST_TEST(!f.last_ok);
  BOOST_TEST((f.last.fault.stage == pt::Stage::Nested));
  BOOST_TEST((f.last.fault.kind == pt::FaultKind::Permission));
  BOOST_TEST(f.last.fault.error_code == (pt::ec::GUEST_TABLE | pt::ec::P | pt::ec::W));
  BOOST_TEST(f.last_writes == 0u);
}

// Nested translations are user accesses: US clear in the nested leaf of a guest-table page or of
// the data page faults even for a supervisor access; the data page's is checked for the access.
BOOST_AUTO_TEST_CASE(nested_permissions) {
  Fixture f(4);
  f.warm(Mode::Nested);
  const uint64_t tleaf = f.table_leaf(2), dleaf = f.table_leaf(0);
  const uint64_t tv = f.mem.read64(tleaf), dv = f.mem.read64(dleaf);
  f.mem.write64(tleaf, tv & ~pt::pte::US);
  f.walk(Mode::Nested);
  BOOST_TEST(!f.last_ok);
  BOOST_TEST(f.last.fault.error_code == (pt::ec::GUEST_TABLE | pt::ec::P));
  f.mem.write64(tleaf, tv);
  f.mem.write64(dleaf, dv & ~pt::pte::US);
  f.walk(Mode::Nested);
  BOOST_TEST(f.last.fault.error_code == (pt::ec::FINAL | pt::ec::P));
  f.mem.write64(dleaf, dv | pt::pte::NX);
  f.walk(Mode::Nested, kVa, 1, pt::Access::Fetch, true);
  BOOST_TEST(f.last.fault.error_code == (pt::ec::FINAL | pt::ec::I | pt::ec::U | pt::ec::P));
  BOOST_TEST(f.walk(Mode::Nested) == 24u);  // NX does not stop a read
  BOOST_TEST(f.last_ok);
}

// The mix build has no A/D in the nested table (NESTED_AD = 0): only guest entries are written.
BOOST_AUTO_TEST_CASE(no_nested_ad_in_mix_build) {
  Fixture f("mix");
  BOOST_TEST(!f.rtl->format().nested_ad);
  BOOST_TEST(f.walk(Mode::Nested, kVa, 1, pt::Access::Write) == 4u * 6 + 5);
  BOOST_TEST(f.last_ok);
  BOOST_TEST(f.last_writes == 4u);
  for (unsigned k = 0; k < f.last.nrefs; ++k)
    if (f.last.refs[k].write) BOOST_TEST((f.last.refs[k].table == pt::Table::Guest));
}
