// Random co-simulation: the regression (under randomized backpressure, comparing every read and
// A/D write and the cycles derived from the stalls), determinism, and proof that the scoreboard
// catches injected RTL-side bugs.
#define BOOST_TEST_MODULE cosim_random
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cosim/cosim.h"

using namespace agilemmu;
using cosim::Inject;

namespace {

cosim::Summary run(uint64_t walks, uint64_t seed, const std::string& rtl, uint32_t latency, Inject inject,
                   std::string* report = nullptr, const std::string& wave_dir = "waveforms", bool backpressure = true) {
  cosim::Options o;
  o.backpressure = backpressure;
  o.walks = walks;
  o.seed = seed;
  o.rtl = rtl;
  o.latency = latency;
  o.inject = inject;
  o.wave_dir = wave_dir;
  std::ostringstream os;
  const cosim::Summary s = cosim::run(o, os);
  if (report) *report = os.str();
  BOOST_TEST_MESSAGE(walks << " walks (rtl " << rtl << ", latency " << latency << ") in " << s.seconds
                           << " s: " << s.walks / (s.seconds > 0 ? s.seconds : 1) << " walks/s, " << s.mismatches
                           << " mismatches");
  return s;
}

// The generator must reach every outcome the walker can produce, or a passing run proves little.
void check_coverage(const cosim::Summary& s, unsigned levels, bool address_size, bool nested_ad = true) {
  BOOST_TEST(s.writes > 0u);
  BOOST_TEST(s.walks_with_writes > 0u);
  BOOST_TEST(s.walks_with_writes < s.walks);  // and walks that find A/D already set
  if (nested_ad)
    BOOST_TEST(s.guest_page_d > 0u);
  else
    BOOST_TEST(s.guest_page_d == 0u);
  BOOST_TEST(s.nested_perm_final > 0u);
  BOOST_TEST(s.nested_perm_table > 0u);
  BOOST_TEST(s.nested_perm_table_write > 0u);
  BOOST_TEST(s.stall_cycles > 0u);
  for (unsigned k = 1; k <= 4; ++k) BOOST_TEST(s.per_fault_kind[k] > 0u, "fault kind " << k);
  if (address_size) BOOST_TEST(s.per_fault_kind[5] > 0u);  // gPA above a 4-level nested table's 48 bits
  for (unsigned st = 1; st <= 5; ++st) BOOST_TEST(s.per_stage[st] > 0u, "fault stage " << st);
  for (unsigned l = 0; l <= levels + 1; ++l) BOOST_TEST(s.per_switch_level[l] > 0u, "switch level " << int(l) - 1);
  for (unsigned z = 0; z < 3; ++z) BOOST_TEST(s.per_size[z] > 0u, "page size " << z);
  for (unsigned m = 0; m < 4; ++m) BOOST_TEST(s.per_mode[m] > 0u);
}

}  // namespace

BOOST_AUTO_TEST_CASE(regression_4level) {
  std::string rep;
  const auto s = run(1000000, 20260601, "l4", 1, Inject::None, &rep);
  BOOST_TEST(s.walks == 1000000u);
  BOOST_TEST(s.mismatches == 0u, rep);
  check_coverage(s, 4, true);
}

BOOST_AUTO_TEST_CASE(regression_5level_latency3) {
  std::string rep;
  const auto s = run(300000, 77, "l5", 3, Inject::None, &rep);
  BOOST_TEST(s.walks == 300000u);
  BOOST_TEST(s.mismatches == 0u, rep);
  check_coverage(s, 5, false);  // a 5-level nested table maps every gPA the format can hold
}

// 4-level guest over 5-level nested, MAXPHYADDR 40, selector bit 9, NX disabled (bit 63 reserved).
BOOST_AUTO_TEST_CASE(regression_mixed_levels_nx_off) {
  std::string rep;
  const auto s = run(300000, 4242, "mix", 2, Inject::None, &rep);
  BOOST_TEST(s.walks == 300000u);
  BOOST_TEST(s.mismatches == 0u, rep);
  check_coverage(s, 4, false, false);  // NESTED_AD = 0: no nested writes
}

// Without backpressure every reference costs the fixed latency + 1: the plain contract
// start + n*(L+1) (the scoreboard's expected cycles reduce to WalkTiming::uncached).
BOOST_AUTO_TEST_CASE(regression_no_backpressure) {
  for (const char* rtl : {"l4", "l5", "mix"}) {
    std::string rep;
    const auto s = run(100000, 31, rtl, 4, Inject::None, &rep, "waveforms", false);
    BOOST_TEST(s.mismatches == 0u, rep);
    BOOST_TEST(s.stall_cycles == 0u);
    BOOST_TEST(s.writes > 0u);
  }
}

// Backpressure changes when things happen, never what: same references, writes and results.
BOOST_AUTO_TEST_CASE(backpressure_changes_cycles_not_walks) {
  const auto a = run(20000, 8, "l4", 1, Inject::None, nullptr, "waveforms", true);
  const auto b = run(20000, 8, "l4", 1, Inject::None, nullptr, "waveforms", false);
  BOOST_TEST(a.mismatches + b.mismatches == 0u);
  BOOST_TEST(a.refs == b.refs);
  BOOST_TEST(a.writes == b.writes);
  BOOST_TEST(a.ok_walks == b.ok_walks);
  BOOST_TEST(a.rtl_cycles > b.rtl_cycles + a.stall_cycles);
}

