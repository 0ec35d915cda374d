// The cache hierarchy's levels (write-back, MSHRs) and the DRAM's XOR bank mapping.
#define BOOST_TEST_MODULE mem_hierarchy
#include <boost/test/unit_test.hpp>
#include <set>

#include "sys/dram.h"
#include "sys/mem_hierarchy.h"

using namespace agilemmu;
using sys::CacheLevel;
using sys::CacheLevelConfig;
using sys::MemSource;

namespace {
CacheLevelConfig level(uint32_t lines, uint32_t ways, uint32_t mshrs = 4) {
  CacheLevelConfig c;
  c.geo = {lines, ways, 4, mmu::Replacement::LRU};
  c.mshrs = mshrs;
  return c;
}
}  // namespace

BOOST_AUTO_TEST_CASE(cache_level_hits_after_a_fill_counted_by_source) {
  CacheLevel l(level(64, 4), 1.0, 1);
  BOOST_TEST(!l.lookup(5, MemSource::WalkNested, false));
  uint64_t victim = 0;
  BOOST_TEST(!l.fill(5, false, victim));
  BOOST_TEST(l.lookup(5, MemSource::WalkNested, false));
  BOOST_TEST(l.lookup(5, MemSource::Read, false));
  BOOST_TEST(l.counters().misses[size_t(MemSource::WalkNested)] == 1u);
  BOOST_TEST(l.counters().hits[size_t(MemSource::WalkNested)] == 1u);
  BOOST_TEST(l.counters().hits[size_t(MemSource::Read)] == 1u);
  BOOST_TEST(l.counters().lookups() == 3u);
  BOOST_TEST(l.latency_ns() == 4.0);
}

BOOST_AUTO_TEST_CASE(cache_level_writes_back_dirty_victims_only) {
  CacheLevel l(level(2, 2), 1.0, 1);  // one set of two ways, LRU
  uint64_t victim = 0;
  BOOST_TEST(!l.fill(10, false, victim));
  BOOST_TEST(!l.fill(20, false, victim));
  BOOST_TEST(l.lookup(10, MemSource::Write, true));  // 10 dirty (and most recent)
  BOOST_TEST(!l.fill(30, false, victim));            // evicts clean 20: nothing to write back
  BOOST_TEST(l.fill(40, false, victim));             // evicts dirty 10
  BOOST_TEST(victim == 10u);
  BOOST_TEST(l.counters().writebacks == 1u);
  BOOST_TEST(l.counters().evictions == 2u);
  // A write-back from above into a present line marks it dirty, no eviction.
  BOOST_TEST(!l.write_back(30, victim));   // (and makes 30 the most recent)
  BOOST_TEST(!l.fill(50, false, victim));  // evicts clean 40
  BOOST_TEST(l.fill(60, false, victim));   // evicts 30, now dirty
  BOOST_TEST(victim == 30u);
  BOOST_TEST(l.counters().writebacks == 2u);
}

BOOST_AUTO_TEST_CASE(cache_level_misses_wait_for_a_free_mshr) {
  CacheLevel l(level(64, 4, 2), 1.0, 1);
  BOOST_TEST(l.mshr_free_at(0) == 0.0);
  l.book_mshr(0, 100);
  BOOST_TEST(l.mshr_free_at(5) == 5.0);  // one MSHR still free
  l.book_mshr(5, 80);
  BOOST_TEST(l.mshr_free_at(10) == 80.0);  // both taken: the first to end
  BOOST_TEST(l.mshr_free_at(90) == 90.0);
}

BOOST_AUTO_TEST_CASE(dram_xor_mapping_spreads_rows_at_the_same_offset) {
  sys::DramConfig c;  // 8 banks, 8 KiB rows: rows 64 KiB apart share a bank when linear
  c.xor_banks = false;
  const uint64_t stride = uint64_t(c.row_bytes) * c.banks;
  sys::DramTiming linear(c);
  c.xor_banks = true;
  sys::DramTiming hashed(c);
  std::set<unsigned> lin, xr;
  for (uint64_t i = 0; i < 8; ++i) {
    lin.insert(linear.bank_of(i * stride));
    xr.insert(hashed.bank_of(i * stride));
    BOOST_TEST(hashed.row_of(i * stride) == linear.row_of(i * stride));  // rows are not renumbered
  }
  BOOST_TEST(lin.size() == 1u);
  BOOST_TEST(xr.size() == 8u);
  // Within one row the mapping is the same bank for every column.
  BOOST_TEST(hashed.bank_of(3 * stride) == hashed.bank_of(3 * stride + c.row_bytes - 64));
}
