// MemHierarchy as a TLM-2.0 base-protocol citizen: a protocol checker on its input (AT initiators
// ending every response every legal way, several requests in flight) and on its output (a memory
// whose time passes inside b_transport, with wait). Each case is its own process.
#define BOOST_TEST_MODULE mem_hierarchy_protocol
#include <boost/test/unit_test.hpp>

#include "../mmu/hostile.h"
#include "sys/mem_hierarchy.h"

using namespace agilemmu;
using namespace sc_core;
using hostile::End;

namespace {

sys::HierarchyConfig small_hierarchy() {
  sys::HierarchyConfig c;
  using L = sys::CacheLevelId;
  // Small levels, so that 8 KiB of addresses miss and write back dirty lines in L1D and L2 and hit
  // in the LLC.
  c.level[size_t(L::L1I)].geo.entries = 0;  // no fetches here
  c.level[size_t(L::L1D)].geo = {16, 2, 4, mmu::Replacement::LRU};
  c.level[size_t(L::L2)].geo = {32, 4, 12, mmu::Replacement::LRU};
  c.level[size_t(L::LLC)].geo = {256, 4, 40, mmu::Replacement::LRU};
  for (auto& l : c.level) l.mshrs = 2;
  return c;
}

// initiator -> checker -> MemHierarchy -> checker -> memory (waits in b_transport)
void initiator_ends(End end, unsigned outstanding) {
  pt::PhysMem mem;
  sys::ProtocolChecker chk_in("chk_in", false), chk_out("chk_out", false);
  sys::MemHierarchy caches("caches", small_hierarchy(), 1);
  hostile::DmiMemory memory("memory", mem);
  memory.grant = false;
  std::vector<uint64_t> addrs;
  for (uint64_t a = 0; a < 0x2000; a += 76) addrs.push_back(0x100000 + a);  // some span 2 lines
  const uint64_t n = 2000;
  hostile::EndingCpu cpu("cpu", addrs, n, outstanding, end);
  cpu.write_every = 3;
  cpu.socket.bind(chk_in.target);
  chk_in.initiator.bind(caches.in);
  caches.out.bind(chk_out.target);
  chk_out.initiator.bind(memory.socket);
  sc_start(100, SC_MS);  // a hang stops here with responses missing
  BOOST_TEST(cpu.completed == n);
  BOOST_TEST(cpu.errors == 0u);
  BOOST_TEST(cpu.early_responses == 0u);
  BOOST_TEST(chk_in.violations() + chk_out.violations() == 0u);
  for (const auto* c : {&chk_in, &chk_out})
    for (const auto& m : c->messages()) BOOST_TEST_MESSAGE(m);
  // The checkers saw the traffic they were meant to check.
  BOOST_TEST(chk_in.seen().nb_fw >= n);
  BOOST_TEST(chk_in.seen().nb_bw >= n);
  BOOST_TEST(chk_in.seen().completed == n);
  BOOST_TEST(chk_out.seen().b_transport > n);  // the bytes of each request, fills and write-backs
  const auto& llc = caches.level(sys::CacheLevelId::LLC).counters();
  BOOST_TEST(llc.all_hits() > 0u);
  BOOST_TEST(caches.level(sys::CacheLevelId::L2).counters().writebacks > 0u);
  // The bytes went through: every write reached the memory, besides the LLC's write-backs.
  BOOST_TEST(memory.writes == n / 3 + llc.writebacks);
}

}  // namespace

BOOST_AUTO_TEST_CASE(one_in_flight_accepted_then_end_resp) { initiator_ends(End::AcceptedThenEndResp, 1); }
BOOST_AUTO_TEST_CASE(one_in_flight_updated_end_resp) { initiator_ends(End::UpdatedEndResp, 1); }
BOOST_AUTO_TEST_CASE(one_in_flight_completed) { initiator_ends(End::Completed, 1); }
BOOST_AUTO_TEST_CASE(several_in_flight_accepted_then_end_resp) { initiator_ends(End::AcceptedThenEndResp, 4); }
BOOST_AUTO_TEST_CASE(several_in_flight_updated_end_resp) { initiator_ends(End::UpdatedEndResp, 4); }
BOOST_AUTO_TEST_CASE(several_in_flight_completed) { initiator_ends(End::Completed, 4); }
