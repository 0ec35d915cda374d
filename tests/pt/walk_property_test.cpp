// Seeded property tests: for random guests, every paging mode translates every mapped gVA to the
// hPA the mapping records give, and faults on unmapped gVAs; walk-cache hooks never change a
// translation, only the references made.
#define BOOST_TEST_MODULE walk_properties
#include <boost/test/unit_test.hpp>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "walk_fixture.h"

using namespace agilemmu;

namespace {

// Unbounded walk caches: remember everything filled. Enough to exercise every hook.
struct PerfectCaches : pt::WalkCaches {
  std::map<std::tuple<int, unsigned, uint64_t>, pt::PwcEntry> pwc;  // (mode, level, va >> shift)
  std::map<std::pair<unsigned, uint64_t>, pt::NestedPwcEntry> npwc;
  std::map<std::pair<int, uint64_t>, pt::NestedEntry> ntlb;  // (size, gpa >> size bits)
  unsigned levels = 4, nlevels = 4;
  bool pwc_lookup(Mode m, uint64_t va, pt::PwcEntry& out) override {
    for (unsigned l = levels - 1; l >= 1; --l) {
      auto it = pwc.find({int(m), l, va >> pt::Format::shift(levels, l)});
      if (it != pwc.end()) return out = it->second, true;
    }
    return false;
  }
  void pwc_fill(Mode m, uint64_t va, const pt::PwcEntry& e) override {
    pwc[{int(m), e.level, va >> pt::Format::shift(levels, e.level)}] = e;
  }
  bool ntlb_lookup(uint64_t gpa, pt::NestedEntry& out) override {
    for (int s = 0; s < 3; ++s) {
      auto it = ntlb.find({s, gpa >> (12 + 9 * s)});
      if (it != ntlb.end()) return out = it->second, true;
    }
    return false;
  }
  void ntlb_fill(uint64_t gpa, const pt::NestedEntry& e) override {
    ntlb[{int(e.size), gpa >> (12 + 9 * int(e.size))}] = e;
  }
  bool npwc_lookup(uint64_t gpa, pt::NestedPwcEntry& out) override {
    for (unsigned l = nlevels - 1; l >= 1; --l) {
      auto it = npwc.find({l, gpa >> pt::Format::shift(nlevels, l)});
      if (it != npwc.end()) return out = it->second, true;
    }
    return false;
  }
  void npwc_fill(uint64_t gpa, const pt::NestedPwcEntry& e) override {
    npwc[{e.level, gpa >> pt::Format::shift(nlevels, e.level)}] = e;
  }
};

struct RandomGuest {
  std::unique_ptr<Guest> g;
  std::vector<uint64_t> pages;  // guest page bases
};

RandomGuest make_random(std::mt19937_64& rng) {
  RandomGuest rg;
  const unsigned levels = rng() % 3 == 0 ? 5 : 4;
  const PageSize host = rng() % 3 == 0 ? PageSize::k2M : PageSize::k4K;
  rg.g = std::make_unique<Guest>(levels, host, 52, 16ull << 30);
  Guest& g = *rg.g;
  const unsigned regions = 1 + rng() % 6;
  std::set<uint64_t> slots;
  for (unsigned r = 0; r < regions; ++r) {
    // Regions sit in distinct 4 GiB slots anywhere in the lower canonical half.
    const uint64_t slot = 1 + rng() % ((1ull << (g.fmt.va_bits() - 1 - 32)) - 1);
    if (!slots.insert(slot).second) continue;
    const int pick = rng() % 10;
    const PageSize ps = pick < 6 ? PageSize::k4K : pick < 9 ? PageSize::k2M : PageSize::k1G;
    const uint64_t bytes = pt::page_bytes(ps);
    const unsigned n = ps == PageSize::k1G ? 1 : 1 + rng() % 8;
    const pt::Perms perms{rng() % 2 == 0, rng() % 2 == 0, rng() % 2 == 0};
    uint64_t va = (slot << 32) + ((rng() % 3) * bytes);
    for (unsigned i = 0; i < n; ++i, va += bytes) {
      g.as->guest_map(va, ps, perms, /*dirty=*/true);  // (clean pages: walk_ad_test)
      rg.pages.push_back(va);
    }
  }
  g.as->build_all();
  // Random nested-style switch points, sometimes the whole table.
  const unsigned points = rng() % 4;
  for (unsigned i = 0; i < points && !rg.pages.empty(); ++i)
    g.as->set_compound_nested(rg.pages[rng() % rg.pages.size()], 1 + rng() % levels);
  if (rng() % 8 == 0) g.as->set_compound_nested(0, 0);
  return rg;
}

}  // namespace

