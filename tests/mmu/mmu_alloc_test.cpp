// The Mmu's access path allocates no heap memory: after a warm-up, a stream of TLB hits, misses,
// walks through the walk caches, TLB fills and faults runs with operator new counted, in LT and in
// AT. (alloc_count.cpp replaces the global operator new in this executable.)
#define BOOST_TEST_MODULE mmu_alloc
#include <boost/test/unit_test.hpp>
#include <systemc>

#include <agilemmu/mmu/mmu.h>
#include <agilemmu/vmm/address_space.h>

#include "sys/stream_cpu.h"

#include "alloc_count.h"

using alloc_count::counting;

using namespace agilemmu;
using namespace sc_core;

namespace {

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
  sys::FixedMemory memory("memory", mem, sc_time(20, SC_NS));
  const uint64_t warm = 20000, total = 60000;
  sys::StreamCpu cpu("cpu", vas, total, at, 4);
  cpu.on_issue = [](uint64_t i) {
    if (i == warm) counting = true;
  };
  cpu.socket.bind(m.cpu);
  m.data.bind(memory.socket);
  m.compound_port.bind(memory.socket);
  m.nested_port.bind(memory.socket);
  m.set_roots(mmu::Context{1, 1, false}, as.roots());
  sc_start();
  counting = false;
  BOOST_TEST_MESSAGE("requests " << m.stats().requests << ", TLB hits " << m.stats().tlb_hits << ", walks "
                                 << m.stats().walks << ", faults " << m.stats().faults);
  BOOST_TEST(cpu.completed == total);
  BOOST_TEST(m.stats().tlb_hits > 0u);
  BOOST_TEST(m.stats().walks > 0u);
  BOOST_TEST(m.stats().faults > 0u);
  BOOST_TEST(alloc_count::allocations == 0u,
             alloc_count::allocations << " heap allocations in " << total - warm << " accesses");
}

}  // namespace

BOOST_AUTO_TEST_CASE(lt_agile_allocates_nothing_per_access) { run(false, pt::Mode::Agile); }
BOOST_AUTO_TEST_CASE(lt_nested_allocates_nothing_per_access) { run(false, pt::Mode::Nested); }
BOOST_AUTO_TEST_CASE(at_agile_allocates_nothing_per_access) { run(true, pt::Mode::Agile); }
