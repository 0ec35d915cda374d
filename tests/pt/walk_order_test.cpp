// The exact order and addresses of walk references. Expected addresses come from the table
// writer's own path finder (RadixTable::entry_addr), not from pt::Walk.
#define BOOST_TEST_MODULE walk_order
#include <boost/test/unit_test.hpp>

#include "walk_fixture.h"

using namespace agilemmu;
using pt::Port;
using pt::Table;

namespace {
constexpr uint64_t kVa = 0x7f12345678;

// Appends the references of a nested walk of `gpa`.
void expect_nested(Guest& g, uint64_t gpa, std::vector<pt::MemRef>& out) {
  const unsigned depth = g.nested_depth(gpa);
  for (unsigned j = 1; j <= depth; ++j)
    out.push_back(
        {g.as->nested_table().entry_addr(gpa, j, false), Port::Nested, Table::Nested, static_cast<uint8_t>(j)});
}

// The reads, in order (the A/D writes between them are walk_ad_test's subject).
void check(const pt::WalkResult& all, const std::vector<pt::MemRef>& want) {
  const pt::WalkResult r = test::reads_of(all);
  BOOST_REQUIRE_EQUAL(r.nrefs, want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    BOOST_TEST_CONTEXT("reference " << i + 1) {
      BOOST_TEST(r.refs[i].addr == want[i].addr);
      BOOST_TEST(r.refs[i].port == want[i].port);
      BOOST_TEST(r.refs[i].table == want[i].table);
      BOOST_TEST(r.refs[i].level == want[i].level);
    }
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(nested_pointer_translated_before_guest_read) {
  Guest g;
  g.as->guest_map(kVa & ~0xfffull, PageSize::k4K, {});
  g.as->build_all();
  const auto gpas = g.nested_walk_gpas(kVa);
  BOOST_REQUIRE_EQUAL(gpas.size(), 5u);  // four guest nodes + the final gPA
  std::vector<pt::MemRef> want;
  for (unsigned l = 1; l <= 4; ++l) {
    expect_nested(g, gpas[l - 1], want);
    want.push_back(
        {g.as->guest_table().entry_addr(kVa, l, false), Port::Compound, Table::Guest, static_cast<uint8_t>(l)});
  }
  expect_nested(g, gpas[4], want);
  const auto r = g.walk(Mode::Nested, kVa);
  BOOST_TEST(r.ok);
  check(r, want);
}

BOOST_AUTO_TEST_CASE(agile_compound_then_nested) {
  for (unsigned k = 1; k <= 4; ++k) {
    BOOST_TEST_CONTEXT("switch at level " << k) {
      Guest g;
      g.as->guest_map(kVa & ~0xfffull, PageSize::k4K, {});
      g.as->build_all();
      g.as->set_compound_nested(kVa, k);
      std::vector<pt::MemRef> want;
      for (unsigned l = 1; l <= k; ++l)
        want.push_back({g.as->compound_table().entry_addr(kVa, l, false), Port::Compound, Table::Compound,
                        static_cast<uint8_t>(l)});
      // Below the nested-style entry: the guest's own nodes, each pointer translated first.
      const uint64_t nested_entry = g.as->compound_table().read(kVa, k);
      BOOST_TEST(((nested_entry >> g.fmt.selector_bit) & 1) == 1u);
      const auto gpas = g.nested_walk_gpas(kVa, k + 1, nested_entry & pt::Format::kAddrField);
      for (unsigned l = k + 1; l <= 4; ++l) {
        expect_nested(g, gpas[l - k - 1], want);
        want.push_back(
            {g.as->guest_table().entry_addr(kVa, l, false), Port::Compound, Table::Guest, static_cast<uint8_t>(l)});
      }
      if (k == 4) {
        const uint64_t mask = 0xfff;
        expect_nested(g, (nested_entry & pt::Format::kAddrField) | (kVa & mask), want);
      } else {
        expect_nested(g, gpas.back(), want);
      }
      check(g.walk(Mode::Agile, kVa), want);
    }
  }
}

BOOST_AUTO_TEST_CASE(one_dimensional_walks_follow_their_tables) {
  Guest g;
  g.as->guest_map(kVa & ~0xfffull, PageSize::k4K, {});
  g.as->build_all();
  struct {
    Mode m;
    Table t;
    vmm::RadixTable* tab;
  } cases[] = {{Mode::Shadow, Table::Shadow, &g.as->shadow_table()},
               {Mode::Agile, Table::Compound, &g.as->compound_table()}};
  for (auto& c : cases) {
    std::vector<pt::MemRef> want;
    for (unsigned l = 1; l <= 4; ++l)
      want.push_back({c.tab->entry_addr(kVa, l, false), Port::Compound, c.t, static_cast<uint8_t>(l)});
    check(g.walk(c.m, kVa), want);
  }
}

BOOST_AUTO_TEST_CASE(all_modes_agree_on_translation) {
  Guest g;
  g.as->guest_map(kVa & ~0xfffull, PageSize::k4K, {});
  g.as->build_all();
  uint64_t hpa;
  pt::Perms p;
  PageSize s;
  BOOST_REQUIRE(g.as->translate(kVa, hpa, p, s));
  for (Mode m : {Mode::Native, Mode::Shadow, Mode::Nested, Mode::Agile}) {
    const auto r = g.walk(m, kVa);
    BOOST_TEST(r.ok);
    BOOST_TEST(r.tr.hpa == hpa);
  }
}
