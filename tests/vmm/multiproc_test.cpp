// Several processes in one VM (vmm::Vm + one AddressSpace per process, one Vmm): separate guest,
// shadow and compound tables, context-switch traps, teardown at exit, and host migrations that
// reach every process with a page on the moved host page.
#define BOOST_TEST_MODULE multiproc
#include <boost/test/unit_test.hpp>

#include <agilemmu/vmm/vmm.h>

using namespace agilemmu;
using pt::Mode;
using pt::PageSize;
using vmm::Policy;
using vmm::TrapKind;

namespace {
constexpr uint64_t kHeap = 0x10000000;

// Two processes of one VM, each with the same gVA page mapped (to different gPAs).
struct TwoProcs {
  pt::PhysMem mem;
  pt::Format fmt;
  vmm::Vm vm;
  vmm::AddressSpace a{vm}, b{vm};
  std::unique_ptr<vmm::Vmm> vmm;
  std::vector<vmm::Invalidation> invs;
  explicit TwoProcs(Mode m, bool root_cache = false, vmm::Layout layout = {}) : vm(mem, fmt, layout) {
    for (auto* as : {&a, &b}) {
      as->guest_map(kHeap, PageSize::k4K, {}, true);
      as->guest_map(kHeap + 0x1000, PageSize::k4K, {}, true);
      as->build_all();
    }
    vmm = std::make_unique<vmm::Vmm>(a, m, Policy::Static, vmm::VmmCosts{}, vmm::DynamicPolicy{}, root_cache);
    BOOST_TEST(vmm->add_process(b, 2) == 1u);
    vmm->invalidate = [this](const vmm::Invalidation& i) { invs.push_back(i); };
  }
  pt::WalkResult walk(vmm::AddressSpace& as, Mode m, uint64_t va) {
    pt::WalkRequest r;
    r.va = va, r.mode = m;
    return pt::walk(mem, fmt, as.roots(), r);
  }
  uint64_t hpa_of(vmm::AddressSpace& as, uint64_t va) {
    uint64_t hpa = 0;
    pt::Perms p;
    PageSize s;
    BOOST_REQUIRE(as.translate(va, hpa, p, s));
    return hpa;
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(processes_have_separate_tables) {
  for (Mode m : {Mode::Native, Mode::Nested, Mode::Shadow, Mode::Agile}) {
    TwoProcs w(m);
    BOOST_TEST(w.a.roots().groot != w.b.roots().groot);
    BOOST_TEST(w.a.roots().sroot != w.b.roots().sroot);
    BOOST_TEST(w.a.roots().croot != w.b.roots().croot);
    BOOST_TEST(w.a.roots().nroot == w.b.roots().nroot);  // one nested table per VM
    BOOST_TEST(w.hpa_of(w.a, kHeap) != w.hpa_of(w.b, kHeap));
    // One process's unmap leaves the other's translation of the same gVA alone.
    w.vmm->select(0);
    w.invs.clear();
    BOOST_TEST(w.vmm->unmap(kHeap));
    BOOST_TEST(!w.walk(w.a, m, kHeap).ok);
    BOOST_REQUIRE(!w.invs.empty());  // the MMU drops a's page only: b's TLB entries stay
    BOOST_TEST(w.invs.back().kind == vmm::Invalidation::Page);
    BOOST_TEST(w.invs.back().asid == 1u);
    const auto rb = w.walk(w.b, m, kHeap);
    BOOST_TEST(rb.ok);
    BOOST_TEST(rb.tr.hpa == w.hpa_of(w.b, kHeap));
    // The process that acted is charged, the other is not.
    BOOST_TEST(w.vmm->process_stats(0).unmaps == 1u);
    BOOST_TEST(w.vmm->process_stats(1).unmaps == 0u);
    BOOST_TEST(w.vmm->stats().unmaps == 1u);
  }
}

BOOST_AUTO_TEST_CASE(guest_pt_writes_trap_for_the_process_that_wrote) {
  TwoProcs w(Mode::Shadow);
  w.vmm->select(1);
  w.vmm->demand_fault(kHeap + 0x2000, PageSize::k4K, {});  // one PTE write in b's table
  BOOST_TEST(w.vmm->process_stats(1).traps[size_t(TrapKind::PtWrite)] == 1u);
  BOOST_TEST(w.vmm->process_stats(0).traps[size_t(TrapKind::PtWrite)] == 0u);
  BOOST_TEST(w.walk(w.b, Mode::Shadow, kHeap + 0x2000).ok);   // b's shadow table follows
  BOOST_TEST(!w.walk(w.a, Mode::Shadow, kHeap + 0x2000).ok);  // a's does not have it
}

BOOST_AUTO_TEST_CASE(context_switch_traps_under_a_shadow_root_unless_cached) {
  {
    TwoProcs w(Mode::Shadow);
    w.vmm->switch_to(1);
    w.vmm->switch_to(0);
    BOOST_TEST(w.vmm->stats().context_switches == 2u);
    BOOST_TEST(w.vmm->stats().traps[size_t(TrapKind::RootChange)] == 2u);
    BOOST_TEST(w.vmm->take_cycles() == 2 * vmm::VmmCosts{}.root_change_trap);
    BOOST_TEST(w.vmm->selected() == 0u);
  }
  {
    TwoProcs w(Mode::Shadow, /*root_cache=*/true);
    w.vmm->switch_to(1);
    BOOST_TEST(w.vmm->stats().traps[size_t(TrapKind::RootChange)] == 0u);
    BOOST_TEST(w.vmm->stats().root_cache_hits == 1u);
    BOOST_TEST(w.vmm->take_cycles() == 0u);
  }
  for (Mode m : {Mode::Nested, Mode::Native}) {
    TwoProcs w(m);
    w.vmm->switch_to(1);
    BOOST_TEST(w.vmm->stats().context_switches == 1u);
    BOOST_TEST(w.vmm->stats().traps_total() == 0u);
  }
  {
    TwoProcs w(Mode::Agile);  // b fully nested (croot = its guest root): its root write is free
    w.b.set_compound_nested(0, 0);
    w.vmm->switch_to(1);
    BOOST_TEST(w.vmm->stats().traps[size_t(TrapKind::RootChange)] == 0u);
    w.vmm->switch_to(0);  // a is shadow-style
    BOOST_TEST(w.vmm->stats().traps[size_t(TrapKind::RootChange)] == 1u);
  }
}

BOOST_AUTO_TEST_CASE(end_process_frees_its_frames_and_invalidates_its_asid) {
  for (Mode m : {Mode::Shadow, Mode::Agile, Mode::Nested}) {
    pt::PhysMem mem;
    pt::Format fmt;
    vmm::Vm vm(mem, fmt);
    vmm::AddressSpace a(vm);
    a.guest_map(kHeap, PageSize::k4K, {}, true);
    a.build_all();
    vmm::Vmm v(a, m, Policy::Static);
    std::vector<vmm::Invalidation> invs;
    v.invalidate = [&](const vmm::Invalidation& i) { invs.push_back(i); };
    const uint64_t guest_before = vm.guest_frames().used_bytes(), host_before = vm.host_frames().used_bytes();
    const size_t nested_before = vm.nested_mappings().size(), npt_before = vm.nested_table().node_count();
    const uint64_t a_root = a.roots().sroot;
    {
      vmm::AddressSpace b(vm);
      for (uint64_t off = 0; off < (4u << 20); off += 0x1000) b.guest_map(kHeap + off, PageSize::k4K, {}, true);
      b.build_all();
      const size_t pb = v.add_process(b, 7);
      BOOST_TEST(vm.guest_frames().used_bytes() > guest_before);
      v.end_process(pb);
      BOOST_TEST(v.ended(pb));
      BOOST_TEST(b.torn_down());
      BOOST_TEST(v.stats().exits == 1u);
      // Every guest frame (pages and guest table nodes) is free again...
      BOOST_TEST(vm.guest_frames().used_bytes() == guest_before);
      // ...and every host frame of b's own tables; the hypervisor keeps backing the gPAs b used
      // (nested mappings and the nested-table nodes that hold them).
      const uint64_t kept =
          4096 * ((vm.nested_mappings().size() - nested_before) + (vm.nested_table().node_count() - npt_before));
      BOOST_TEST(vm.host_frames().used_bytes() == host_before + kept);
      BOOST_TEST(v.nested_points() == a.nested_points().size());
    }
    BOOST_TEST(vm.spaces().size() == 1u);  // b detached itself
    // The MMU drops b's ASID, nothing else.
    size_t asid_invs = 0;
    for (const auto& i : invs) {
      BOOST_TEST(i.kind != vmm::Invalidation::All);
      if (i.kind == vmm::Invalidation::Asid) asid_invs += i.asid == 7 ? 1 : 100;
    }
    BOOST_TEST(asid_invs == 1u);
    BOOST_TEST(a.roots().sroot == a_root);  // a untouched
    pt::WalkRequest r;
    r.va = kHeap, r.mode = m;
    BOOST_TEST(pt::walk(mem, fmt, a.roots(), r).ok);
  }
}

BOOST_AUTO_TEST_CASE(host_migrate_updates_every_process_on_the_host_page) {
  // 2 MiB host pages: the gPAs both processes got lie on one host page.
  vmm::Layout layout;
  layout.host_page = PageSize::k2M;
  for (Mode m : {Mode::Shadow, Mode::Agile}) {
    TwoProcs w(m, false, layout);
    uint64_t gpa_a, gpa_b;
    pt::Perms p;
    PageSize s;
    BOOST_REQUIRE(w.a.guest_translate(kHeap, gpa_a, p, s));
    BOOST_REQUIRE(w.b.guest_translate(kHeap, gpa_b, p, s));
    BOOST_REQUIRE((gpa_a >> 21) == (gpa_b >> 21));
    const uint64_t old_b = w.hpa_of(w.b, kHeap);
    BOOST_REQUIRE(w.walk(w.b, m, kHeap).tr.hpa == old_b);
    w.vmm->select(0);
    BOOST_TEST(w.vmm->host_migrate(kHeap));
    const uint64_t new_b = w.hpa_of(w.b, kHeap);
    BOOST_TEST(new_b != old_b);
    // b's shadow-style tables follow, though b did nothing.
    const auto rb = w.walk(w.b, m, kHeap);
    BOOST_TEST(rb.ok);
    BOOST_TEST(rb.tr.hpa == new_b);
    BOOST_TEST(w.walk(w.b, Mode::Shadow, kHeap + 0x1000).tr.hpa == w.hpa_of(w.b, kHeap + 0x1000));
    // Every guest page on the host page is invalidated, a's and b's (both at kHeap and kHeap+4K),
    // each for its own process's ASID only, as INVLPG in that process would.
    size_t pages = 0, by_asid[3] = {};
    for (const auto& i : w.invs)
      if (i.kind == vmm::Invalidation::Page) ++pages, ++by_asid[i.asid < 3 ? i.asid : 0];
    BOOST_TEST(pages == 4u);
    BOOST_TEST(by_asid[1] == 2u);
    BOOST_TEST(by_asid[2] == 2u);
    BOOST_TEST(w.vmm->process_stats(0).host_migrations == 1u);
  }
}

BOOST_AUTO_TEST_CASE(processes_of_different_vms_are_refused) {
  pt::PhysMem mem;
  pt::Format fmt;
  vmm::AddressSpace a(mem, fmt), b(mem, fmt);  // each with a VM of its own
  vmm::Vmm v(a, Mode::Shadow, Policy::Static);
  BOOST_CHECK_THROW(v.add_process(b, 2), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(an_exec_then_new_pages_are_torn_down_at_the_end) {
  TwoProcs w(Mode::Shadow);
  w.vmm->select(1);
  w.vmm->exit_process();  // exec: the old image goes (an exit as far as the tables are concerned)
  BOOST_TEST(w.b.guest_mappings().empty());
  w.vmm->demand_fault(kHeap, PageSize::k4K, {});  // the new image maps a page
  const uint64_t traps = w.vmm->stats().traps[size_t(TrapKind::PtWrite)];
  w.vmm->end_process(1);
  BOOST_TEST(w.vmm->stats().exits == 2u);
  BOOST_TEST(w.vmm->stats().traps[size_t(TrapKind::PtWrite)] > traps);  // the guest cleared its table again
  BOOST_TEST(w.vmm->ended(1));
  w.vmm->end_process(1);  // once only
  BOOST_TEST(w.vmm->stats().exits == 2u);
}
