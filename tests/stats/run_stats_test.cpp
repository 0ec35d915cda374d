// The run's statistics registry as the tb writes it: JSON shape and the names it declares.
#define BOOST_TEST_MODULE run_stats
#include <boost/test/unit_test.hpp>

#include "sys/run_stats.h"

using namespace agilemmu;

BOOST_AUTO_TEST_CASE(json_nests_dotted_names_and_keeps_empty_arrays_as_objects) {
  nlohmann::json j = nlohmann::json::object();
  sys::put(j, "a.b.c", stats::Value(uint64_t(3)));
  sys::put(j, "a.d", stats::Value(std::string("x")));
  sys::put(j, "a.h.0", stats::Value(stats::Absent{}));  // an array with no member present
  sys::put(j, "top", stats::Value(stats::Absent{}));    // an absent scalar leaves no key
  BOOST_TEST(j.dump() == R"({"a":{"b":{"c":3},"d":"x","h":{}}})");
}

BOOST_AUTO_TEST_CASE(declared_names_include_nested_groups_and_open_indices) {
  BOOST_TEST(sys::is_run_stat("cycles"));
  BOOST_TEST(sys::is_run_stat("mmu.l2_tlb.hit_rate"));
  BOOST_TEST(sys::is_run_stat("mmu.walker.state_visits.nested_read"));
  BOOST_TEST(sys::is_run_stat("mmu.walker.refs_per_walk_histogram.17"));
  BOOST_TEST(sys::is_run_stat("vmm.traps.dirty_bit"));
  BOOST_TEST(!sys::is_run_stat("mmu.walker"));  // a group, not a statistic
  BOOST_TEST(!sys::is_run_stat("mmu.l3_tlb.hits"));
  BOOST_TEST(!sys::is_run_stat("vmm.traps.nonsense"));
}

BOOST_AUTO_TEST_CASE(every_listed_key_is_declared_once) {
  const auto rows = stats::list(sys::run_stat_shapes());
  BOOST_TEST(rows.size() > 100u);
  for (size_t i = 1; i < rows.size(); ++i)
    BOOST_TEST((rows[i - 1].name < rows[i].name), rows[i].name);  // sorted, no duplicate
  for (const auto& r : rows) BOOST_TEST(!r.desc.empty(), r.name << " has no description");
}
