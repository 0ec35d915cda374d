// sc_time(ns, SC_NS) without a library call per use. The constructor looks up the simulation
// context's time resolution every time (a DRAM access builds one per access). With a resolution
// that divides 1 ns (1 fs .. 1 ns, powers of ten), its scale factor is the integer number of
// ticks per ns, and this does the constructor's arithmetic inline, bit for bit (the same
// volatile rounding sc_time's own operator*= uses). A coarser resolution takes the constructor.
#pragma once
#include <cstdint>
#include <systemc>

namespace agilemmu::sys {

class NsToTime {
 public:
  // Call after elaboration has begun (the resolution is fixed by the first sc_time).
  NsToTime() : ticks_per_ns_(sc_core::sc_time(1, sc_core::SC_NS).to_double()) {}
  sc_core::sc_time operator()(double ns) const {
    if (ticks_per_ns_ < 1) return sc_core::sc_time(ns, sc_core::SC_NS);
    volatile double tmp = ns * ticks_per_ns_ + 0.5;
    return sc_core::sc_time::from_value(static_cast<sc_core::sc_time::value_type>(static_cast<int64_t>(tmp)));
  }

 private:
  double ticks_per_ns_;
};

}  // namespace agilemmu::sys
