// The RTL walker as a SystemC module (RtlWalkerModule) in a TLM system: its reads and A/D writes
// go out on the compound and nested ports to a memory whose latency varies by address, and it
// must make the golden walk's references (reads and writes with their data, in order) on the
// right ports, return its result, and take exactly the cycles the model walker takes for the same
// references. One process per case (SystemC cannot restart).
#define BOOST_TEST_MODULE cosim_rtl_module
#include <boost/test/unit_test.hpp>
#include <systemc>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <algorithm>
#include <cstring>
#include <ostream>

#include "cosim/rtl_walker_module.h"
#include <agilemmu/mmu/mmu.h>
#include <agilemmu/vmm/address_space.h>

using namespace agilemmu;
using namespace sc_core;
using pt::Mode;

namespace {

// 8-30 cycles per read at a 1 ns clock, by address: walks see uneven latencies.
uint32_t latency_of(uint64_t addr) { return 8 + static_cast<uint32_t>((addr >> 3) * 2654435761u % 23); }

struct Access {
  uint64_t addr = 0;
  int socket = 0;  // 0: compound port, 1: nested port
  bool write = false;
  uint64_t data = 0;  // written value (writes only)
  bool operator==(const Access& o) const {
    return addr == o.addr && socket == o.socket && write == o.write && data == o.data;
  }
};
std::ostream& operator<<(std::ostream& os, const Access& a) {
  return os << (a.write ? "W 0x" : "R 0x") << std::hex << a.addr << " =0x" << a.data << std::dec << " port "
            << a.socket;
}

// Memory that performs and logs every access with the socket (port) it came in on.
struct LoggingMemory : sc_module {
  tlm_utils::multi_passthrough_target_socket<LoggingMemory> socket{"socket"};
  pt::PhysMem& mem;
  std::vector<Access> log;
  LoggingMemory(sc_module_name n, pt::PhysMem& m) : sc_module(n), mem(m) {
    socket.register_b_transport(this, &LoggingMemory::b_transport);
  }
  void b_transport(int id, tlm::tlm_generic_payload& t, sc_time& d) {
    if (t.is_read()) {
      mem.read(t.get_address(), t.get_data_ptr(), t.get_data_length());
      log.push_back({t.get_address(), id, false, 0});
    } else if (t.is_write()) {
      mem.write(t.get_address(), t.get_data_ptr(), t.get_data_length());
      uint64_t v = 0;
      std::memcpy(&v, t.get_data_ptr(), t.get_data_length() < 8 ? t.get_data_length() : 8);
      log.push_back({t.get_address(), id, true, v});
    }
    d += sc_time(latency_of(t.get_address()), SC_NS);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

constexpr uint64_t kHeap = 0x10000000;

// A guest with 64 pages, each under its own root entry (512 GiB apart), so page i's compound
// path can turn nested-style at level i % 5 (0 = shadow-style all the way) independently of the
// others: the walks below cover every switch level.
constexpr uint64_t kStride = 1ull << 39;
uint64_t page(unsigned i) { return kHeap + kStride * i; }

struct Guest {
  pt::PhysMem mem;
  pt::Format fmt{4, 4, 52, 52, true};  // the l4 RTL build
  vmm::AddressSpace as{mem, fmt};
  Guest() {
    // Mapped dirty: shadow-style leaves of clean pages are read-only (dirty-bit emulation), and
    // these walks write.
    for (unsigned i = 0; i < 64; ++i) as.guest_map(page(i), pt::PageSize::k4K, {}, /*dirty=*/true);
    as.build_all();
    for (unsigned i = 0; i < 64; ++i)
      if (i % 5) as.set_compound_nested(page(i), i % 5);
  }
};

struct Driver : sc_module {
  tlm_utils::simple_initiator_socket<Driver> socket{"socket"};
  std::function<void()> body;
  SC_HAS_PROCESS(Driver);
  explicit Driver(sc_module_name n) : sc_module(n) { SC_THREAD(run); }
  void run() { body(); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(references_ports_results_and_cycles_match_the_golden_walk) {
  Guest g, gold;  // the RTL walks g through the module; the golden walk walks an identical copy
  cosim::RtlWalkerModule rtl("rtl", cosim::RtlWalker::create("l4"), sc_time(1, SC_NS));
  LoggingMemory memory("memory", g.mem);
  Driver drv("drv");
  drv.socket.bind(rtl.walk);
  rtl.compound_port.bind(memory.socket);  // socket index 0
  rtl.nested_port.bind(memory.socket);    // socket index 1
  unsigned walks = 0, faults = 0, writes = 0;
  std::vector<unsigned> switches(5);  // mapped agile walks: stayed shadow-style, switched at level 1..4
  drv.body = [&] {
    const pt::Roots roots = g.as.roots();
    for (Mode mode : {Mode::Native, Mode::Shadow, Mode::Nested, Mode::Agile})
      for (unsigned i = 0; i < 64; i += 3)
        for (uint64_t va : {page(i) + 0x123, page(i) + 0x1000}) {  // mapped, unmapped
          cosim::WalkExtension x;
          x.roots = roots;
          x.req = pt::WalkRequest{va, pt::Access::Write, true, mode};
          tlm::tlm_generic_payload p;
          p.set_extension(&x);
          memory.log.clear();
          sc_time d = SC_ZERO_TIME;
          drv.socket->b_transport(p, d);
          p.clear_extension(&x);
          const pt::WalkResult golden = pt::walk(gold.mem, gold.fmt, roots, x.req);
          BOOST_TEST_CONTEXT("mode " << int(mode) << " va 0x" << std::hex << va) {
            BOOST_TEST(p.get_response_status() == (golden.ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE));
            BOOST_REQUIRE_EQUAL(memory.log.size(), golden.nrefs);
            uint64_t cycles = pt::WalkTiming{}.start_cycles;
            for (unsigned r = 0; r < golden.nrefs; ++r) {
              const pt::MemRef& gr = golden.refs[r];
              const Access expect{gr.addr, gr.port == pt::Port::Nested ? 1 : 0, gr.write, gr.write ? gr.data : 0};
              BOOST_TEST(memory.log[r] == expect, "reference " << r);
              cycles += latency_of(gr.addr) + pt::WalkTiming{}.step_cycles;
            }
            writes += golden.nwrites;
            BOOST_TEST(x.result.r.ok == golden.ok);
            if (golden.ok)
              BOOST_TEST(x.result.r.tr.hpa == golden.tr.hpa);
            else
              BOOST_TEST(x.result.r.fault.level == golden.fault.level);
            BOOST_TEST(x.result.r.switch_level == golden.switch_level);
            BOOST_TEST(x.result.cycles == cycles);
            BOOST_TEST(d == sc_time(double(cycles), SC_NS));
          }
          ++walks, faults += !golden.ok;
          if (mode == Mode::Agile && golden.ok) ++switches[golden.switch_level < 0 ? 0 : golden.switch_level];
        }
  };
  sc_start();
  BOOST_TEST(walks == 4u * 22 * 2);
  BOOST_TEST(writes > 0u);
  BOOST_TEST(faults == 4u * 22);  // every second address is unmapped
  // i = 0, 3, ..., 63: i % 5 is 0 and 3 five times each, 1, 2 and 4 four times.
  BOOST_TEST(switches == (std::vector<unsigned>{5, 4, 4, 5, 4}), boost::test_tools::per_element());
}

// The model walker (Mmu, every cache off, LT) and the RTL module on the same memory: the same
// references and, summed over the walks, the same cycles.
BOOST_AUTO_TEST_CASE(same_references_and_cycles_as_the_mmu_walker) {
  Guest g, g_rtl;  // both walkers write A/D: each gets its own identical image
  mmu::MmuConfig c;
  c.mode = Mode::Agile;
  c.l1i.geo.entries = c.l1d.geo.entries = c.l2.geo.entries = 0;
  c.pwc.entries = c.npwc.entries = c.ntlb.entries = 0;
  mmu::Mmu model("mmu", c, g.fmt);
  cosim::RtlWalkerModule rtl("rtl", cosim::RtlWalker::create("l4"), sc_time(1, SC_NS));
  LoggingMemory tables("tables", g.mem), data("data", g.mem), rtl_tables("rtl_tables", g_rtl.mem);
  model.compound_port.bind(tables.socket);
  model.nested_port.bind(tables.socket);
  model.data.bind(data.socket);
  rtl.compound_port.bind(rtl_tables.socket);
  rtl.nested_port.bind(rtl_tables.socket);
  model.set_roots(mmu::Context{1, 1, false}, g.as.roots());
  Driver to_model("to_model"), to_rtl("to_rtl");
  to_model.socket.bind(model.cpu);
  to_rtl.socket.bind(rtl.walk);
  uint64_t rtl_cycles = 0;
  auto vas = [] {
    std::vector<uint64_t> v;
    for (unsigned i = 0; i < 64; ++i) v.push_back(page(i) + 8 * i);
    return v;
  }();
  to_model.body = [&] {
    for (uint64_t va : vas) {
      mmu::MmuExtension x;
      x.asid = 1, x.vmid = 1, x.access = pt::Access::Read, x.user = true;
      uint64_t buf = 0;
      tlm::tlm_generic_payload p;
      p.set_command(tlm::TLM_READ_COMMAND);
      p.set_address(va);
      p.set_data_ptr(reinterpret_cast<unsigned char*>(&buf));
      p.set_data_length(8);
      p.set_streaming_width(8);
      p.set_extension(&x);
      sc_time d = SC_ZERO_TIME;
      to_model.socket->b_transport(p, d);
      p.clear_extension(&x);
      BOOST_TEST(p.is_response_ok());
      wait(d);
    }
  };
  to_rtl.body = [&] {
    for (uint64_t va : vas) {
      cosim::WalkExtension x;
      x.roots = g_rtl.as.roots();
      x.req = pt::WalkRequest{va, pt::Access::Read, true, Mode::Agile};
      tlm::tlm_generic_payload p;
      p.set_extension(&x);
      sc_time d = SC_ZERO_TIME;
      to_rtl.socket->b_transport(p, d);
      p.clear_extension(&x);
      BOOST_TEST(p.is_response_ok());
      rtl_cycles += x.result.cycles;
    }
  };
  sc_start();
  const auto& st = model.stats();
  BOOST_REQUIRE_EQUAL(st.walks, vas.size());
  BOOST_TEST(tables.log.size() == rtl_tables.log.size());
  BOOST_TEST(tables.log == rtl_tables.log, boost::test_tools::per_element());  // every reference, in order
  BOOST_TEST(std::count_if(rtl_tables.log.begin(), rtl_tables.log.end(), [](const Access& a) { return a.write; }) > 0);
  BOOST_TEST(st.walk_cycles.mean() * double(st.walk_cycles.count()) == double(rtl_cycles));
  // 13 walks stayed shadow-style, 13 switched at level 1, 13 at 2, 13 at 3, 12 at 4.
  const std::vector<uint64_t> by_level(st.switch_level.begin(), st.switch_level.end());
  BOOST_TEST(by_level == (std::vector<uint64_t>{13, 0, 13, 13, 13, 12, 0}), boost::test_tools::per_element());
}
