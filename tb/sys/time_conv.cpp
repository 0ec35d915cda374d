#include "sys/time_conv.h"

namespace agilemmu::sys {

TimeConv::TimeConv() : ticks_per_ns_(sc_core::sc_time(1, sc_core::SC_NS).to_double()) {
  if (ticks_per_ns_ < 1) return;
  resolution_fs_ = 1e6 / ticks_per_ns_;  // exact for the powers of ten SystemC allows
  inline_seconds_ = true;
  uint64_t x = 1;
  for (int i = 0; i < 4096 && inline_seconds_; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const sc_core::sc_time t = sc_core::sc_time::from_value(x >> (x % 64));
    inline_seconds_ = seconds(t) == t.to_seconds();
  }
}

}  // namespace agilemmu::sys
