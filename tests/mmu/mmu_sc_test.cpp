// The Mmu SC_MODULE in small systems. SystemC cannot restart inside one process: CTest runs
// every case as its own process (--run_test=CASE).
#define BOOST_TEST_MODULE mmu_systemc
#include <boost/test/unit_test.hpp>
#include <systemc>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <agilemmu/mmu/mmu.h>
#include <agilemmu/pt/print.h>
#include <agilemmu/vmm/address_space.h>

#include "sys/stream_cpu.h"
#include "sys/traffic_gen.h"

using namespace agilemmu;
using namespace sc_core;
using pt::Mode;
using pt::PageSize;

namespace {

using sys::FixedMemory;

struct VectorSource : sys::Source {
  std::vector<sys::WorkloadOp> items;
  size_t at = 0;
  bool next(sys::WorkloadOp& it) override {
    if (at >= items.size()) return false;
    it = items[at++];
    return true;
  }
};

mmu::MmuConfig no_caches(Mode m) {
  mmu::MmuConfig c;
  c.mode = m;
  c.l1i.geo.entries = c.l1d.geo.entries = c.l2.geo.entries = 0;
  c.pwc.entries = c.npwc.entries = c.ntlb.entries = 0;
  return c;
}

// A guest with `pages` 4 KiB pages from 0x10000000, one Mmu, one memory, and a traffic generator.
struct Bench {
  pt::PhysMem mem;
  pt::Format fmt;
  vmm::AddressSpace as{mem, fmt};
  VectorSource src;
  std::unique_ptr<mmu::Mmu> mmu;
  std::unique_ptr<FixedMemory> memory;
  std::unique_ptr<sys::TrafficGen> cpu;
  std::vector<std::pair<uint64_t, pt::Fault>> seen;  // per completed request: hpa or fault
  Bench(const mmu::MmuConfig& cfg, unsigned pages, bool at, unsigned outstanding, double mem_ns = 50) {
    for (unsigned i = 0; i < pages; ++i) as.guest_map(0x10000000 + 0x1000ull * i, PageSize::k4K, {}, /*dirty=*/true);
    as.build_all();
    mmu = std::make_unique<mmu::Mmu>("mmu", cfg, fmt);
    memory = std::make_unique<FixedMemory>("memory", mem, sc_time(mem_ns, SC_NS));
    sys::TrafficGenConfig tc;
    tc.at = at;
    tc.outstanding = outstanding;
    tc.clock_ns = cfg.clock_ns;
    sys::TrafficGenHooks h;
    h.fault = [this](const sys::WorkloadOp&, const pt::Fault& f, bool& retry) {
      seen.push_back({0, f});
      retry = false;
      return uint64_t(0);
    };
    cpu = std::make_unique<sys::TrafficGen>("cpu", src, tc, h);
    cpu->socket.bind(mmu->cpu);
    mmu->data.bind(memory->socket);
    mmu->compound_port.bind(memory->socket);
    mmu->nested_port.bind(memory->socket);
    mmu->set_roots(mmu::Context{1, 1, false}, as.roots());
  }
  void access(uint64_t va, pt::Access a = pt::Access::Read) {
    sys::WorkloadOp it;
    it.va = va, it.access = a;
    src.items.push_back(it);
  }
  uint64_t cycles() const {
    return static_cast<uint64_t>(cpu->stats().end / sc_time(mmu->config().clock_ns, SC_NS) + 0.5);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(uncached_walk_references_and_cycles) {
  // With every structure disabled each access walks; time per walk follows pt::WalkTiming with
  // the memory's 50 ns = 50 cycles per reference, plus one data access of 50 cycles.
  // The first walk also sets A in every entry it uses (the tables are fresh); each A/D write is
  // a reference like a read. The second walk of the page finds them set and only reads.
  mmu::MmuConfig cfg = no_caches(Mode::Nested);
  Bench b(cfg, 1, false, 1);
  b.access(0x10000010);
  b.access(0x10000020);
  pt::WalkRequest req;
  req.va = 0x10000010, req.mode = Mode::Nested;
  const pt::WalkResult first = pt::probe(b.mem, b.fmt, b.as.roots(), req);  // the walk, not performed
  unsigned first_writes[2] = {0, 0};
  for (unsigned i = 0; i < first.nrefs; ++i) first_writes[size_t(first.refs[i].port)] += first.refs[i].write;
  BOOST_TEST(first.nreads() == 24u);
  BOOST_TEST(first.nwrites > 0u);
  sc_start();
  const auto& st = b.mmu->stats();
  BOOST_TEST(st.walks == 2u);
  BOOST_TEST(st.ad_writes == first.nwrites);
  BOOST_TEST(first_writes[size_t(pt::Port::Compound)] == 3u);  // A in each guest directory entry (leaf: dirty)
  BOOST_TEST(st.refs_by_port[size_t(pt::Port::Compound)] == 2u * 4 + 3);
  BOOST_TEST(st.refs_by_port[size_t(pt::Port::Nested)] == 2u * 20 + first_writes[size_t(pt::Port::Nested)]);
  const uint64_t walk1 = cfg.walk.uncached(first.nrefs, 50), walk2 = cfg.walk.uncached(24, 50);
  BOOST_TEST(st.walk_cycles.max() == walk1);
  BOOST_TEST(b.cycles() == walk1 + 50 + walk2 + 50);
}

BOOST_AUTO_TEST_CASE(faults_return_address_error_with_extension) {
  mmu::MmuConfig cfg = no_caches(Mode::Agile);
  Bench b(cfg, 1, false, 1);
  b.access(0x20000000);                     // unmapped: same 1 GiB as the heap, so the level-3 entry is absent
  b.access(0x10000000, pt::Access::Fetch);  // mapped rw, fetch allowed (no NX by default)
  sc_start();
  BOOST_REQUIRE_EQUAL(b.seen.size(), 1u);
  const pt::Fault& f = b.seen[0].second;
  BOOST_TEST(f.stage == pt::Stage::Compound);
  BOOST_TEST(f.kind == pt::FaultKind::NotPresent);
  BOOST_TEST(f.level == 3u);
  BOOST_TEST(f.addr == 0x20000000u);
  BOOST_TEST(b.cpu->stats().hard_faults == 1u);
  BOOST_TEST(b.mmu->stats().faults_by_stage[size_t(pt::Stage::Compound)] == 1u);
}

BOOST_AUTO_TEST_CASE(data_reaches_the_translated_address) {
  mmu::MmuConfig cfg;  // default caches
  Bench b(cfg, 2, false, 1);
  uint64_t hpa;
  pt::Perms p;
  PageSize s;
  BOOST_REQUIRE(b.as.translate(0x10001008, hpa, p, s));
  b.mem.write64(hpa, 0);
  b.access(0x10001008, pt::Access::Write);  // the traffic generator writes its buffer (0)
  b.mem.write64(hpa, 0x1122334455667788ull);
  sc_start();
  // The write landed at the hPA the tables give (it overwrote the marker with the CPU's word).
  BOOST_TEST(b.mem.read64(hpa) == 0u);
  BOOST_TEST(b.mmu->stats().walks == 1u);
}

BOOST_AUTO_TEST_CASE(an_access_across_a_page_is_one_access_and_two_translations) {
  // The traffic generator moves every byte of an access (16 here), so one that starts 8 bytes
  // before a page end reaches the MMU whole and is translated on both pages.
  mmu::MmuConfig cfg;
  cfg.check = true;
  Bench b(cfg, 2, false, 1);
  sys::WorkloadOp it;
  it.va = 0x10000ff8, it.size = 16;
  b.src.items.push_back(it);
  sc_start();
  BOOST_TEST(b.cpu->stats().accesses == 1u);
  BOOST_TEST(b.mmu->stats().requests == 2u);  // "translations" in the run statistics
  BOOST_TEST(b.mmu->stats().page_crossings == 1u);
  BOOST_TEST(b.mmu->stats().checked == 2u);
  BOOST_TEST(b.cpu->stats().hard_faults == 0u);
}

namespace {
uint64_t run_misses(unsigned walkers) {
  mmu::MmuConfig cfg = no_caches(Mode::Nested);
  cfg.timing = mmu::Timing::AT;
  cfg.walkers = walkers;
  Bench b(cfg, 8, true, 8);
  for (unsigned i = 0; i < 8; ++i) b.access(0x10000000 + 0x1000ull * i);
  sc_start();
  BOOST_TEST(b.mmu->stats().walks == 8u);
  return b.cycles();
}
}  // namespace

BOOST_AUTO_TEST_CASE(one_walker_serializes) {
  const uint64_t walk = pt::WalkTiming{}.uncached(24, 50);
  const uint64_t t = run_misses(1);
  BOOST_TEST(t >= 8 * walk);  // eight walks one after another
}

BOOST_AUTO_TEST_CASE(four_walkers_overlap) {
  const uint64_t walk = pt::WalkTiming{}.uncached(24, 50);
  const uint64_t t = run_misses(4);
  BOOST_TEST(t < 8 * walk / 2);  // at least twice as fast as one walker
  BOOST_TEST(t >= 2 * walk);     // but no faster than two rounds of four
}

BOOST_AUTO_TEST_CASE(misses_to_one_page_coalesce) {
  mmu::MmuConfig cfg = no_caches(Mode::Nested);
  cfg.timing = mmu::Timing::AT;
  cfg.walkers = 4;
  cfg.l2.geo.entries = 64;  // the walk fills the TLB the coalesced requests then hit
  cfg.l2.geo.ways = 4;
  Bench b(cfg, 1, true, 4);
  for (int i = 0; i < 4; ++i) b.access(0x10000000 + 64 * i);
  sc_start();
  BOOST_TEST(b.mmu->stats().walks == 1u);
  BOOST_TEST(b.mmu->stats().coalesced == 3u);
  BOOST_TEST(b.cpu->stats().accesses == 4u);
}

// LT and AT agreement on whole runs is checked by cli.lt_at_agree (two processes).
