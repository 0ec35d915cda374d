// The MMU's plain-C++ structures: set-associative replacement, TLB tagging, invalidation,
// large pages, and the walk caches' effect on real walks.
#define BOOST_TEST_MODULE mmu_structures
#include <boost/test/unit_test.hpp>

#include <agilemmu/mmu/tlb.h>
#include <agilemmu/mmu/walk_caches.h>
#include <agilemmu/pt/print.h>
#include <agilemmu/vmm/address_space.h>

using namespace agilemmu;
using mmu::CacheGeometry;
using mmu::Context;
using mmu::Replacement;
using mmu::Tlb;
using pt::PageSize;

namespace {
// One set of 4 ways: pages 0..n map to the same set when entries == ways.
Tlb one_set(Replacement r, uint64_t seed = 1) {
  Tlb t;
  t.configure(CacheGeometry{4, 4, 1, r}, 1, seed);
  return t;
}
bool hit(Tlb& t, uint64_t page) {
  mmu::TlbEntry e;
  return t.lookup(Context{}, page << 12, e);
}
void fill(Tlb& t, uint64_t page) { t.insert(Context{}, page << 12, (page + 100) << 12, PageSize::k4K, {}, true); }
}  // namespace

BOOST_AUTO_TEST_CASE(lru_evicts_least_recently_used) {
  Tlb t = one_set(Replacement::LRU);
  for (uint64_t p : {1, 2, 3, 4}) fill(t, p);
  BOOST_TEST(hit(t, 1));  // 2 is now the oldest
  fill(t, 5);
  BOOST_TEST(!hit(t, 2));
  for (uint64_t p : {1, 3, 4, 5}) BOOST_TEST(hit(t, p));
  BOOST_TEST(t.counters().evictions == 1u);
}

BOOST_AUTO_TEST_CASE(tree_plru_evicts_by_tree_bits) {
  // Fill ways 0..3 with pages 1..4, touch page 1 (way 0). Tree bits: the root points at the
  // right pair (the left was touched last), inside it way 2 is older than way 3 (3 was filled
  // after 2) -> the victim is way 2 = page 3. True LRU would evict page 2.
  Tlb t = one_set(Replacement::PLRU);
  for (uint64_t p : {1, 2, 3, 4}) fill(t, p);
  BOOST_TEST(hit(t, 1));
  fill(t, 5);
  BOOST_TEST(!hit(t, 3));
  for (uint64_t p : {1, 2, 4, 5}) BOOST_TEST(hit(t, p));
}

BOOST_AUTO_TEST_CASE(random_replacement_is_seeded) {
  auto victims = [](uint64_t seed) {
    Tlb t = one_set(Replacement::Random, seed);
    for (uint64_t p = 1; p <= 4; ++p) fill(t, p);
    std::vector<uint64_t> gone;
    for (uint64_t p = 5; p <= 12; ++p) {
      fill(t, p);
      for (uint64_t q = 1; q < p; ++q)
        if (!hit(t, q) && std::find(gone.begin(), gone.end(), q) == gone.end()) gone.push_back(q);
    }
    return gone;
  };
  BOOST_TEST(victims(7) == victims(7));
  BOOST_TEST(victims(7).size() == 8u);  // every fill into the full set evicted one page
  BOOST_TEST(victims(7) != victims(8));
}

BOOST_AUTO_TEST_CASE(tags_isolate_asid_vmid_and_host) {
  Tlb t;
  t.configure(CacheGeometry{64, 4, 1, Replacement::LRU}, 7, 1);
  const Context a{1, 1, false}, b{2, 1, false}, c{1, 2, false}, h{1, 1, true};
  t.insert(a, 0x5000, 0x123000, PageSize::k4K, {}, true);
  mmu::TlbEntry e;
  BOOST_TEST(t.lookup(a, 0x5abc, e));
  BOOST_TEST(e.hpa_base == 0x123000u);
  BOOST_TEST(!t.lookup(b, 0x5abc, e));  // other process
  BOOST_TEST(!t.lookup(c, 0x5abc, e));  // other VM
  BOOST_TEST(!t.lookup(h, 0x5abc, e));  // the host's hVA space
  t.insert(b, 0x5000, 0x456000, PageSize::k4K, {}, true);
  t.invalidate_asid(1, 1);
  BOOST_TEST(!t.lookup(a, 0x5000, e));
  BOOST_TEST(t.lookup(b, 0x5000, e));
  t.invalidate_vmid(1);
  BOOST_TEST(!t.lookup(b, 0x5000, e));
  t.insert(a, 0x5000, 0x123000, PageSize::k4K, {}, true);
  t.invalidate_page(a, 0x5fff);
  BOOST_TEST(!t.lookup(a, 0x5000, e));
  t.insert(a, 0x5000, 0x123000, PageSize::k4K, {}, true);
  t.invalidate_all();
  BOOST_TEST(t.valid_count() == 0u);
}

