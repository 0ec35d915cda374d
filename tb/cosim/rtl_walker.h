// The Verilated RTL walker behind a small C++ interface: one call runs one walk, clocking the
// model cycle by cycle and serving its memory port with a fixed latency.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include <agilemmu/pt/walk.h>

namespace agilemmu::cosim {

// What the RTL returned for one walk (WalkResult fields, the references it made, its cycles).
struct RtlResult {
  pt::WalkResult r;          // ok, tr, fault, switch_level; refs/nrefs up to kMaxRefs
  unsigned nrefs = 0;        // all references made (may exceed kMaxRefs on a runaway walk)
  uint64_t cycles = 0;       // request handshake edge -> result handshake edge
  bool hung = false;         // no result within the cycle budget
};

// Serves the RTL's memory reads. Test-only bug injection mutates what the RTL sees here.
class MemServer {
 public:
  virtual ~MemServer() = default;
  // Value returned for the `index`-th reference (0-based) of the current walk.
  virtual uint64_t read(const pt::MemRef& ref, unsigned index) = 0;
  // Cycles added to the configured latency for this reference (bug injection only).
  virtual uint32_t extra_latency(unsigned /*index*/) { return 0; }
};

enum class TraceFormat : uint8_t { Vcd, Fst };

class RtlWalker {
 public:
  virtual ~RtlWalker() = default;
  // Verilated builds (rtl/CMakeLists.txt): "l4" (4/4 levels, MAXPHYADDR 52, selector 52),
  // "l5" (5/5 levels, MAXPHYADDR 46, selector 55), "mix" (4 guest / 5 nested levels,
  // MAXPHYADDR 40, selector 9, NX disabled). Throws on anything else.
  // `trace` picks the build traced in that format (open_trace writes it).
  static std::unique_ptr<RtlWalker> create(const std::string& config, TraceFormat trace = TraceFormat::Vcd);
  static std::unique_ptr<RtlWalker> create(unsigned levels);  // 4: "l4", 5: "l5"
  // The pt::Format the RTL's Verilog parameters implement.
  virtual const pt::Format& format() const = 0;
  // Runs one walk; latency >= 1 cycles from memory request acceptance to response.
  virtual RtlResult run(const pt::Roots& roots, const pt::WalkRequest& req, MemServer& mem, uint32_t latency) = 0;
  // Waveform (VCD or FST, per create()) of everything simulated until close_trace.
  virtual void open_trace(const std::string& path) = 0;
  virtual void close_trace() = 0;
  virtual uint64_t total_cycles() const = 0;
};

}  // namespace agilemmu::cosim
