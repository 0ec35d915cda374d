// Runs one walk on the RTL and, in lock step, on the golden pt::Walk; compares everything the
// walk produces (result, fault, switch level, ordered references, cycles).
#pragma once
#include <cstdint>
#include <ostream>
#include <string>

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
};
bool parse_inject(const std::string& s, Inject& out);
const char* to_string(Inject k);

class Scoreboard {
 public:
  Scoreboard(RtlWalker& rtl, const pt::PhysMem& mem, uint32_t latency, Inject inject = Inject::None,
             pt::WalkTiming timing = {});
  // Runs one walk on both sides; true when they agree.
  bool check(const pt::Roots& roots, const pt::WalkRequest& req);

  const pt::WalkResult& golden() const { return golden_.result(); }
  const RtlResult& rtl_result() const { return rtl_res_; }
  uint64_t expected_cycles() const { return timing_.uncached(golden().nrefs, latency_); }
  const std::string& first_difference() const { return diff_; }
  // Walk inputs, both results, both reference lists side by side, cycles.
  void report(std::ostream& os) const;
  uint64_t walks() const { return walks_; }

 private:
  class Server;
  std::string compare() const;

  RtlWalker& rtl_;
  const pt::PhysMem& mem_;
  uint32_t latency_;
  Inject inject_;
  pt::WalkTiming timing_;
  pt::Walk golden_;
  pt::Roots roots_;
  pt::WalkRequest req_;
  RtlResult rtl_res_;
  std::string diff_;
  uint64_t walks_ = 0;
};

}  // namespace agilemmu::cosim
