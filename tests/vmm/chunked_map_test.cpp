// vmm::ChunkedMap, the sorted-array records of the guest and nested mappings, against std::map and
// std::multimap: the same random inserts, assignments and erasures (across many chunk splits and
// merges), and after each step the same answers to every query the records are asked.
#define BOOST_TEST_MODULE chunked_map
#include <boost/test/unit_test.hpp>

#include <map>
#include <random>

#include <agilemmu/vmm/chunked_map.h>

using agilemmu::vmm::ChunkedMap;

namespace {

// The entry with the greatest key <= k in a std::map, or nullptr.
template <class M>
const typename M::value_type* ref_floor(const M& m, uint64_t k) {
  auto it = m.upper_bound(k);
  return it == m.begin() ? nullptr : &*std::prev(it);
}

template <class Chunked, class Ref>
void check_same(const Chunked& c, const Ref& r, std::mt19937_64& rng, uint64_t key_range) {
  BOOST_REQUIRE_EQUAL(c.size(), r.size());
  BOOST_REQUIRE_EQUAL(c.empty(), r.empty());
  auto ci = c.begin();
  for (const auto& [k, v] : r) {
    BOOST_REQUIRE(ci != c.end());
    BOOST_REQUIRE_EQUAL(ci->first, k);
    BOOST_REQUIRE_EQUAL(ci->second, v);
    ++ci;
  }
  BOOST_REQUIRE(ci == c.end());
  for (int q = 0; q < 64; ++q) {
    const uint64_t k = rng() % (key_range + 2);
    const auto* f = c.floor(k);
    const auto* rf = ref_floor(r, k);
    BOOST_REQUIRE_EQUAL(f != nullptr, rf != nullptr);
    if (f) BOOST_REQUIRE(f->first == rf->first && f->second == rf->second);
    const auto lb = c.lower_bound(k), ub = c.upper_bound(k);
    const auto rlb = r.lower_bound(k), rub = r.upper_bound(k);
    BOOST_REQUIRE_EQUAL(lb == c.end(), rlb == r.end());
    if (rlb != r.end()) BOOST_REQUIRE(lb->first == rlb->first && lb->second == rlb->second);
    BOOST_REQUIRE_EQUAL(ub == c.end(), rub == r.end());
    if (rub != r.end()) BOOST_REQUIRE(ub->first == rub->first && ub->second == rub->second);
    if (rub != r.begin()) {  // stepping back over a chunk boundary
      auto p = ub;
      --p;
      BOOST_REQUIRE(p->first == std::prev(rub)->first && p->second == std::prev(rub)->second);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(unique_map_answers_as_std_map) {
  std::mt19937_64 rng(7);
  for (const uint64_t range : {100ull, 5000ull, 1ull << 40}) {
    ChunkedMap<uint64_t> c;
    std::map<uint64_t, uint64_t> r;
    for (int step = 0; step < 6000; ++step) {
      const uint64_t k = step < 1500 ? uint64_t(step) * 3 : rng() % range;  // ascending first, as populating
      const uint64_t v = rng();
      if (rng() % 4 == 0) {
        BOOST_REQUIRE_EQUAL(c.erase(k), r.erase(k) == 1);
      } else {
        const bool added = r.insert_or_assign(k, v).second;
        BOOST_REQUIRE_EQUAL(c.insert_or_assign(k, v), added);
      }
      if (step % 97 == 0) check_same(c, r, rng, range);
    }
    check_same(c, r, rng, range);
    c.clear();
    BOOST_TEST(c.empty());
    BOOST_TEST(c.floor(5) == nullptr);
  }
}

BOOST_AUTO_TEST_CASE(multi_map_keeps_equals_in_insertion_order) {
  std::mt19937_64 rng(11);
  ChunkedMap<uint64_t, true> c;
  std::multimap<uint64_t, uint64_t> r;
  for (int step = 0; step < 8000; ++step) {
    const uint64_t k = rng() % 40;  // many equal keys: runs of equals span chunks
    const uint64_t v = rng() % 8;
    if (rng() % 3 == 0) {
      bool found = false;
      for (auto [it, end] = r.equal_range(k); it != end; ++it)
        if (it->second == v) {
          r.erase(it);
          found = true;
          break;
        }
      BOOST_REQUIRE_EQUAL(c.erase(k, v), found);
    } else {
      r.emplace(k, v);
      c.insert(k, v);
    }
    if (step % 101 == 0) check_same(c, r, rng, 40);
  }
  check_same(c, r, rng, 40);
}
