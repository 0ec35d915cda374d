// RTL-vs-model co-simulation: random page-table images, every walk run on the Verilated RTL
// walker and on the golden pt::Walk, compared by the scoreboard; stops at the first mismatch.
#pragma once
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "cosim/coverage.h"
#include "cosim/image_gen.h"
#include "cosim/scoreboard.h"

namespace agilemmu::cosim {

struct Options {
  uint64_t walks = 100000;
  uint64_t seed = 1;
  uint32_t latency = 1;    // memory latency in cycles (>= 1)
  std::string rtl = "l4";  // RTL build: l4, l5 or mix (see RtlWalker::create)
  unsigned walks_per_image = 2000;
  std::string trace_path;                       // waveform of the whole run (slow); empty: none
  TraceFormat trace_format = TraceFormat::Vcd;  // of trace_path and of the mismatch waveform
  std::string wave_dir = "waveforms";           // where the waveform of a mismatching walk is written
  Inject inject = Inject::None;
  // Randomized mem_req_ready / latency / rsp_ready (Backpressure); cycles are still compared
  // exactly, against the contract with the stalls the walk actually saw.
  bool backpressure = false;
  bool directed = false;  // images with ImageKnobs::directed() (rare faults and A/D cases made frequent)
  ImageKnobs knobs;
  bool coverage = false;      // collect functional coverage (Summary::coverage)
  std::string code_coverage;  // Verilator coverage.dat written here (agilemmu-cosim-cov only); "" none
  // Request-side noise (on by default: free, and only a walker that uses unsampled inputs
  // notices), resets in the middle of walks, random initial register values (tb/cosim/stimulus.h).
  StimulusOptions stimulus{true, 0, 0};
};

struct Summary {
  uint64_t walks = 0;
  uint64_t mismatches = 0;
  uint64_t ok_walks = 0;      // walks that produced a translation
  uint64_t refs = 0;          // memory references made by the RTL
  uint64_t writes = 0;        // of which A/D writes
  uint64_t guest_page_d = 0;  // D writes to a nested leaf mapping a guest page-table page
  uint64_t walks_with_writes = 0;
  uint64_t stall_cycles = 0;  // cycles the RTL waited on backpressure
  uint64_t resets = 0;        // walks cut by a reset (and run again)
  // Nested permission faults: final gPA; guest-table pointer not user; guest page not writable.
  uint64_t nested_perm_final = 0, nested_perm_table = 0, nested_perm_table_write = 0;
  uint64_t rtl_cycles = 0;  // cycles simulated
  uint64_t per_mode[4] = {0, 0, 0, 0};
  uint64_t per_fault_kind[6] = {0, 0, 0, 0, 0, 0};       // indexed by pt::FaultKind
  uint64_t per_stage[6] = {0, 0, 0, 0, 0, 0};            // faults by pt::Stage
  uint64_t per_switch_level[7] = {0, 0, 0, 0, 0, 0, 0};  // agile walks: [0] never, [1+l] level l
  uint64_t per_size[3] = {0, 0, 0};                      // translations by pt::PageSize
  double seconds = 0;
  std::string mismatch_wave;                      // waveform written for the mismatch, if any
  std::shared_ptr<cov::WalkerCoverage> coverage;  // with Options::coverage
};

// Runs the co-simulation; prints a mismatch report (if any) to `out`.
Summary run(const Options& opt, std::ostream& out);

// `cosim [--walks N] [--seed S] [--latency L] [--levels 4|5] [--rtl l4|l5|mix] [--vcd FILE|--fst FILE] [--wave-dir DIR]
//        [--walks-per-image N] [--backpressure] [--reset-walks PERMILLE] [--random-init] [--no-noise]
//        [--inject-bug none|selector|present|latency|ready] [--directed] [--coverage FILE.json]
//        [--code-coverage FILE.dat]`.
// Exit code 0 only with 0 mismatches (a hang, a handshake violation or a failed assertion is one);
// 2 for bad usage.
int run_cli(int argc, char** argv);

}  // namespace agilemmu::cosim
