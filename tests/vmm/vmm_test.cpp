// The guest OS / hypervisor model: which guest page-table writes trap, exact policy transitions
// on hand-built event sequences, and coherence of shadow, compound and nested tables after
// random event sequences.
#define BOOST_TEST_MODULE vmm
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <random>
#include <set>

#include <agilemmu/pt/print.h>
#include <agilemmu/vmm/vmm.h>

using namespace agilemmu;
using pt::Mode;
using pt::PageSize;
using vmm::Policy;
using vmm::TrapKind;

namespace {
constexpr uint64_t kHeap = 0x10000000;

struct World {
  pt::PhysMem mem;
  pt::Format fmt;
  vmm::AddressSpace as{mem, fmt};
  std::unique_ptr<vmm::Vmm> vmm;
  std::vector<vmm::Invalidation> invs;
  World(Mode m, Policy p, vmm::DynamicPolicy dyn = {}, bool root_cache = false, pt::Format f = {}) : fmt(f) {
    as.guest_map(kHeap, PageSize::k4K, {});  // one mapped page: its page-table path exists
    as.build_all();
    vmm = std::make_unique<vmm::Vmm>(as, m, p, vmm::VmmCosts{}, dyn, root_cache);
    vmm->invalidate = [this](const vmm::Invalidation& i) { invs.push_back(i); };
  }
  uint64_t traps(TrapKind k) const { return vmm->stats().traps[size_t(k)]; }
  pt::WalkResult walk(Mode m, uint64_t va) {
    pt::WalkRequest r;
    r.va = va, r.mode = m;
    r.sum = true;  // RISC-V: a supervisor walk may use the U pages these tests map (x86 ignores it)
    return pt::walk(mem, fmt, as.roots(), r);
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(shadow_paging_traps_every_guest_pt_write) {
  World w(Mode::Shadow, Policy::Static);
  w.vmm->demand_fault(kHeap + 0x1000, PageSize::k4K, {});  // same leaf page-table page: 1 write
  BOOST_TEST(w.vmm->stats().guest_pt_writes == 1u);
  BOOST_TEST(w.traps(TrapKind::PtWrite) == 1u);
  BOOST_TEST(w.traps(TrapKind::ShadowFault) == 1u);
  w.vmm->demand_fault(kHeap + 0x200000, PageSize::k4K, {});  // new leaf table: PD entry + PTE
  BOOST_TEST(w.vmm->stats().guest_pt_writes == 3u);
  BOOST_TEST(w.traps(TrapKind::PtWrite) == 3u);
  BOOST_TEST(w.vmm->take_cycles() == 3 * vmm::VmmCosts{}.pt_write_trap + 2 * vmm::VmmCosts{}.shadow_fault_trap +
                                         2 * vmm::VmmCosts{}.guest_fault);
  BOOST_TEST(w.walk(Mode::Shadow, kHeap + 0x200000).ok);  // the shadow table was brought up to date
}

BOOST_AUTO_TEST_CASE(nested_paging_never_traps) {
  World w(Mode::Nested, Policy::Static);
  w.vmm->demand_fault(kHeap + 0x200000, PageSize::k4K, {});
  w.vmm->remap(kHeap);
  w.vmm->context_switch();
  BOOST_TEST(w.vmm->stats().guest_pt_writes == 3u);
  BOOST_TEST(w.vmm->stats().traps_total() == 0u);
  BOOST_TEST(w.vmm->stats().guest_os_cycles == 2 * vmm::VmmCosts{}.guest_fault);
}

BOOST_AUTO_TEST_CASE(agile_traps_only_in_shadowed_regions) {
  World w(Mode::Agile, Policy::Static);
  w.as.guest_map(0x400000, PageSize::k4K, {});  // "code", stays shadow-style
  w.as.build_all();
  w.as.make_range_nested(kHeap, 2u << 20);  // heap's leaf table read nested (level 3)
  w.vmm->remap(kHeap);                      // writes the heap PTE: guest memory, no trap
  w.vmm->demand_fault(kHeap + 0x5000, PageSize::k4K, {});
  BOOST_TEST(w.vmm->stats().guest_pt_writes == 2u);
  BOOST_TEST(w.vmm->stats().traps_total() == 0u);
  w.vmm->remap(0x400000);  // code PTE: write-protected, traps
  BOOST_TEST(w.traps(TrapKind::PtWrite) == 1u);
  BOOST_TEST(w.traps(TrapKind::ShadowFault) == 1u);
  // The write to the nested region set the dirty bit of the nested PTE mapping that table page.
  const uint64_t node = w.as.guest_table().node_of(kHeap, 4);
  unsigned nl;
  uint64_t e;
  BOOST_REQUIRE(w.as.nested_table().lookup(node, nl, e));
  BOOST_TEST((e & pt::pte::D) != 0u);
}

BOOST_AUTO_TEST_CASE(dynamic_policy_moves_remapped_table_to_nested_and_back) {
  vmm::DynamicPolicy dyn;
  dyn.interval = 1000, dyn.threshold = 2, dyn.window = 2;
  World w(Mode::Agile, Policy::Dynamic, dyn);
  BOOST_TEST(w.walk(Mode::Agile, kHeap).nreads() == 4u);  // claim 12: starts all shadow
  w.vmm->remap(kHeap);                                    // first change of an existing PTE: trapped, counted
  BOOST_TEST(w.vmm->stats().to_nested[3] == 0u);
  w.vmm->remap(kHeap);  // second within the interval: the leaf table's parent goes nested
  BOOST_TEST(w.vmm->stats().to_nested[3] == 1u);
  BOOST_TEST(w.traps(TrapKind::PtWrite) == 2u);
  BOOST_TEST(w.walk(Mode::Agile, kHeap).nreads() == 12u);
  BOOST_TEST(w.walk(Mode::Agile, kHeap).switch_level == 3);
  w.vmm->remap(kHeap);  // now a plain guest memory write
  BOOST_TEST(w.traps(TrapKind::PtWrite) == 2u);
  // Interval 1 sees the dirty bit: stays nested. Intervals 2 and 3 are idle: back to shadow.
  w.vmm->tick(1000);
  BOOST_TEST(w.vmm->stats().to_shadow[3] == 0u);
  w.vmm->tick(2000);
  BOOST_TEST(w.vmm->stats().to_shadow[3] == 0u);
  w.vmm->tick(3000);
  BOOST_TEST(w.vmm->stats().to_shadow[3] == 1u);
  BOOST_TEST(w.vmm->stats().intervals == 3u);
  const auto r = w.walk(Mode::Agile, kHeap);
  BOOST_TEST(r.nreads() == 4u);
  uint64_t hpa;
  pt::Perms p;
  PageSize s;
  BOOST_REQUIRE(w.as.translate(kHeap, hpa, p, s));
  BOOST_TEST(r.tr.hpa == hpa);
  // Each switch asked the MMU to drop its walk caches.
  unsigned wc = 0;
  for (const auto& i : w.invs) wc += i.kind == vmm::Invalidation::WalkCaches;
  BOOST_TEST(wc == 2u);
}

// The ISCA 2016 policy counts every trapped write to a page-table page, new entries too; the
// patent's FIG. 9 counts only changes to existing translations. Demand paging of fresh pages in
// one leaf table therefore moves it nested under isca and not under dynamic.
BOOST_AUTO_TEST_CASE(isca_policy_counts_new_entries_and_dynamic_does_not) {
  vmm::DynamicPolicy dyn;
  dyn.interval = 1000;
  dyn.threshold = 3;
  dyn.window = 2;
  for (Policy p : {Policy::Dynamic, Policy::Isca}) {
    World w(Mode::Agile, p, dyn);
    for (uint64_t i = 1; i <= 3; ++i) w.vmm->demand_fault(kHeap + i * 0x1000, PageSize::k4K, {});
    BOOST_TEST(w.traps(TrapKind::PtWrite) == 3u, vmm::to_string(p));  // each new leaf entry trapped
    BOOST_TEST(w.vmm->stats().to_nested[3] == (p == Policy::Isca ? 1u : 0u), vmm::to_string(p));
    BOOST_TEST(w.walk(Mode::Agile, kHeap + 0x2000).nreads() == (p == Policy::Isca ? 12u : 4u), vmm::to_string(p));
    // The revert is the same FIG. 10 scan: two idle intervals and the table is shadow-style again.
    w.vmm->tick(1000);
    w.vmm->tick(2000);
    w.vmm->tick(3000);
    BOOST_TEST(w.vmm->stats().to_shadow[3] == (p == Policy::Isca ? 1u : 0u), vmm::to_string(p));
    BOOST_TEST(w.walk(Mode::Agile, kHeap + 0x2000).nreads() == 4u, vmm::to_string(p));
  }
}

BOOST_AUTO_TEST_CASE(dynamic_policy_keeps_busy_regions_nested) {
  vmm::DynamicPolicy dyn;
  dyn.interval = 1000, dyn.threshold = 2, dyn.window = 1;
  World w(Mode::Agile, Policy::Dynamic, dyn);
  w.vmm->remap(kHeap);
  w.vmm->remap(kHeap);
  BOOST_TEST(w.vmm->stats().to_nested[3] == 1u);
  for (uint64_t t = 1000; t <= 5000; t += 1000) {
    w.vmm->remap(kHeap);  // written every interval
    w.vmm->tick(t);
  }
  BOOST_TEST(w.vmm->stats().to_shadow[3] == 0u);
  BOOST_TEST(w.walk(Mode::Agile, kHeap).nreads() == 12u);
}

// A region written once per some period longer than the window would pay two switches and the
// re-nesting writes every period: each return of the same entry doubles its window, up to
// `backoff` doublings.
BOOST_AUTO_TEST_CASE(revert_window_doubles_each_time_an_entry_comes_back) {
  for (unsigned backoff : {0u, 2u}) {
    vmm::DynamicPolicy dyn;
    dyn.interval = 1000, dyn.threshold = 2, dyn.window = 1, dyn.backoff = backoff;
    World w(Mode::Agile, Policy::Dynamic, dyn);
    uint64_t now = 0;
    for (unsigned round = 0; round < 4; ++round) {
      w.vmm->remap(kHeap);
      w.vmm->remap(kHeap);  // two changes in one interval: nested-style again
      BOOST_TEST(w.vmm->stats().to_nested[3] == round + 1);
      w.vmm->remap(kHeap);       // a write to the nested-style table: its dirty bit
      w.vmm->tick(now += 1000);  // the scan sees it: stays nested
      unsigned idle = 0;
      while (w.vmm->stats().to_shadow[3] == round && idle < 100) {
        w.vmm->tick(now += 1000);
        ++idle;
      }
      BOOST_TEST(idle == 1u << std::min(round, backoff), "backoff " << backoff << " round " << round << ": " << idle);
      BOOST_TEST(w.walk(Mode::Agile, kHeap).nreads() == 4u);
    }
  }
}

BOOST_AUTO_TEST_CASE(host_migration_nested_leaf_policy) {
  vmm::DynamicPolicy dyn;
  dyn.interval = 1000, dyn.threshold = 2, dyn.window = 1;
  World w(Mode::Agile, Policy::Dynamic, dyn);
  const uint64_t before = w.walk(Mode::Agile, kHeap).tr.hpa;
  w.vmm->host_migrate(kHeap);
  const uint64_t moved = w.walk(Mode::Agile, kHeap).tr.hpa;  // shadow-style entry rewritten
  BOOST_TEST(moved != before);
  BOOST_TEST(w.vmm->stats().switch_cycles == vmm::VmmCosts{}.shadow_resync);
  w.vmm->host_migrate(kHeap);  // claim 11: the host keeps moving it -> leaf entry nested-style
  BOOST_TEST(w.vmm->stats().to_nested[4] == 1u);
  BOOST_TEST(w.traps(TrapKind::NestedChange) == 2u);
  const auto r = w.walk(Mode::Agile, kHeap);
  BOOST_TEST(r.nreads() == 8u);
  BOOST_TEST(r.tr.hpa != moved);
  BOOST_TEST(w.walk(Mode::Shadow, kHeap).tr.hpa == r.tr.hpa);
  w.vmm->tick(1000);  // the first scan sees this interval's moves: stays nested
  BOOST_TEST(w.vmm->stats().to_shadow[4] == 0u);
  w.vmm->tick(2000);  // idle for one interval (window 1): back to shadow
  BOOST_TEST(w.vmm->stats().to_shadow[4] == 1u);
  BOOST_TEST(w.walk(Mode::Agile, kHeap).nreads() == 4u);
}

BOOST_AUTO_TEST_CASE(context_switch_root_change) {
  World s(Mode::Shadow, Policy::Static);
  s.vmm->context_switch();
  BOOST_TEST(s.traps(TrapKind::RootChange) == 1u);
  World c(Mode::Shadow, Policy::Static, {}, true);
  c.vmm->context_switch();
  BOOST_TEST(c.traps(TrapKind::RootChange) == 0u);
  BOOST_TEST(c.vmm->stats().root_cache_hits == 1u);
  World n(Mode::Nested, Policy::Static);
  n.vmm->context_switch();
  BOOST_TEST(n.vmm->stats().traps_total() == 0u);
}

BOOST_AUTO_TEST_CASE(tables_stay_coherent_under_random_events) {
  std::mt19937_64 rng(99);
  vmm::DynamicPolicy dyn;
  dyn.interval = 50, dyn.threshold = 2, dyn.window = 2;
  pt::Format rv;
  rv.isa = pt::Isa::RiscV, rv.selector_bit = pt::kRvSelectorBit;
  for (const pt::Format& fmt : {pt::Format{}, rv}) {
    for (Mode mode : {Mode::Shadow, Mode::Agile, Mode::Nested}) {
      BOOST_TEST_MESSAGE(pt::to_string(fmt.isa) << " " << pt::to_string(mode));
      World w(mode, Policy::Dynamic, dyn, false, fmt);
      std::vector<uint64_t> pool;
      for (int i = 0; i < 64; ++i) pool.push_back(kHeap + (rng() % 2048) * 0x1000 + (i % 4) * 0x40000000ull);
      uint64_t now = 0;
      for (int step = 0; step < 400; ++step) {
        const uint64_t va = pool[rng() % pool.size()];
        uint64_t gpa;
        pt::Perms p;
        PageSize s;
        const bool mapped = w.as.guest_translate(va, gpa, p, s);
        switch (rng() % 6) {
          case 0:
          case 1:
            if (!mapped) w.vmm->demand_fault(va, PageSize::k4K, {});
            break;
          case 2:
            w.vmm->unmap(va);
            break;
          case 3:
            w.vmm->remap(va);
            break;
          case 4:
            w.vmm->host_migrate(va);
            break;
          case 5:
            now += 10 + rng() % 40;
            w.vmm->tick(now);
            break;
        }
        // Every pool address: all modes agree with the mapping records, or all fault.
        for (uint64_t q : pool) {
          uint64_t hpa;
          const bool m = w.as.translate(q, hpa, p, s);
          for (Mode wm : {Mode::Native, Mode::Shadow, Mode::Nested, Mode::Agile}) {
            const auto r = w.walk(wm, q + 8);
            BOOST_TEST_CONTEXT(pt::to_string(fmt.isa)
                               << " " << pt::to_string(mode) << " step " << step << " walk " << pt::to_string(wm)) {
              BOOST_TEST_REQUIRE(r.ok == m);
              if (m) BOOST_TEST_REQUIRE(r.tr.hpa == hpa + 8);
            }
          }
        }
      }
      if (mode == Mode::Agile) {
        BOOST_TEST(w.vmm->stats().to_nested[3] + w.vmm->stats().to_nested[4] > 0u);
        BOOST_TEST(w.vmm->stats().to_shadow[3] + w.vmm->stats().to_shadow[4] > 0u);
      }
      if (mode == Mode::Nested) BOOST_TEST(w.vmm->stats().traps_total() == w.traps(TrapKind::NestedChange));
    }
  }
}

// A program's own memory-map calls (trace events): mprotect rewrites the leaf, mremap moves it
// (same gPA), exit takes the whole address space; each guest write traps under shadow paging and
// the shadow and compound tables follow.
BOOST_AUTO_TEST_CASE(protect_move_and_exit_rewrite_the_guest_table) {
  for (Mode m : {Mode::Shadow, Mode::Agile, Mode::Nested}) {
    World w(m, Policy::Static);
    const bool traps = m != Mode::Nested;
    const uint64_t pt0 = w.traps(TrapKind::PtWrite), writes0 = w.vmm->stats().guest_pt_writes;
    pt::Perms ro;
    ro.write = false;
    BOOST_TEST(w.vmm->protect(kHeap, ro));
    BOOST_TEST(!w.vmm->protect(kHeap, ro));  // nothing changes: no write
    BOOST_TEST(w.vmm->stats().protects == 1u);
    BOOST_TEST(w.vmm->stats().guest_pt_writes == writes0 + 1);
    BOOST_TEST(w.traps(TrapKind::PtWrite) == pt0 + (traps ? 1u : 0u));
    const Mode walk_mode = m;
    auto r = w.walk(walk_mode, kHeap);
    BOOST_REQUIRE(r.ok);
    BOOST_TEST(!r.tr.perms.write);  // the hardware's table says read-only now
    uint64_t gpa0, gpa1;
    pt::Perms p;
    PageSize s;
    BOOST_REQUIRE(w.as.guest_translate(kHeap, gpa0, p, s));
    BOOST_TEST(w.vmm->move(kHeap, kHeap + 0x400000));  // a new leaf table too: PD entry + 2 PTEs
    BOOST_TEST(!w.as.guest_translate(kHeap, gpa1, p, s));
    BOOST_REQUIRE(w.as.guest_translate(kHeap + 0x400000, gpa1, p, s));
    BOOST_TEST(gpa1 == gpa0);  // the page keeps its frame
    BOOST_TEST(!p.write);      // and its protection
    BOOST_TEST(!w.walk(walk_mode, kHeap).ok);
    BOOST_TEST(w.walk(walk_mode, kHeap + 0x400000).ok);
    BOOST_TEST(w.vmm->stats().moves == 1u);
    BOOST_TEST(w.traps(TrapKind::PtWrite) == pt0 + (traps ? 4u : 0u));
    w.invs.clear();
    w.vmm->exit_process();
    BOOST_TEST(w.as.guest_mappings().empty());
    BOOST_TEST(!w.walk(walk_mode, kHeap + 0x400000).ok);
    BOOST_TEST(w.vmm->stats().exits == 1u);
    BOOST_TEST(w.traps(TrapKind::PtWrite) == pt0 + (traps ? 5u : 0u));  // one top-level entry cleared
    BOOST_TEST((!w.invs.empty() && w.invs.back().kind == vmm::Invalidation::All));
    w.vmm->demand_fault(kHeap, PageSize::k4K, {});  // the next image faults its pages back in
    BOOST_TEST(w.walk(walk_mode, kHeap).ok);
  }
}

// Page-table pages come from the top of host memory (alloc_high), data frames from the bottom:
// a data page gets the same host frame however many shadow or compound pages a mode builds, so
// the modes' data caches and DRAM rows see the same addresses and only translation differs.
BOOST_AUTO_TEST_CASE(table_pages_do_not_move_data_frames) {
  vmm::FrameAllocator plain("plain", 1ull << 32, 64ull << 20), mixed("mixed", 1ull << 32, 64ull << 20);
  std::vector<uint64_t> tables;
  for (int i = 0; i < 200; ++i) {
    if (i % 3 == 0) tables.push_back(mixed.alloc_high());
    if (i % 7 == 0 && !tables.empty()) mixed.free(tables.back()), tables.pop_back();
    const PageSize sz = i % 50 == 0 ? PageSize::k2M : PageSize::k4K;
    BOOST_TEST(plain.alloc(sz) == mixed.alloc(sz));
    if (i % 11 == 0) {  // a freed data frame is reused for data, a freed table page for tables
      const uint64_t d = plain.alloc();
      BOOST_TEST(mixed.alloc() == d);
      plain.free(d), mixed.free(d);
    }
  }
  const uint64_t t = mixed.alloc_high();
  BOOST_TEST(t >= (1ull << 32) + (60ull << 20));  // from the top
  mixed.free(t);
  BOOST_TEST(mixed.alloc_high() == t);
  World w(Mode::Agile, Policy::Static);  // every table's root lies above the data
  uint64_t hpa;
  pt::Perms perms;
  PageSize size;
  BOOST_REQUIRE(w.as.translate(kHeap, hpa, perms, size));
  const auto r = w.as.roots();
  BOOST_TEST(r.nroot > hpa);
  BOOST_TEST(r.sroot > hpa);
}

// The Vmm checks its costs and policy settings: each rule of VmmCosts::validate() and
// DynamicPolicy::validate() makes the constructor throw InvalidConfig naming the field (an
// interval of 0 made tick() loop for ever; a cost of 2^63 cycles wrapped the totals).
namespace {
void vmm_rejects(const vmm::VmmCosts& costs, const vmm::DynamicPolicy& dyn, const std::string& field,
                 const std::string& rule, Policy policy = Policy::Dynamic) {
  pt::PhysMem mem;
  vmm::AddressSpace as{mem, pt::Format{}};
  try {
    vmm::Vmm v(as, Mode::Agile, policy, costs, dyn);
    BOOST_ERROR("the Vmm accepted a bad " + field);
  } catch (const InvalidConfig& e) {
    BOOST_TEST(e.issue().field == field);
    BOOST_TEST(std::string(e.what()).find(rule) != std::string::npos, e.what());
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(vmm_rejects_a_zero_interval) {
  vmm::DynamicPolicy d;
  d.interval = 0;
  vmm_rejects({}, d, "interval", "value 0 out of range [1, ");
}
BOOST_AUTO_TEST_CASE(vmm_rejects_a_zero_threshold) {
  vmm::DynamicPolicy d;
  d.threshold = 0;
  vmm_rejects({}, d, "threshold", "value 0 out of range [1, 1048576]");
}
BOOST_AUTO_TEST_CASE(vmm_rejects_a_huge_window) {
  vmm::DynamicPolicy d;
  d.window = (1u << 20) + 1;
  vmm_rejects({}, d, "window", "out of range [1, 1048576]");
}
BOOST_AUTO_TEST_CASE(vmm_rejects_a_backoff_beyond_20_doublings) {
  vmm::DynamicPolicy d;
  d.backoff = 21;
  vmm_rejects({}, d, "backoff", "value 21 out of range [0, 20]");
}
BOOST_AUTO_TEST_CASE(vmm_rejects_a_cost_beyond_2_to_the_32) {
  vmm::VmmCosts c;
  c.switch_to_shadow = 1ull << 40;
  vmm_rejects(c, {}, "switch_to_shadow", "out of range [0, 4294967296]");
  vmm::VmmCosts t;
  t.pt_write_trap = ~0ull;
  vmm_rejects(t, {}, "pt_write_trap", "out of range [0, 4294967296]");
}
// Page-table frames are scattered over every page colour (issue 26: sysbench ran 3% faster
// agile than native with the same walks). Four tables grown together, as the VMM grows the
// nested, shadow and compound tables beside the guest's: each table's 512 leaves must spread
// over the 16 colours of a 1 MiB 16-way L2 (64 sets of 64 B lines per 4 KiB page) and over the
// 512 colours of a 2 MiB-per-way cache. Handed out in address order, each table got one colour in
// four of the L2's and one in four of the LLC's.
BOOST_AUTO_TEST_CASE(table_pages_spread_over_cache_colours) {
  vmm::FrameAllocator a("host", 1ull << 32, 64ull << 30);
  constexpr unsigned kTables = 4, kLeaves = 512;
  std::vector<std::vector<uint64_t>> tables(kTables);
  for (unsigned i = 0; i < kLeaves; ++i)
    for (auto& t : tables) t.push_back(a.alloc_high());
  for (const auto& t : tables) {
    std::vector<unsigned> l2(16), big(512);
    for (uint64_t f : t) ++l2[(f >> 12) % 16], ++big[(f >> 12) % 512];
    // 32 leaves per L2 colour on average: none may be empty or hold more than twice that.
    BOOST_TEST(*std::min_element(l2.begin(), l2.end()) > 0u);
    BOOST_TEST(*std::max_element(l2.begin(), l2.end()) <= 64u);
    // One per 2 MiB colour on average: most colours taken, as at random (1 - 1/e = 63%).
    BOOST_TEST(std::count(big.begin(), big.end(), 0u) < 256);
  }
  std::set<uint64_t> all;
  for (const auto& t : tables) all.insert(t.begin(), t.end());
  BOOST_TEST(all.size() == size_t(kTables) * kLeaves);                          // no frame handed out twice
  BOOST_TEST(*all.begin() >= (1ull << 32) + (64ull << 30) - 8 * (2ull << 20));  // from the top
}

BOOST_AUTO_TEST_CASE(vmm_rejects_an_unknown_policy) {
  vmm_rejects({}, {}, "policy", "static, dynamic or isca", static_cast<Policy>(9));
}

// Memory running short (issue 23). A guest whose free memory is fragmented into 2 MiB blocks maps
// and remaps a 1 GiB page with 2 MiB pages instead, as Linux falls back from a huge page; with no
// 4 KiB frame left the allocators throw MemoryExhausted naming the memory (before: a bare
// runtime_error that ended a run as an uncaught exception).
namespace {
// Takes every free 1 GiB guest frame and gives each back as 512 frames of 2 MiB.
void fragment_1g(vmm::AddressSpace& as) {
  std::vector<uint64_t> taken;
  while (const auto f = as.guest_frames().try_alloc(PageSize::k1G)) taken.push_back(*f);
  BOOST_TEST_REQUIRE(!taken.empty());
  for (uint64_t f : taken)
    for (uint64_t off = 0; off < (1ull << 30); off += 2ull << 20) as.guest_frames().free(f + off, PageSize::k2M);
}
constexpr uint64_t kBig = 0x8000000000;  // a 1 GiB-aligned gVA
}  // namespace

BOOST_AUTO_TEST_CASE(huge_page_falls_back_to_smaller_pages) {
  pt::PhysMem mem;
  vmm::Layout l;
  l.host_page = PageSize::k2M;
  vmm::AddressSpace as(mem, pt::Format{}, l);
  fragment_1g(as);
  as.guest_map(kBig, PageSize::k1G, {}, true);
  BOOST_TEST(as.huge_fallbacks() == 1u);
  uint64_t gpa;
  pt::Perms p;
  PageSize s;
  for (uint64_t off : {0ull, 0x12345678ull, (1ull << 30) - 8}) {
    BOOST_TEST_REQUIRE(as.guest_translate(kBig + off, gpa, p, s));
    BOOST_TEST((s == PageSize::k2M));
  }
  as.build_all();
  pt::WalkRequest r;
  r.va = kBig + 0x12345678;
  r.mode = Mode::Shadow;
  const auto w = pt::walk(mem, as.format(), as.roots(), r);
  BOOST_TEST(w.ok);
  BOOST_TEST((w.tr.size == PageSize::k2M));
}

BOOST_AUTO_TEST_CASE(huge_page_remap_splits_when_no_frame_of_its_size_is_free) {
  pt::PhysMem mem;
  vmm::Layout l;
  l.host_page = PageSize::k2M;
  vmm::AddressSpace as(mem, pt::Format{}, l);
  as.guest_map(kBig, PageSize::k1G, {}, true);
  BOOST_TEST(as.huge_fallbacks() == 0u);
  as.build_all();
  uint64_t hpa;
  pt::Perms p;
  PageSize s;
  BOOST_TEST_REQUIRE(as.translate(kBig + 0x3000008, hpa, p, s));
  mem.write64(hpa, 0x1234abcd);  // contents the remap must carry over
  fragment_1g(as);
  as.guest_remap(kBig + 0x3000008);
  BOOST_TEST(as.huge_fallbacks() == 1u);
  as.build_all();
  BOOST_TEST_REQUIRE(as.translate(kBig + 0x3000008, hpa, p, s));
  BOOST_TEST((s == PageSize::k2M));
  BOOST_TEST(mem.read64(hpa) == 0x1234abcdu);
  BOOST_TEST(as.guest_mappings().size() == 512u);
}

BOOST_AUTO_TEST_CASE(exhausted_memory_is_named) {
  for (const bool guest : {true, false}) {
    pt::PhysMem mem;
    vmm::Layout l;
    (guest ? l.guest_size : l.host_size) = 1ull << 20;  // 256 frames
    vmm::AddressSpace as(mem, pt::Format{}, l);
    try {
      for (uint64_t va = kHeap;; va += 4096) as.guest_map(va, PageSize::k4K, {});
    } catch (const vmm::MemoryExhausted& e) {
      BOOST_TEST(e.memory() == (guest ? vmm::kGuestPhysical : vmm::kHostPhysical));
      BOOST_TEST((e.size() == PageSize::k4K));
      BOOST_TEST(std::string(e.what()).find("(1 MiB in all)") != std::string::npos);
    }
    BOOST_TEST(as.huge_fallbacks() == 0u);
  }
}

// A RISC-V G-stage root (Sv48x4) is 16 KiB, naturally aligned, with 2048 entries: gPAs up to 2^50.
// The nested table the VMM builds uses all of it, and gives the four frames back when released.
BOOST_AUTO_TEST_CASE(riscv_g_stage_root_is_16k_with_2048_entries) {
  pt::PhysMem mem;
  pt::Format fmt;
  fmt.isa = pt::Isa::RiscV, fmt.selector_bit = pt::kRvSelectorBit;
  vmm::Layout layout;
  vmm::Vm vm(mem, fmt, layout);
  const uint64_t root = vm.nested_table().root();
  BOOST_TEST(root % 16384 == 0u);
  BOOST_TEST(vm.host_frames().used_bytes() == 16384u);
  // Index 1536 of the root: beyond what a 4 KiB (512-entry) root could hold.
  const uint64_t gpa = 1536ull << 39, hpa = layout.host_base;
  BOOST_TEST(gpa >> fmt.gpa_bits() == 0u);
  vm.nested_map(gpa, hpa, PageSize::k4K, {});
  BOOST_TEST(fmt.present(mem.read64(root + 8 * 1536)));
  BOOST_TEST(mem.read64(root + 8 * (1536 % 512)) == 0u);  // not wrapped into the first 4 KiB
  // The one walk implementation agrees: a native-mode walk of an hVA = the G-stage alone is not a
  // mode, so look the leaf up through the table and through pt::walk's nested index.
  unsigned level = 0;
  uint64_t e = 0;
  BOOST_TEST(vm.nested_table().lookup(gpa, level, e));
  BOOST_TEST(level == 4u);
  BOOST_TEST(fmt.target(e) == hpa);
  BOOST_TEST(fmt.nested_index(gpa, 1) == 1536u);
  const size_t nodes = vm.nested_table().node_count();
  BOOST_TEST(nodes == 4u);  // root + 3 levels below it
  vm.nested_table().release_all();
  BOOST_TEST(vm.host_frames().used_bytes() == 0u);
}

// alloc_high_block: naturally aligned, from the top, outside the shuffled 4 KiB batches.
BOOST_AUTO_TEST_CASE(frame_allocator_high_block_is_aligned) {
  vmm::FrameAllocator a("test", 1ull << 20, 64ull << 20);
  const uint64_t f = a.alloc_high();  // the top batch is taken first
  const uint64_t b = a.alloc_high_block(16384);
  BOOST_TEST(b % 16384 == 0u);
  const uint64_t batch = (1ull << 20) + (64ull << 20) - (2ull << 20);  // the top 2 MiB batch, holding f
  BOOST_TEST(f >= batch);
  BOOST_TEST(b + 16384 == batch);
  BOOST_TEST(a.used_bytes() == 4096u + 16384u);
  BOOST_CHECK_THROW(a.alloc_high_block(12288), std::invalid_argument);
}