BOOST_AUTO_TEST_CASE(large_pages_held_or_splintered) {
  Tlb all, small;
  all.configure(CacheGeometry{64, 4, 1, Replacement::LRU}, 7, 1);
  small.configure(CacheGeometry{64, 4, 1, Replacement::LRU}, 1, 1);  // 4K entries only
  const Context c{};
  all.insert(c, 0x40012345, 0x80012345, PageSize::k2M, {}, true);
  small.insert(c, 0x40012345, 0x80012345, PageSize::k2M, {}, true);
  mmu::TlbEntry e;
  BOOST_TEST(all.lookup(c, 0x401fffff, e));  // anywhere in the 2 MiB page
  BOOST_TEST(e.hpa_base == 0x80000000u);
  BOOST_TEST(e.size == PageSize::k2M);
  BOOST_TEST(small.lookup(c, 0x40012fff, e));  // the 4 KiB piece that was used
  BOOST_TEST(e.hpa_base == 0x80012000u);
  BOOST_TEST(!small.lookup(c, 0x40013000, e));  // its neighbour was not filled
  all.invalidate_range(0, 0x40100000, 0x1000);  // a 4 KiB range inside the 2 MiB entry
  BOOST_TEST(!all.lookup(c, 0x40000000, e));
}

// INVLPG drops the current ASID's entries of a range; the VM-wide form drops every ASID's.
BOOST_AUTO_TEST_CASE(range_invalidation_of_one_asid_or_every_asid) {
  Tlb t;
  t.configure(CacheGeometry{64, 4, 1, Replacement::LRU}, 7, 1);
  const Context a{1, 1, false}, b{2, 1, false}, other_vm{1, 2, false};
  for (const Context& c : {a, b, other_vm}) t.insert(c, 0x40012345, 0x80012345, PageSize::k4K, {}, true);
  mmu::TlbEntry e;
  t.invalidate_range(a, 0x40012000, 0x1000);
  BOOST_TEST(!t.lookup(a, 0x40012000, e));
  BOOST_TEST(t.lookup(b, 0x40012000, e));
  BOOST_TEST(t.lookup(other_vm, 0x40012000, e));
  t.insert(a, 0x40012345, 0x80012345, PageSize::k4K, {}, true);
  t.invalidate_range(a, 0x40013000, 0x1000);  // the next page: nothing of a's goes
  BOOST_TEST(t.lookup(a, 0x40012000, e));
  t.invalidate_range(uint16_t{1}, 0x40012000, 0x1000);
  BOOST_TEST(!t.lookup(a, 0x40012000, e));
  BOOST_TEST(!t.lookup(b, 0x40012000, e));
  BOOST_TEST(t.lookup(other_vm, 0x40012000, e));
}

BOOST_AUTO_TEST_CASE(disabled_structure_always_misses_uncounted) {
  Tlb t;
  t.configure(CacheGeometry{0, 1, 1, Replacement::LRU}, 7, 1);
  fill(t, 1);
  BOOST_TEST(!hit(t, 1));
  BOOST_TEST(t.counters().lookups() == 0u);
}

BOOST_AUTO_TEST_CASE(geometry_validation) {
  BOOST_TEST(!CacheGeometry({64, 4, 1, Replacement::LRU}).validate());
  BOOST_TEST(!CacheGeometry({0, 3, 1, Replacement::LRU}).validate());  // disabled: anything goes
  const auto sets = CacheGeometry({60, 4, 1, Replacement::LRU}).validate();
  BOOST_TEST(sets.field == "entries");
  BOOST_TEST(sets.message.find("power of two") != std::string::npos);
  BOOST_TEST(CacheGeometry({64, 3, 1, Replacement::LRU}).validate().message.find("multiple of ways") !=
             std::string::npos);
  const auto plru = CacheGeometry({48, 3, 1, Replacement::PLRU}).validate();
  BOOST_TEST(plru.field == "ways");
  BOOST_TEST(plru.message.find("plru") != std::string::npos);
  BOOST_TEST(CacheGeometry({64, 65, 1, Replacement::LRU}).validate().message == "value 65 out of range [1, 64]");
}

