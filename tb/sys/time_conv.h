// sc_time conversions without a library call per use, bit for bit what SystemC computes. The DRAM
// converts twice per access: sc_time(ns, SC_NS) looks up the simulation context's time resolution
// every time, and to_seconds() is out of line.
//   time(ns): with a resolution that divides 1 ns (1 fs .. 1 ns, powers of ten) the constructor's
//     scale factor is the integer number of ticks per ns, and this does its arithmetic inline
//     (SystemC's volatile there only guards against x87 extended precision; SSE2 doubles round
//     each operation, and nothing here is fused). A coarser resolution takes the constructor.
//   seconds(t): ticks * resolution in fs * 1e-15, as to_seconds() computes it; checked against
//     to_seconds() on construction over a spread of values, else to_seconds() is called.
#pragma once
#include <cstdint>
#include <systemc>

namespace agilemmu::sys {

class TimeConv {
 public:
  // Construct after elaboration has begun (the resolution is fixed by the first sc_time).
  TimeConv();
  sc_core::sc_time time(double ns) const {
    if (ticks_per_ns_ < 1) return sc_core::sc_time(ns, sc_core::SC_NS);
    const double tmp = ns * ticks_per_ns_ + 0.5;  // x86-64 SSE2: no extended precision, no FMA
    return sc_core::sc_time::from_value(static_cast<sc_core::sc_time::value_type>(static_cast<int64_t>(tmp)));
  }
  double seconds(const sc_core::sc_time& t) const {
    if (!inline_seconds_) return t.to_seconds();
    return t.to_double() * resolution_fs_ * 1e-15;
  }

 private:
  double ticks_per_ns_, resolution_fs_ = 0;
  bool inline_seconds_ = false;
};

}  // namespace agilemmu::sys