// The hostile request side on every build, with backpressure: request inputs and roots random
// outside the handshake (always on), 3% of walks cut by a reset (the walker must be idle, then
// correct on the same request from the image the cut walk left), random initial register values.
BOOST_AUTO_TEST_CASE(resets_in_walks_and_random_initial_values) {
  for (const char* rtl : {"l4", "l5", "mix"}) {
    cosim::Options o;
    o.walks = 30000;
    o.seed = 41;
    o.rtl = rtl;
    o.latency = 2;
    o.backpressure = true;
    o.stimulus.reset_permille = 30;
    o.stimulus.random_init = 7;
    std::ostringstream os;
    const cosim::Summary s = cosim::run(o, os);
    BOOST_TEST(s.mismatches == 0u, rtl << ": " << os.str());
    BOOST_TEST(s.resets > 100u, rtl);  // most draws land inside a walk
    BOOST_TEST(s.writes > 0u);
    BOOST_TEST(s.stall_cycles > 0u);
  }
}

BOOST_AUTO_TEST_CASE(same_seed_same_walks) {
  const auto a = run(6000, 5, "l4", 2, Inject::None);
  const auto b = run(6000, 5, "l4", 2, Inject::None);
  const auto c = run(6000, 6, "l4", 2, Inject::None);
  BOOST_TEST(a.refs == b.refs);
  BOOST_TEST(a.writes == b.writes);
  BOOST_TEST(a.rtl_cycles == b.rtl_cycles);  // the same stalls too
  BOOST_TEST(a.stall_cycles == b.stall_cycles);
  BOOST_TEST(a.ok_walks == b.ok_walks);
  BOOST_TEST((a.refs != c.refs || a.ok_walks != c.ok_walks));
}

// Proof the co-simulation can fail: each injected RTL-side bug must be caught, with a report
// and a waveform of the failing walk.
BOOST_AUTO_TEST_CASE(injected_bugs_are_caught) {
  const std::string dir = (std::filesystem::temp_directory_path() / "agilemmu_cosim_inject").string();
  std::filesystem::remove_all(dir);
  for (Inject k : {Inject::Selector, Inject::Present, Inject::Latency, Inject::Ready}) {
    std::string rep;
    const auto s = run(20000, 11, "l4", 1, k, &rep, dir);
    BOOST_TEST(s.mismatches > 0u, cosim::to_string(k));
    BOOST_TEST(s.walks < 20000u);  // stopped at the first mismatch
    BOOST_TEST(rep.find("MISMATCH") != std::string::npos);
    BOOST_TEST(rep.find("golden reference") != std::string::npos);
    BOOST_REQUIRE(!s.mismatch_wave.empty());
    BOOST_TEST(std::filesystem::file_size(s.mismatch_wave) > 0u);
  }
}

namespace {
// Runs run_cli with stdout captured.
int cli(std::vector<std::string> args, std::string& out) {
  args.insert(args.begin(), "cosim");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream os;
  auto* old = std::cout.rdbuf(os.rdbuf());
  const int rc = cosim::run_cli(static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(old);
  out = os.str();
  return rc;
}
}  // namespace

BOOST_AUTO_TEST_CASE(cli_summary_and_exit_code) {
  std::string out;
  BOOST_TEST(cli({"--walks", "3000", "--seed", "9", "--latency", "2", "--levels", "5"}, out) == 0);
  BOOST_TEST(out.find("\n3000 walks, 0 mismatches\n") != std::string::npos, out);
  BOOST_TEST(out.find("backpressure off, stall cycles 0") != std::string::npos, out);
  BOOST_TEST(cli({"--walks", "3000", "--seed", "9", "--rtl", "mix", "--backpressure"}, out) == 0);
  BOOST_TEST(out.find("\n3000 walks, 0 mismatches\n") != std::string::npos, out);
  BOOST_TEST(out.find("backpressure on") != std::string::npos, out);
  BOOST_TEST(out.find(" walks/s") != std::string::npos);
  const std::string dir = (std::filesystem::temp_directory_path() / "agilemmu_cosim_cli").string();
  BOOST_TEST(cli({"--walks", "3000", "--inject-bug", "latency", "--wave-dir", dir}, out) == 1);
  BOOST_TEST(out.find(" walks, 1 mismatches\n") != std::string::npos, out);
  // FST build: whole-run trace and the mismatch waveform both come out as FST.
  const std::string run_fst = dir + "/run.fst";
  BOOST_TEST(cli({"--walks", "3000", "--inject-bug", "selector", "--fst", run_fst, "--wave-dir", dir}, out) == 1);
  BOOST_TEST(std::filesystem::file_size(run_fst) > 0u);
  BOOST_TEST(out.find(".fst\n") != std::string::npos, out);
  BOOST_TEST(cli({"--levels", "6"}, out) == 2);
  BOOST_TEST(cli({"--inject-bug", "nonsense"}, out) == 2);
}