BOOST_AUTO_TEST_CASE(all_modes_translate_mapped_and_fault_unmapped) {
  std::mt19937_64 rng(20261124);
  unsigned checked = 0, faults = 0;
  for (int iter = 0; iter < 60; ++iter) {
    RandomGuest rg = make_random(rng);
    Guest& g = *rg.g;
    for (uint64_t page : rg.pages) {
      uint64_t gpa, hpa;
      pt::Perms gp, p;
      PageSize gs, s;
      BOOST_REQUIRE(g.as->guest_translate(page, gpa, gp, gs));
      const uint64_t va = page + (rng() % pt::page_bytes(gs) & ~7ull);
      BOOST_REQUIRE(g.as->translate(va, hpa, p, s));
      for (Mode m : {Mode::Native, Mode::Shadow, Mode::Nested, Mode::Agile}) {
        const auto r = g.walk(m, va);
        BOOST_TEST_CONTEXT("iter " << iter << " mode " << pt::to_string(m) << " va 0x" << std::hex << va) {
          BOOST_TEST_REQUIRE(r.ok);
          BOOST_TEST(r.tr.hpa == hpa);
          BOOST_TEST(r.tr.perms == p);
        }
        ++checked;
      }
      BOOST_TEST(g.walk(Mode::Nested, va).tr.size == s);
      // An address in an unmapped 4 GiB slot faults as not-present in every mode.
      const uint64_t hole = (va | 0xffffffffull) + 1 + 0x1000 * (rng() % 16);
      uint64_t h;
      if (g.as->translate(hole, h, p, s) || !g.fmt.canonical(hole)) continue;
      for (Mode m : {Mode::Native, Mode::Shadow, Mode::Nested, Mode::Agile}) {
        const auto r = g.walk(m, hole);
        BOOST_TEST(!r.ok);
        BOOST_TEST(r.fault.kind == pt::FaultKind::NotPresent);
        ++faults;
      }
    }
  }
  BOOST_TEST_MESSAGE(checked << " translations and " << faults << " faults checked");
  BOOST_TEST(checked > 1000u);
  BOOST_TEST(faults > 100u);
}

BOOST_AUTO_TEST_CASE(walk_caches_change_references_not_translations) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 30; ++iter) {
    RandomGuest rg = make_random(rng);
    Guest& g = *rg.g;
    PerfectCaches c;
    c.levels = g.fmt.levels;
    c.nlevels = g.fmt.nested_levels;
    for (int pass = 0; pass < 2; ++pass)
      for (uint64_t page : rg.pages)
        for (Mode m : {Mode::Native, Mode::Shadow, Mode::Nested, Mode::Agile}) {
          pt::WalkRequest req;
          req.va = page + 0x18, req.mode = m;
          const auto plain = pt::walk(g.mem, g.fmt, g.as->roots(), req);
          const auto cached = pt::walk(g.mem, g.fmt, g.as->roots(), req, &c);
          BOOST_TEST(cached.ok == plain.ok);
          BOOST_TEST(cached.tr.hpa == plain.tr.hpa);
          BOOST_TEST(cached.tr.perms == plain.tr.perms);
          BOOST_TEST(cached.switch_level == plain.switch_level);
          BOOST_TEST(cached.nreads() <= plain.nreads());
        }
  }
}

BOOST_AUTO_TEST_CASE(warm_caches_shorten_a_nested_walk) {
  Guest g;
  g.as->guest_map(0x10000000, PageSize::k4K, {});
  g.as->guest_map(0x10001000, PageSize::k4K, {});
  g.as->build_all();
  PerfectCaches c;
  pt::WalkRequest req;
  req.mode = Mode::Nested;
  req.va = 0x10000000;
  // Cold: the guest nodes and the data page were allocated from one 2 MiB stretch of guest-
  // physical memory, so after the first full nested walk (4 references) every later nested walk
  // in this same walk finds its level-3 nested entry in the nested PWC (1 reference each).
  const auto gpas = g.nested_walk_gpas(req.va);
  for (uint64_t gpa : gpas) BOOST_REQUIRE_EQUAL(gpa >> 21, gpas[0] >> 21);
  BOOST_TEST(pt::walk(g.mem, g.fmt, g.as->roots(), req, &c).nreads() == 4u + 4u * 1 + 4u * 1);
  // Same page again: the PWC gives the guest leaf node (a gPA), the nested TLB its hPA; one
  // guest leaf read, then the nested TLB translates the final gPA.
  BOOST_TEST(pt::walk(g.mem, g.fmt, g.as->roots(), req, &c).nreads() == 1u);
  // Neighbouring page: the same guest leaf read, then a final gPA the nested TLB has not seen;
  // the nested PWC supplies its level-3 entry, so one nested leaf read.
  req.va = 0x10001000;
  BOOST_TEST(pt::walk(g.mem, g.fmt, g.as->roots(), req, &c).nreads() == 2u);
}

BOOST_AUTO_TEST_CASE(compound_round_trip_restores_shadow_walks_and_frees_nodes) {
  Guest g;
  for (uint64_t va = 0x10000000; va < 0x10000000 + (4u << 20); va += 0x1000) g.as->guest_map(va, PageSize::k4K, {});
  g.as->build_all();
  const uint64_t used = g.as->host_frames().used_bytes();
  const uint64_t va = 0x10234567;
  const auto before = g.walk(Mode::Agile, va);
  BOOST_TEST(g.as->lowest_necessary_level(0x10000000, 4u << 20) == 3u);
  g.as->make_range_nested(0x10000000, 4u << 20);
  BOOST_TEST(g.as->nested_points().size() == 2u);  // two 2 MiB directory entries
  const auto nested = g.walk(Mode::Agile, va);
  BOOST_TEST(nested.nreads() == 12u);
  BOOST_TEST(nested.tr.hpa == before.tr.hpa);
  BOOST_TEST(g.as->host_frames().used_bytes() < used);  // the replaced shadow leaf nodes are freed
  g.as->make_range_shadow(0x10000000, 4u << 20);
  BOOST_TEST(g.as->nested_points().empty());
  const auto after = g.walk(Mode::Agile, va);
  BOOST_TEST(after.nreads() == 4u);
  BOOST_TEST(after.tr.hpa == before.tr.hpa);
  BOOST_TEST(g.as->host_frames().used_bytes() == used);
}
