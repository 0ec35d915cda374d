// The Mmu's access path allocates no heap memory: after a warm-up, a stream of TLB hits, misses,
// walks through the walk caches, TLB fills and faults runs with operator new counted, in LT and in
// AT. (alloc_count.cpp replaces the global operator new in this executable.)
#define BOOST_TEST_MODULE mmu_alloc
#include <boost/test/unit_test.hpp>
#include <systemc>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "mmu/mmu.h"
#include "vmm/address_space.h"

int sc_main(int, char**) { return 0; }

#include "alloc_count.h"

using alloc_count::counting;

using namespace agilemmu;
using namespace sc_core;

namespace {

struct Memory : sc_module {
  tlm_utils::multi_passthrough_target_socket<Memory> socket{"socket"};
  pt::PhysMem& mem;
  const sc_time latency{20, SC_NS};
  Memory(sc_module_name n, pt::PhysMem& m) : sc_module(n), mem(m) {
    socket.register_b_transport(this, &Memory::b_transport);
  }
  void b_transport(int, tlm::tlm_generic_payload& t, sc_time& d) {
    if (t.is_read()) mem.read(t.get_address(), t.get_data_ptr(), t.get_data_length());
    d += latency;
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

// Issues `total` reads (LT: b_transport with a quantum keeper; AT: up to 4 in flight) and counts
// allocations after the first `warm`.
struct Cpu : sc_module {
  tlm_utils::simple_initiator_socket<Cpu> socket{"socket"};
  std::vector<uint64_t> vas;
  uint64_t warm, total;
  bool at;
  tlm::tlm_generic_payload p[4];
  mmu::MmuExtension x[4];
  uint64_t buf[4] = {};
  unsigned inflight = 0;
  bool req_open = false;
  uint64_t completed = 0, faults = 0;
  sc_event ev;
  SC_HAS_PROCESS(Cpu);
  Cpu(sc_module_name n, std::vector<uint64_t> v, uint64_t w, uint64_t t, bool at_)
      : sc_module(n), vas(std::move(v)), warm(w), total(t), at(at_) {
    socket.register_nb_transport_bw(this, &Cpu::bw);
    SC_THREAD(run);
  }
  ~Cpu() override {
    for (int i = 0; i < 4; ++i) p[i].clear_extension(&x[i]);
  }
  void done(tlm::tlm_generic_payload& t) {
    ++completed;
    if (t.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE) ++faults;
  }
  tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time&) {
    if (ph == tlm::END_REQ) req_open = false;
    if (ph == tlm::BEGIN_RESP) req_open = false, --inflight, done(t);
    ev.notify();
    return ph == tlm::BEGIN_RESP ? tlm::TLM_COMPLETED : tlm::TLM_ACCEPTED;
  }
  void run() {
    for (int i = 0; i < 4; ++i) {
      p[i].set_data_ptr(reinterpret_cast<unsigned char*>(&buf[i]));
      p[i].set_data_length(8);
      p[i].set_streaming_width(8);
      p[i].set_command(tlm::TLM_READ_COMMAND);
      p[i].set_extension(&x[i]);
      x[i].asid = 1, x[i].vmid = 1;
    }
    tlm_utils::tlm_quantumkeeper qk;
    qk.set_global_quantum(sc_time(1, SC_US));
    qk.reset();
    for (uint64_t i = 0; i < total; ++i) {
      if (i == warm) counting = true;
      tlm::tlm_generic_payload& t = p[at ? i % 4 : 0];
      t.set_address(vas[i % vas.size()]);
      t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      if (!at) {
        sc_time d = qk.get_local_time();
        socket->b_transport(t, d);
        done(t);
        qk.set(d);
        if (qk.need_sync()) qk.sync();
        continue;
      }
      while (inflight == 4 || req_open) wait(ev);
      tlm::tlm_phase ph = tlm::BEGIN_REQ;
      sc_time d = SC_ZERO_TIME;
      ++inflight, req_open = true;
      socket->nb_transport_fw(t, ph, d);
      wait(1, SC_NS);
    }
    while (inflight) wait(ev);
    counting = false;
  }
};

// 2048 mapped pages, some of them made nested-style (agile walks switch); addresses spread over
// twice that, so the stream mixes TLB hits, walks that the walk caches shorten, and faults.
void run(bool at, pt::Mode mode) {
  pt::PhysMem mem;
  pt::Format fmt;
  vmm::AddressSpace as(mem, fmt);
  const uint64_t base = 0x10000000, pages = 2048;
  for (uint64_t i = 0; i < pages; ++i) as.guest_map(base + 0x1000 * i, pt::PageSize::k4K, {});
  as.build_all();
  as.make_range_nested(base + 0x1000 * pages / 2, 0x1000 * pages / 2);
  std::vector<uint64_t> vas(1 << 14);
  uint64_t r = 12345;
  for (auto& v : vas) {
    r ^= r << 13, r ^= r >> 7, r ^= r << 17;
    // Half the accesses to 32 hot pages, the rest anywhere in (and beyond) the mapping.
    v = base + ((r & 1) ? (r >> 8) % (32 * 4096) : (r >> 8) % (2 * pages * 4096)) / 8 * 8;
  }
  mmu::MmuConfig cfg;
  cfg.mode = mode;
  cfg.timing = at ? mmu::Timing::AT : mmu::Timing::LT;
  cfg.walkers = at ? 4 : 1;
  mmu::Mmu m("mmu", cfg, fmt);
  Memory memory("memory", mem);
  const uint64_t warm = 20000, total = 60000;
  Cpu cpu("cpu", vas, warm, total, at);
  cpu.socket.bind(m.cpu);
  m.data.bind(memory.socket);
  m.compound_port.bind(memory.socket);
  m.nested_port.bind(memory.socket);
  m.set_roots(mmu::Context{1, 1, false}, as.roots());
  sc_start();
  BOOST_TEST_MESSAGE("requests " << m.stats().requests << ", TLB hits " << m.stats().tlb_hits << ", walks "
                                 << m.stats().walks << ", faults " << m.stats().faults);
  BOOST_TEST(cpu.completed == total);
  BOOST_TEST(m.stats().tlb_hits > 0u);
  BOOST_TEST(m.stats().walks > 0u);
  BOOST_TEST(m.stats().faults > 0u);
  BOOST_TEST(alloc_count::allocations == 0u, alloc_count::allocations << " heap allocations in " << total - warm << " accesses");
}

}  // namespace

BOOST_AUTO_TEST_CASE(lt_agile_allocates_nothing_per_access) { run(false, pt::Mode::Agile); }
BOOST_AUTO_TEST_CASE(lt_nested_allocates_nothing_per_access) { run(false, pt::Mode::Nested); }
BOOST_AUTO_TEST_CASE(at_agile_allocates_nothing_per_access) { run(true, pt::Mode::Agile); }
