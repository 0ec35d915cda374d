// The Mmu against TLM parts it was not written with: a memory whose b_transport calls wait(),
// initiators of the other protocol, requests without an MmuExtension, a debugger, a memory that
// revokes DMI; and the translation-coherence checker catching a stale translation. Each case is
// its own process (SystemC cannot restart).
#define BOOST_TEST_MODULE mmu_foreign
#include <boost/test/unit_test.hpp>
#include <systemc>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <agilemmu/mmu/mmu.h>
#include <agilemmu/vmm/address_space.h>
#include <agilemmu/vmm/vmm.h>

#include "sys/stream_cpu.h"
#include "two_region_image.h"

using namespace agilemmu;
using namespace sc_core;
using pt::Mode;
using pt::PageSize;

namespace {

// A memory as third-party models write them: the time passes inside b_transport (wait), with a
// latency that depends on the address, so concurrent walks interleave at every reference.
struct WaitingMemory : sc_module {
  tlm_utils::multi_passthrough_target_socket<WaitingMemory> socket{"socket"};
  pt::PhysMem& mem;
  uint64_t waits = 0;
  WaitingMemory(sc_module_name n, pt::PhysMem& m) : sc_module(n), mem(m) {
    socket.register_b_transport(this, &WaitingMemory::b_transport);
    socket.register_transport_dbg(this, &WaitingMemory::transport_dbg);
  }
  void b_transport(int, tlm::tlm_generic_payload& t, sc_time& d) {
    wait(d + sc_time(double(20 + 7 * ((t.get_address() >> 3) % 11)), SC_NS));
    d = SC_ZERO_TIME;
    ++waits;
    transport_dbg(0, t);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  unsigned transport_dbg(int, tlm::tlm_generic_payload& t) { return sys::serve_from(mem, t); }
};

using Image = testing::TwoRegionImage;

mmu::MmuConfig small_caches(Mode m, mmu::Timing t, unsigned walkers) {
  mmu::MmuConfig c;
  c.mode = m;
  c.timing = t;
  c.walkers = walkers;
  c.check = true;
  c.l1d.geo = {8, 2, 1, mmu::Replacement::LRU};
  c.l2.geo = {16, 4, 2, mmu::Replacement::LRU};
  c.pwc = {8, 2, 1, mmu::Replacement::LRU};
  c.npwc = {8, 2, 1, mmu::Replacement::LRU};
  c.ntlb = {8, 2, 1, mmu::Replacement::LRU};
  return c;
}

// An Mmu with its own image, memory and CPU, named apart so two can share one simulation.
template <class Memory>
struct Rig {
  Image img;
  mmu::Mmu mmu;
  Memory memory;
  sys::StreamCpu cpu;
  Rig(const std::string& name, const mmu::MmuConfig& cfg, bool at_cpu, unsigned outstanding, uint64_t count)
      : mmu((name + "_mmu").c_str(), cfg, img.fmt),
        memory((name + "_memory").c_str(), img.mem),
        cpu((name + "_cpu").c_str(), img.vas, count, at_cpu, outstanding) {
    cpu.socket.bind(mmu.cpu);
    mmu.data.bind(memory.socket);
    mmu.compound_port.bind(memory.socket);
    mmu.nested_port.bind(memory.socket);
    mmu.set_roots(mmu::Context{1, 1, false}, img.as.roots());
  }
};

struct FixedMemory50 : sys::FixedMemory {
  FixedMemory50(sc_module_name n, pt::PhysMem& m) : FixedMemory(n, m, sc_time(50, SC_NS)) {}
};

// N AT walkers against the waiting memory deliver what one LT walker against a polite memory
// delivers: the same translation for every request (equal digests), every one checked.
void at_with_waiting_memory_equals_lt(unsigned walkers, Mode mode) {
  const uint64_t n = 1200;
  Rig<FixedMemory50> lt("lt", small_caches(mode, mmu::Timing::LT, 1), false, 1, n);
  Rig<WaitingMemory> at("at", small_caches(mode, mmu::Timing::AT, walkers), true, 8, n);
  sc_start();
  BOOST_TEST(lt.cpu.completed == n);
  BOOST_TEST(at.cpu.completed == n);
  BOOST_TEST(at.cpu.faults == 0u);
  BOOST_TEST(at.mmu.stats().walks > 100u);
  BOOST_TEST(at.memory.waits > 1000u);
  BOOST_TEST(at.mmu.stats().checked == n);
  BOOST_TEST(at.mmu.stats().translation_digest == lt.mmu.stats().translation_digest);
}

}  // namespace

BOOST_AUTO_TEST_CASE(one_at_walker_with_a_waiting_memory_translates_like_lt) {
  at_with_waiting_memory_equals_lt(1, Mode::Nested);
}
BOOST_AUTO_TEST_CASE(two_at_walkers_with_a_waiting_memory_translate_like_lt) {
  at_with_waiting_memory_equals_lt(2, Mode::Agile);
}
BOOST_AUTO_TEST_CASE(four_at_walkers_with_a_waiting_memory_translate_like_lt) {
  at_with_waiting_memory_equals_lt(4, Mode::Nested);
}

BOOST_AUTO_TEST_CASE(an_lt_mmu_serves_an_at_initiator) {
  Rig<FixedMemory50> r("r", small_caches(Mode::Nested, mmu::Timing::LT, 2), /*at_cpu=*/true, 4, 300);
  sc_start(1, SC_MS);  // a hang would stop here with requests outstanding
  BOOST_TEST(r.cpu.completed == 300u);
  BOOST_TEST(r.mmu.stats().checked == 300u);
}

BOOST_AUTO_TEST_CASE(an_at_mmu_serves_a_b_transport_initiator) {
  Rig<WaitingMemory> r("r", small_caches(Mode::Agile, mmu::Timing::AT, 2), /*at_cpu=*/false, 1, 300);
  sc_start(1, SC_MS);
  BOOST_TEST(r.cpu.completed == 300u);
  BOOST_TEST(r.cpu.faults == 0u);
  BOOST_TEST(r.mmu.stats().checked == 300u);
}

namespace {
// An initiator that knows nothing of MmuExtension: plain reads, and a debugger read.
struct PlainCpu : sc_module {
  tlm_utils::simple_initiator_socket<PlainCpu> socket{"socket"};
  std::vector<std::pair<uint64_t, uint64_t>> got;  // (va, data read)
  std::vector<uint64_t> vas;
  uint64_t dbg_value = 0;
  unsigned dbg_bytes = 0;
  tlm::tlm_response_status last = tlm::TLM_INCOMPLETE_RESPONSE;
  SC_HAS_PROCESS(PlainCpu);
  explicit PlainCpu(sc_module_name n) : sc_module(n) { SC_THREAD(run); }
  void run() {
    for (uint64_t va : vas) {
      uint64_t v = 0;
      tlm::tlm_generic_payload t;
      t.set_command(tlm::TLM_READ_COMMAND);
      t.set_address(va);
      t.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
      t.set_data_length(8);
      t.set_streaming_width(8);
      sc_time d = SC_ZERO_TIME;
      socket->b_transport(t, d);
      last = t.get_response_status();
      got.push_back({va, v});
    }
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_address(vas.front());
    t.set_data_ptr(reinterpret_cast<unsigned char*>(&dbg_value));
    t.set_data_length(8);
    t.set_streaming_width(8);
    dbg_bytes = socket->transport_dbg(t);
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(requests_without_the_extension_use_the_default_context) {
  Image img;
  mmu::MmuConfig cfg = small_caches(Mode::Agile, mmu::Timing::LT, 1);
  cfg.default_context = {7, 3, false, true};
  mmu::Mmu mmu("mmu", cfg, img.fmt);
  sys::FixedMemory memory("memory", img.mem, sc_time(10, SC_NS));
  PlainCpu cpu("cpu");
  cpu.vas = {img.vas[0], img.vas[1], img.vas[2]};
  cpu.socket.bind(mmu.cpu);
  mmu.data.bind(memory.socket);
  mmu.compound_port.bind(memory.socket);
  mmu.nested_port.bind(memory.socket);
  mmu.set_roots(mmu::Context{7, 3, false}, img.as.roots());  // only the default context has roots
  for (uint64_t va : cpu.vas) {                              // a marker in each page, read back through the MMU
    uint64_t hpa;
    pt::Perms p;
    PageSize s;
    BOOST_REQUIRE(img.as.translate(va, hpa, p, s));
    img.mem.write64(hpa, va ^ 0x5a5a);
  }
  sc_start();
  BOOST_TEST(cpu.last == tlm::TLM_OK_RESPONSE);
  BOOST_REQUIRE_EQUAL(cpu.got.size(), 3u);
  for (const auto& [va, v] : cpu.got) BOOST_TEST(v == (va ^ 0x5a5a));
  // The debugger's read translates without touching the TLBs or the statistics.
  BOOST_TEST(cpu.dbg_bytes == 8u);
  BOOST_TEST(cpu.dbg_value == (cpu.vas.front() ^ 0x5a5a));
  BOOST_TEST(mmu.stats().requests == 3u);
}

BOOST_AUTO_TEST_CASE(a_context_hook_maps_side_band_data) {
  Image img;
  mmu::MmuConfig cfg = small_caches(Mode::Nested, mmu::Timing::LT, 1);
  mmu::Mmu mmu("mmu", cfg, img.fmt);
  sys::FixedMemory memory("memory", img.mem, sc_time(10, SC_NS));
  PlainCpu cpu("cpu");
  cpu.vas = {img.vas[0]};
  cpu.socket.bind(mmu.cpu);
  mmu.data.bind(memory.socket);
  mmu.compound_port.bind(memory.socket);
  mmu.nested_port.bind(memory.socket);
  mmu.set_roots(mmu::Context{42, 9, false}, img.as.roots());
  unsigned calls = 0;
  mmu.context_hook = [&](const tlm::tlm_generic_payload&, mmu::MmuExtension& x) { x.asid = 42, x.vmid = 9, ++calls; };
  sc_start();
  BOOST_TEST(cpu.last == tlm::TLM_OK_RESPONSE);
  BOOST_TEST(calls == 2u);  // the request and the debugger's read
}

namespace {
// Grants DMI to the frame it serves, and can take it back.
struct DmiMemory : sc_module {
  tlm_utils::multi_passthrough_target_socket<DmiMemory> socket{"socket"};
  pt::PhysMem& mem;
  uint64_t transports = 0;
  DmiMemory(sc_module_name n, pt::PhysMem& m) : sc_module(n), mem(m) {
    socket.register_b_transport(this, &DmiMemory::b_transport);
    socket.register_get_direct_mem_ptr(this, &DmiMemory::dmi);
    socket.register_transport_dbg(this, &DmiMemory::transport_dbg);
  }
  unsigned transport_dbg(int, tlm::tlm_generic_payload& t) { return sys::serve_from(mem, t); }
  void b_transport(int, tlm::tlm_generic_payload& t, sc_time& d) {
    ++transports;
    sys::serve_from(mem, t);
    d += sc_time(10, SC_NS);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
    t.set_dmi_allowed(true);
  }
  bool dmi(int, tlm::tlm_generic_payload& t, tlm::tlm_dmi& d) {
    const uint64_t pfn = t.get_address() >> 12;
    d.set_dmi_ptr(mem.frame(pfn).data());
    d.set_start_address(pfn << 12);
    d.set_end_address((pfn << 12) + 4095);
    d.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
    return true;
  }
  void revoke_all() {
    for (unsigned i = 0; i < socket.size(); ++i) socket[i]->invalidate_direct_mem_ptr(0, ~sc_dt::uint64(0));
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(a_revoked_dmi_pointer_is_not_used_again) {
  Image img;
  mmu::MmuConfig cfg = small_caches(Mode::Agile, mmu::Timing::LT, 1);
  mmu::Mmu mmu("mmu", cfg, img.fmt);
  DmiMemory memory("memory", img.mem);
  std::vector<uint64_t> same(1, img.vas[0]);
  sys::StreamCpu cpu("cpu", same, 20, false, 1);
  cpu.on_issue = [&](uint64_t i) {
    if (i == 10) memory.revoke_all();
  };
  cpu.socket.bind(mmu.cpu);
  mmu.data.bind(memory.socket);
  mmu.compound_port.bind(memory.socket);
  mmu.nested_port.bind(memory.socket);
  mmu.set_roots(mmu::Context{1, 1, false}, img.as.roots());
  sc_start();
  BOOST_TEST(cpu.completed == 20u);
  BOOST_TEST(mmu.stats().dmi_invalidations >= 1u);
  // 1 data transport then DMI for 9; revoked: 1 transport (taking DMI again) then DMI for 9.
  BOOST_TEST(mmu.stats().dmi_accesses == 18u);
}

BOOST_AUTO_TEST_CASE(dmi_through_the_mmu_is_refused) {
  Image img;
  mmu::Mmu mmu("mmu", small_caches(Mode::Agile, mmu::Timing::LT, 1), img.fmt);
  struct Initiator : sc_module {
    tlm_utils::simple_initiator_socket<Initiator> socket{"socket"};
    explicit Initiator(sc_module_name n) : sc_module(n) {}
  } asker("asker");
  auto& dummy = asker.socket;
  tlm::tlm_generic_payload t;
  t.set_address(img.vas[0]);
  tlm::tlm_dmi d;
  sys::FixedMemory memory("memory", img.mem, sc_time(10, SC_NS));
  dummy.bind(mmu.cpu);
  mmu.data.bind(memory.socket);
  mmu.compound_port.bind(memory.socket);
  mmu.nested_port.bind(memory.socket);
  BOOST_TEST(!dummy->get_direct_mem_ptr(t, d));
  BOOST_TEST(d.get_granted_access() == tlm::tlm_dmi::DMI_ACCESS_NONE);
}

BOOST_AUTO_TEST_CASE(the_checker_stops_a_stale_translation) {
  Image img;
  mmu::MmuConfig cfg = small_caches(Mode::Agile, mmu::Timing::LT, 1);
  mmu::Mmu mmu("mmu", cfg, img.fmt);
  sys::FixedMemory memory("memory", img.mem, sc_time(10, SC_NS));
  std::vector<uint64_t> one(1, 0x10010008);  // a shadow-style heap page
  sys::StreamCpu cpu("cpu", one, 4, false, 1);
  // The guest remaps the page behind the MMU's back: no invalidation, the TLB keeps the old hPA.
  cpu.on_issue = [&](uint64_t i) {
    if (i == 2) img.as.guest_remap(0x10010000), img.as.resync(0x10010000, 0x10011000);
  };
  cpu.socket.bind(mmu.cpu);
  mmu.data.bind(memory.socket);
  mmu.compound_port.bind(memory.socket);
  mmu.nested_port.bind(memory.socket);
  mmu.set_roots(mmu::Context{1, 1, false}, img.as.roots());
  bool reported = false;
  try {
    sc_start();
  } catch (const sc_report& e) {
    const std::string m = e.what();
    reported = m.find("translation-coherence check failed") != std::string::npos &&
               m.find("va 0x10010008") != std::string::npos && m.find("from the L1 TLB") != std::string::npos;
    BOOST_TEST_MESSAGE(m);
  }
  BOOST_TEST(reported);
}

BOOST_AUTO_TEST_CASE(migrating_a_2m_host_page_invalidates_every_guest_page_on_it) {
  // Host memory in 2 MiB pages: two guest pages on one host page. Moving it for one of them must
  // not leave the other's TLB entry pointing at the old host page (the checker would stop).
  pt::PhysMem mem;
  pt::Format fmt;
  vmm::Layout lay;
  lay.host_page = PageSize::k2M;
  vmm::AddressSpace as(mem, fmt, lay);
  as.guest_map(0x10000000, PageSize::k4K, {}, true);
  as.guest_map(0x10001000, PageSize::k4K, {}, true);
  as.build_all();
  for (Mode mode : {Mode::Shadow}) {
    mmu::MmuConfig cfg = small_caches(mode, mmu::Timing::LT, 1);
    vmm::Vmm vmm(as, mode, vmm::Policy::Static);
    mmu::Mmu mmu("mmu", cfg, fmt);
    const mmu::Context ctx{1, 1, false};
    vmm.invalidate = [&](const vmm::Invalidation& i) {
      if (i.kind == vmm::Invalidation::Page)
        mmu.invalidate_range(1, i.va, i.size);
      else if (i.kind == vmm::Invalidation::Nested)
        mmu.invalidate_nested(1);
      else
        mmu.invalidate_all();
      mmu.set_roots(ctx, as.roots());
    };
    sys::FixedMemory memory("memory", mem, sc_time(10, SC_NS));
    std::vector<uint64_t> vas = {0x10000008, 0x10001008};
    sys::StreamCpu cpu("cpu", vas, 8, false, 1);
    uint64_t before = 0, after = 0;
    cpu.on_issue = [&](uint64_t i) {
      if (i != 4) return;
      pt::Perms p;
      PageSize s;
      as.translate(0x10001008, before, p, s);
      BOOST_REQUIRE(vmm.host_migrate(0x10000008));
      as.translate(0x10001008, after, p, s);
    };
    cpu.socket.bind(mmu.cpu);
    mmu.data.bind(memory.socket);
    mmu.compound_port.bind(memory.socket);
    mmu.nested_port.bind(memory.socket);
    mmu.set_roots(ctx, as.roots());
    sc_start();
    BOOST_TEST(before != after);  // the neighbour's host page moved too
    BOOST_TEST(cpu.completed == 8u);
    BOOST_TEST(mmu.stats().checked == 8u);
    BOOST_TEST(mmu.stats().invalidations_by_kind[size_t(mmu::InvalidationKind::Range)] == 2u);
  }
}
