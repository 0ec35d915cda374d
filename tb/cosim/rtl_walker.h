// The Verilated RTL walker behind a small C++ interface: one call runs one walk, clocking the
// model cycle by cycle and serving its memory port (reads and A/D writes) through a MemServer,
// which also decides latencies and backpressure.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include <agilemmu/pt/walk.h>

#include "cosim/stimulus.h"

namespace agilemmu::cosim {

// Handshakes that can stall, and the walker states as its ports show them (walker.sv's state_e
// order: req_ready <=> S_IDLE; mem_req_valid <=> S_FIRST_DIM_READ, S_NESTED_READ (nested port) or
// S_WRITE; a reference outstanding <=> the matching *_WAIT; rsp_valid <=> S_DONE or S_FAULT).
enum class Stall : uint8_t { Request, MemRequest, MemResponse, Result };
enum class PortState : uint8_t {
  Idle,
  FirstDimRead,
  FirstDimWait,
  NestedRead,
  NestedWait,
  Done,
  Fault,
  Write,
  WriteWait
};
constexpr size_t kStalls = 4, kPortStates = 9;

// What the RTL returned for one walk (WalkResult fields, the references it made, its cycles).
struct RtlResult {
  pt::WalkResult r;      // ok, tr, fault, switch_level; refs/nrefs/nwrites up to kMaxRefs
                         // (a write's `old` is what the MemServer reported, 0 if unknown)
  unsigned nrefs = 0;    // all references made (may exceed kMaxRefs on a runaway walk)
  unsigned nwrites = 0;  // of which writes
  uint64_t cycles = 0;   // request handshake edge -> result handshake edge
  // What the cycle contract adds up: the memory latency of every reference as served, and the
  // cycles a request waited for mem_req_ready plus those the result waited for rsp_ready.
  // cycles == start_cycles + nrefs * step_cycles + mem_cycles + stall_cycles for a walker that
  // keeps the contract.
  uint64_t mem_cycles = 0;
  uint64_t stall_cycles = 0;
  // For coverage: cycles each handshake stalled (request: req_valid while req_ready is low;
  // memory response: a reference outstanding whose response does not come at the next edge), by
  // the state the ports showed.
  std::array<std::array<uint32_t, kPortStates>, kStalls> stalls{};
  bool hung = false;     // no result (no progress for a while, or a runaway walk)
  bool reset = false;    // cut by the Stimulus's reset (no result; the walker was idle after it)
  std::string protocol;  // first handshake rule the RTL broke (empty: none)
  // An assertion bound to the RTL (rtl/sva) failed: Verilator printed it ("%Error: ...sva.sv:N:
  // Assertion failed ..."); here the cycle it failed in.
  std::string assertion;
};

// Serves the RTL's memory port and plays the interconnect around it. Test-only bug injection
// mutates what the RTL sees here.
class MemServer {
 public:
  virtual ~MemServer() = default;
  // Value returned for the `index`-th reference (0-based) of the current walk, a read.
  virtual uint64_t read(const pt::MemRef& ref, unsigned index) = 0;
  // The `index`-th reference is a write of ref.data: perform it; returns the entry's value
  // before the write where the server knows it (recorded as the reference's `old`), else 0.
  virtual uint64_t write(const pt::MemRef& ref, unsigned index) = 0;
  // Memory latency of the `index`-th reference in cycles (>= 1); `base` is run()'s latency.
  virtual uint32_t latency(unsigned /*index*/, uint32_t base) { return base; }
  // Cycles added on top that the cycle contract does not account for (bug injection only).
  virtual uint32_t extra_latency(unsigned /*index*/) { return 0; }
  // Backpressure, asked once per cycle: may a request be accepted at the next edge; may the
  // result be taken at the next edge.
  virtual bool req_ready() { return true; }
  virtual bool rsp_ready() { return true; }
  // What the RTL's mem_req_ready input shows when req_ready() said `ready` (bug injection only:
  // a walker that ignores mem_req_ready behaves as if it saw it high).
  virtual bool ready_seen_by_rtl(bool ready) { return ready; }
  // Asked once per cycle while the walk runs: raise req_valid (the walk's own request, unchanged)
  // although the walker is busy; a walker must not take it (req_ready is low until S_IDLE).
  virtual bool request_while_busy() { return false; }
};

// A MemServer straight onto a PhysMem: no latency of its own, no backpressure (benchmarks and
// plain drivers).
class PhysMemServer final : public MemServer {
 public:
  explicit PhysMemServer(pt::PhysMem& m) : m_(m) {}
  uint64_t read(const pt::MemRef& ref, unsigned) override { return m_.read64(ref.addr); }
  uint64_t write(const pt::MemRef& ref, unsigned) override {
    const uint64_t old = m_.read64(ref.addr);
    m_.write64(ref.addr, ref.data);
    return old;
  }

 private:
  pt::PhysMem& m_;
};

enum class TraceFormat : uint8_t { Vcd, Fst };

class RtlWalker {
 public:
  virtual ~RtlWalker() = default;
  // The Verilated builds: the parameter sets named in rtl/walker_configs.txt ("l4", "l5", "mix",
  // ...). Throws on any other name. `trace` picks the build traced in that format (open_trace
  // writes it).
  // `random_init` != 0: every register starts from a random value seeded with it (the builds use
  // --x-initial unique); 0: zeros.
  static std::unique_ptr<RtlWalker> create(const std::string& config, TraceFormat trace = TraceFormat::Vcd,
                                           uint64_t random_init = 0);
  static std::unique_ptr<RtlWalker> create(unsigned levels);  // 4: "l4", 5: "l5"
  // The pt::Format the RTL's Verilog parameters implement.
  virtual const pt::Format& format() const = 0;
  // Runs one walk; `latency` >= 1 cycles from memory request acceptance to response (the
  // MemServer may vary it per reference). Checks the handshake rules on the way: a memory
  // request is held unchanged until accepted, one is outstanding at a time, the result is held
  // until taken. With a Stimulus, the request inputs and roots carry its noise in every cycle but
  // the handshake, and its reset cuts the walk (RtlResult::reset).
  virtual RtlResult run(const pt::Roots& roots, const pt::WalkRequest& req, MemServer& mem, uint32_t latency,
                        Stimulus* stim = nullptr) = 0;
  // Waveform (VCD or FST, per create()) of everything simulated until close_trace.
  virtual void open_trace(const std::string& path) = 0;
  virtual void close_trace() = 0;
  virtual uint64_t total_cycles() const = 0;
  // Verilator code coverage of everything this instance simulated (coverage.dat format); throws
  // std::invalid_argument unless built with --coverage (agilemmu-cosim-cov).
  virtual void write_code_coverage(const std::string& path) = 0;
};

}  // namespace agilemmu::cosim
