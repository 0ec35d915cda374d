// The Mmu checks its own configuration: a platform that builds one with a config it cannot run
// gets InvalidConfig from the constructor, naming the field and what is allowed (before this, an
// Mmu with no walker answered nothing and a 60-entry 7-way TLB was taken as it came). One case
// per rule of MmuConfig::validate(), each building an Mmu as a platform would.
#define BOOST_TEST_MODULE mmu_config
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <functional>
#include <systemc>

#include <agilemmu/mmu/mmu.h>

using namespace agilemmu;
using mmu::MmuConfig;

namespace {
// The Mmu built with `change` applied to a valid config must throw InvalidConfig for `field`,
// with a message containing `rule`.
void rejects(const std::function<void(MmuConfig&)>& change, const std::string& field, const std::string& rule) {
  MmuConfig c;
  BOOST_TEST(!c.validate(), "the default config is valid");
  change(c);
  static int n = 0;
  const std::string name = "mmu" + std::to_string(n++);
  try {
    mmu::Mmu m(name.c_str(), c, pt::Format{});
    BOOST_ERROR("the Mmu accepted a config with a bad " + field);
  } catch (const InvalidConfig& e) {
    BOOST_TEST(e.issue().field == field);
    BOOST_TEST(std::string(e.what()).find("'" + field + "'") != std::string::npos, e.what());
    BOOST_TEST(std::string(e.what()).find(rule) != std::string::npos, e.what());
    BOOST_TEST(std::string(e.what()).find(name) != std::string::npos, e.what());  // which module
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(valid_configs_build) {
  MmuConfig c;
  c.walkers = 8;
  c.l1d.geo = {0, 7, 1, mmu::Replacement::LRU};  // disabled: its other fields do not matter
  c.l2.geo = {1536, 12, 7, mmu::Replacement::Random};
  BOOST_CHECK_NO_THROW(mmu::Mmu("ok", c, pt::Format{}));
}
BOOST_AUTO_TEST_CASE(no_walker) {
  rejects([](MmuConfig& c) { c.walkers = 0; }, "walkers", "value 0 out of range [1, 256]");
}
BOOST_AUTO_TEST_CASE(too_many_walkers) {
  rejects([](MmuConfig& c) { c.walkers = 257; }, "walkers", "out of range [1, 256]");
}
BOOST_AUTO_TEST_CASE(no_queue) {
  rejects([](MmuConfig& c) { c.queue = 0; }, "queue", "out of range [1, 4096]");
}
BOOST_AUTO_TEST_CASE(zero_clock) {
  rejects([](MmuConfig& c) { c.clock_ns = 0; }, "clock_ns", "out of range [0.001, 1e+06]");
}
BOOST_AUTO_TEST_CASE(clock_nan) {
  rejects([](MmuConfig& c) { c.clock_ns = std::nan(""); }, "clock_ns", "out of range");
}
BOOST_AUTO_TEST_CASE(negative_quantum) {
  rejects([](MmuConfig& c) { c.quantum_ns = -1; }, "quantum_ns", "out of range [0, 1e+12]");
}
BOOST_AUTO_TEST_CASE(walk_cycles) {
  rejects([](MmuConfig& c) { c.walk.step_cycles = 1u << 21; }, "walk.step_cycles", "out of range [0, 1048576]");
}
BOOST_AUTO_TEST_CASE(tlb_sets_not_a_power_of_two) {  // 60 entries, 7 ways
  rejects([](MmuConfig& c) { c.l1d.geo = {60, 7, 1, mmu::Replacement::LRU}; }, "l1d.geo.entries", "multiple of ways");
}
BOOST_AUTO_TEST_CASE(tlb_sets) {
  rejects([](MmuConfig& c) { c.l2.geo.entries = 1200; }, "l2.geo.entries", "power of two");
}
BOOST_AUTO_TEST_CASE(tlb_too_many_ways) {
  rejects([](MmuConfig& c) { c.l1i.geo = {128, 128, 1, mmu::Replacement::LRU}; }, "l1i.geo.ways", "[1, 64]");
}
BOOST_AUTO_TEST_CASE(tlb_no_ways) {
  rejects([](MmuConfig& c) { c.l1i.geo.ways = 0; }, "l1i.geo.ways", "[1, 64]");
}
BOOST_AUTO_TEST_CASE(plru_ways) {
  rejects([](MmuConfig& c) { c.pwc = {24, 3, 1, mmu::Replacement::PLRU}; }, "pwc.ways", "plru");
}
BOOST_AUTO_TEST_CASE(cache_too_large) {
  rejects([](MmuConfig& c) { c.ntlb.entries = 1u << 25; }, "ntlb.entries", "[0, 16777216]");
}
BOOST_AUTO_TEST_CASE(cache_latency) {
  rejects([](MmuConfig& c) { c.npwc.latency = 1u << 21; }, "npwc.latency", "[0, 1048576]");
}
BOOST_AUTO_TEST_CASE(tlb_without_4k) {
  rejects([](MmuConfig& c) { c.l2.page_sizes = 6; }, "l2.page_sizes", "must include 4K");
}
BOOST_AUTO_TEST_CASE(bad_mode_enum) {
  rejects([](MmuConfig& c) { c.mode = static_cast<pt::Mode>(7); }, "mode", "native, nested, shadow or agile");
}
