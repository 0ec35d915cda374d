// Reference counts of uncached walks, each derived from the table geometry:
//   1-D walks (native, shadow) read one entry per level down to the leaf;
//   a 2-D walk translates every guest node pointer and the final gPA through the nested table
//   (one reference per nested level) and reads one guest entry per guest level;
//   agile reads compound entries down to the first nested-style one at level k, then walks
//   nested from level k+1.
#define BOOST_TEST_MODULE walk_counts
#include <boost/test/unit_test.hpp>

#include "walk_fixture.h"

using namespace agilemmu;

namespace {
constexpr uint64_t kVa = 0x10000123;
unsigned two_d(unsigned guest_levels, unsigned nested_levels) {
  return guest_levels * (nested_levels + 1) + nested_levels;
}
unsigned agile(unsigned L, unsigned NL, unsigned k) { return k + (NL + 1) * (L - k) + NL; }
}  // namespace

BOOST_AUTO_TEST_CASE(four_level_uncached) {
  Guest g;
  g.as->guest_map(kVa & ~0xfffull, PageSize::k4K, {});
  g.as->build_all();
  BOOST_TEST(g.walk(Mode::Native, kVa).nreads() == 4u);
  BOOST_TEST(g.walk(Mode::Shadow, kVa).nreads() == 4u);
  BOOST_TEST(g.walk(Mode::Nested, kVa).nreads() == two_d(4, 4));
  BOOST_TEST(two_d(4, 4) == 24u);                       // the design card's figure
  BOOST_TEST(g.walk(Mode::Agile, kVa).nreads() == 4u);  // all shadow-style: a shadow walk
}

BOOST_AUTO_TEST_CASE(five_level_uncached) {
  Guest g(5);
  g.as->guest_map(kVa & ~0xfffull, PageSize::k4K, {});
  g.as->build_all();
  BOOST_TEST(g.walk(Mode::Native, kVa).nreads() == 5u);
  BOOST_TEST(g.walk(Mode::Shadow, kVa).nreads() == 5u);
  BOOST_TEST(g.walk(Mode::Nested, kVa).nreads() == two_d(5, 5));
  BOOST_TEST(two_d(5, 5) == 35u);
}

BOOST_AUTO_TEST_CASE(agile_switch_at_each_level) {
  const unsigned expect[] = {0, 20, 16, 12, 8};  // design card, for k = 1..4
  for (unsigned k = 1; k <= 4; ++k) {
    Guest g;
    g.as->guest_map(kVa & ~0xfffull, PageSize::k4K, {});
    g.as->build_all();
    g.as->set_compound_nested(kVa, k);
    const auto r = g.walk(Mode::Agile, kVa);
    BOOST_TEST_CONTEXT("switch at level " << k) {
      BOOST_TEST(r.ok);
      BOOST_TEST(r.nreads() == agile(4, 4, k));
      BOOST_TEST(r.nreads() == expect[k]);
      BOOST_TEST(r.switch_level == static_cast<int>(k));
    }
  }
}

BOOST_AUTO_TEST_CASE(agile_fully_nested_root) {
  Guest g;
  g.as->guest_map(kVa & ~0xfffull, PageSize::k4K, {});
  g.as->build_all();
  g.as->set_compound_nested(kVa, 0);  // croot is the guest root, a gPA
  const auto r = g.walk(Mode::Agile, kVa);
  BOOST_TEST(r.nreads() == two_d(4, 4));
  BOOST_TEST(r.switch_level == 0);
}

BOOST_AUTO_TEST_CASE(large_guest_page_over_small_host_pages) {
  Guest g;  // 2 MiB guest page, host backs with 4 KiB pages
  g.as->guest_map(0x40000000, PageSize::k2M, {});
  g.as->build_all();
  const uint64_t va = 0x40012345;
  // The guest leaf is at level 3: three guest levels, each node pointer plus the final gPA
  // through a 4-level nested walk.
  BOOST_TEST(g.walk(Mode::Nested, va).nreads() == two_d(3, 4));
  BOOST_TEST(g.walk(Mode::Nested, va).tr.size == PageSize::k4K);  // min of guest and host
  // Shadow splits the 2 MiB guest page into host-sized pieces: a full 4-level walk.
  BOOST_TEST(g.walk(Mode::Shadow, va).nreads() == 4u);
}

BOOST_AUTO_TEST_CASE(small_guest_pages_over_large_host_pages) {
  Guest g(4, PageSize::k2M);
  g.as->guest_map(0x10000000, PageSize::k4K, {});
  g.as->build_all();
  const uint64_t va = 0x10000010;
  // Every nested walk stops at the 2 MiB nested leaf (level 3).
  for (uint64_t gpa : g.nested_walk_gpas(va)) BOOST_TEST(g.nested_depth(gpa) == 3u);
  BOOST_TEST(g.walk(Mode::Nested, va).nreads() == 4u * (3 + 1) + 3);
  BOOST_TEST(g.walk(Mode::Shadow, va).nreads() == 4u);
}

BOOST_AUTO_TEST_CASE(large_pages_both_dimensions) {
  Guest g(4, PageSize::k2M);
  g.as->guest_map(0x40000000, PageSize::k2M, {});
  g.as->build_all();
  const uint64_t va = 0x401fffff;
  const auto n = g.walk(Mode::Nested, va);
  BOOST_TEST(n.nreads() == 3u * (3 + 1) + 3);
  BOOST_TEST(n.tr.size == PageSize::k2M);
  BOOST_TEST(g.walk(Mode::Shadow, va).nreads() == 3u);  // shadow keeps the 2 MiB page
  BOOST_TEST(g.walk(Mode::Native, va).nreads() == 3u);
  g.as->set_compound_nested(va, 3);  // the 2 MiB leaf itself nested-style
  BOOST_TEST(g.walk(Mode::Agile, va).nreads() == 3u + 3u);
}

BOOST_AUTO_TEST_CASE(one_gig_pages) {
  Guest g(4, PageSize::k1G);
  g.as->guest_map(0x80000000, PageSize::k1G, {});
  g.as->build_all();
  const uint64_t va = 0x80000000 + 0x3ffffff8;
  const auto n = g.walk(Mode::Nested, va);
  BOOST_TEST(n.nreads() == 2u * (2 + 1) + 2);
  BOOST_TEST(n.tr.size == PageSize::k1G);
  BOOST_TEST(g.walk(Mode::Shadow, va).nreads() == 2u);
}