namespace {
struct Guest {
  pt::PhysMem mem;
  pt::Format fmt;
  vmm::AddressSpace as{mem, fmt};
  mmu::WalkCacheSet caches;
  explicit Guest(uint32_t entries) {
    as.guest_map(0x10000000, PageSize::k4K, {});
    as.guest_map(0x10001000, PageSize::k4K, {});
    as.build_all();
    const CacheGeometry g{entries, entries ? 4u : 1u, 1, Replacement::LRU};
    caches.configure(fmt, g, g, g, 1);
  }
  unsigned refs(pt::Mode m, uint64_t va) {
    pt::WalkRequest r;
    r.va = va, r.mode = m;
    return pt::walk(mem, fmt, as.roots(), r, &caches).nreads();
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(disabled_walk_caches_give_uncached_counts) {
  Guest g(0);
  BOOST_TEST(g.refs(pt::Mode::Nested, 0x10000000) == 24u);
  BOOST_TEST(g.refs(pt::Mode::Nested, 0x10000000) == 24u);
  BOOST_TEST(g.refs(pt::Mode::Native, 0x10000000) == 4u);
  BOOST_TEST(g.refs(pt::Mode::Shadow, 0x10000000) == 4u);
  g.as.set_compound_nested(0x10000000, 3);
  BOOST_TEST(g.refs(pt::Mode::Agile, 0x10000000) == 12u);
}

BOOST_AUTO_TEST_CASE(pwc_and_nested_tlb_shorten_a_neighbouring_nested_walk) {
  Guest g(32);
  // Cold: the first nested walk reads 4 entries; the guest nodes and the data page share one
  // 2 MiB stretch of gPA, so every later nested walk finds its level-3 entry in the nested PWC.
  BOOST_TEST(g.refs(pt::Mode::Nested, 0x10000000) == 4u + 4u + 4u);
  // Neighbouring page: the PWC gives the guest leaf node (a gPA), the nested TLB translates it;
  // one guest leaf read, then the new data gPA: nested PWC level 3 -> one nested leaf read.
  BOOST_TEST(g.refs(pt::Mode::Nested, 0x10001000) == 2u);
  BOOST_TEST(g.caches.pwc_counters().hits >= 1u);
  BOOST_TEST(g.caches.ntlb_counters().hits >= 1u);
  // Invalidating the nested structures costs the nested TLB and nested PWC, not the first dimension.
  g.caches.invalidate_nested(0);
  BOOST_TEST(g.refs(pt::Mode::Nested, 0x10001000) == 4u + 1u + 1u);
}

BOOST_AUTO_TEST_CASE(pwc_keeps_shadow_and_nested_style_apart) {
  Guest g(32);
  const unsigned first = g.refs(pt::Mode::Agile, 0x10000000);  // shadow-style compound walk
  BOOST_TEST(first == 4u);
  BOOST_TEST(g.refs(pt::Mode::Agile, 0x10000000) == 1u);  // PWC level 3 hit: leaf read only
  // The hypervisor makes the leaf table nested-style and drops the first-dimension PWC, as the
  // Vmm does on every switch; the next walk follows the nested-style pointer.
  g.as.set_compound_nested(0x10000000, 3);
  g.caches.invalidate_first_dim(0);
  pt::WalkRequest r;
  r.va = 0x10000000, r.mode = pt::Mode::Agile;
  const auto w = pt::walk(g.mem, g.fmt, g.as.roots(), r, &g.caches);
  BOOST_TEST(w.switch_level == 3);
  BOOST_TEST(w.ok);
  // Mode is part of the tag: a nested-mode walk does not reuse agile entries.
  const unsigned nested_cold = g.refs(pt::Mode::Nested, 0x10000000);
  BOOST_TEST(nested_cold > 1u);
}
