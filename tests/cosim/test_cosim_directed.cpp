// Directed co-simulation walks: the reference counts of DESIGN.md through the RTL walker, each
// checked against the golden walk by the scoreboard.
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
      : rtl(cosim::RtlWalker::create(levels)) {
    vmm::Layout layout;
    layout.host_page = host;
    as = std::make_unique<vmm::AddressSpace>(mem, rtl->format(), layout);
    as->guest_map(kVa & ~(pt::page_bytes(guest) - 1), guest, pt::Perms{});
    as->build_all();
  }
  // Runs one walk through the scoreboard; returns the RTL's reference count.
  unsigned walk(Mode mode, uint64_t va = kVa, uint32_t latency = 1) {
    cosim::Scoreboard sb(*rtl, mem, latency);
    const bool match = sb.check(as->roots(), pt::WalkRequest{va, pt::Access::Read, false, mode});
    std::ostringstream os;
    if (!match) sb.report(os);
    BOOST_TEST(match, os.str());
    BOOST_TEST(sb.rtl_result().cycles == pt::WalkTiming{}.uncached(sb.rtl_result().nrefs, latency));
    last_ok = sb.rtl_result().r.ok;
    last_switch = sb.rtl_result().r.switch_level;
    return sb.rtl_result().nrefs;
  }
  pt::PhysMem mem;
  std::unique_ptr<cosim::RtlWalker> rtl;
  std::unique_ptr<vmm::AddressSpace> as;
  bool last_ok = false;
  int last_switch = 0;
};

}  // namespace

BOOST_AUTO_TEST_CASE(counts_4level) {
  Fixture f(4);
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
  BOOST_TEST(f.walk(Mode::Shadow, 0x1000) == 1u);  // root entry not present
  BOOST_TEST(!f.last_ok);
  for (uint32_t lat : {1u, 2u, 7u, 30u}) BOOST_TEST(f.walk(Mode::Nested, kVa, lat) == 24u);
}
