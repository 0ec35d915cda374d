// Runs one walk on the RTL and, in lock step, on the golden pt::Walk; compares everything the
// walk produces (result, fault, switch level, ordered references including the A/D writes with
// their data, cycles, handshake rules).
#pragma once
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cosim/rtl_walker.h"
#include <agilemmu/pt/phys_mem.h>
#include <agilemmu/pt/walk.h>
#include <agilemmu/pt/walk_timing.h>

namespace agilemmu::cosim {

// Test-only bug injection: changes what the RTL sees, never the golden side.
enum class Inject : uint8_t {
  None,
  Selector,  // RTL reads compound entries with the selector bit flipped
  Present,   // RTL sees P cleared on the first read of every 8th walk
  Latency,   // RTL's second memory response of every walk arrives one cycle late
  Ready,     // RTL sees mem_req_ready always high (as if it ignored it); needs backpressure
};
bool parse_inject(const std::string& s, Inject& out);
const char* to_string(Inject k);

// Randomized interconnect around the RTL's ports, like a real one: mem_req_ready low for random
// stretches, a different memory latency for each reference (mostly near the base latency, now
// and then far above it), rsp_ready low for random stretches. Drawn from (seed, walk number), so
// a walk replays with the same stalls.
struct Backpressure {
  bool enabled = false;
  uint64_t seed = 1;
};

class Scoreboard {
 public:
  // The RTL's writes go into `mem` (the golden walk sees them in its next reads, as the RTL does).
  // `stim`: request-side noise and resets in the middle of walks (drawn from bp.seed and the walk
  // number); a walk cut by a reset is run again on the image as the cut left it (its A/D writes
  // stay, as in hardware) and compared in full.
  Scoreboard(RtlWalker& rtl, pt::PhysMem& mem, uint32_t latency, Inject inject = Inject::None,
             pt::WalkTiming timing = {}, Backpressure bp = {}, StimulusOptions stim = {});
  // Runs one walk on both sides; true when they agree.
  bool check(const pt::Roots& roots, const pt::WalkRequest& req);
  // Puts back what the last walk's writes changed (to replay it on the same image).
  void undo_last_walk();
  // The next check() counts as walk number `n` (its stalls and injections depend on it).
  void set_walk_number(uint64_t n) { walks_ = n; }

  const pt::WalkResult& golden() const { return golden_.result(); }
  const RtlResult& rtl_result() const { return rtl_res_; }
  // The contract: start + per reference (latency + step), plus every stall cycle the
  // interconnect imposed. Latencies and stalls are the ones this walk actually saw.
  uint64_t expected_cycles() const {
    return timing_.observed(golden().nrefs, rtl_res_.mem_cycles, rtl_res_.stall_cycles);
  }
  const std::string& first_difference() const { return diff_; }
  // Walk inputs, both results, both reference lists side by side, cycles.
  void report(std::ostream& os) const;
  uint64_t walks() const { return walks_; }
  uint64_t resets() const { return resets_; }  // walks cut by a reset so far

 private:
  class Server;
  std::string compare() const;

  RtlWalker& rtl_;
  pt::PhysMem& mem_;
  uint32_t latency_;
  Inject inject_;
  pt::WalkTiming timing_;
  Backpressure bp_;
  StimulusOptions stim_;
  std::vector<std::pair<uint64_t, uint64_t>> undo_;  // (address, old value) of this walk's writes
  pt::Walk golden_;
  pt::Roots roots_;
  pt::WalkRequest req_;
  RtlResult rtl_res_;
  std::string diff_;
  uint64_t walks_ = 0;
  uint64_t resets_ = 0;
  uint64_t cut_ = 0;  // the last walk's reset point, if it was cut
};

}  // namespace agilemmu::cosim
