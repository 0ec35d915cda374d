// Private to the Mmu: simulated time as its parts spend it.
#pragma once
#include <cstdint>
#include <systemc>

namespace agilemmu::mmu {

// The MMU clock. cycles(n) is clk * n, as sc_time computes it, for the last n asked: accesses and
// walk steps mostly spend the same number of cycles as the one before.
class Clock {
 public:
  explicit Clock(double ns) : period_(ns, sc_core::SC_NS) {}
  const sc_core::sc_time& period() const { return period_; }
  const sc_core::sc_time& cycles(uint64_t n) {
    if (n != last_n_) {
      last_n_ = n;
      last_ = period_ * double(n);
    }
    return last_;
  }

 private:
  sc_core::sc_time period_;
  uint64_t last_n_ = 0;
  sc_core::sc_time last_;  // period_ * 0
};

// sc_time -> ns as to_seconds() * 1e9 gives it, keeping the last conversion: on a TLB-hit
// stream every translation (and every data access) takes the same time.
struct NsOf {
  sc_core::sc_time last;  // zero, whose conversion is 0.0
  double ns = 0;
  double operator()(const sc_core::sc_time& t) {
    if (t != last) {
      last = t;
      ns = t.to_seconds() * 1e9;
    }
    return ns;
  }
};

// `sync` (AT, or a caller whose time passes with wait()): spend the accumulated delay now, so
// walks of different requests overlap; otherwise (LT) it keeps accumulating in `delay`.
inline void elapse(sc_core::sc_time& delay, bool sync) {
  if (sync && delay != sc_core::SC_ZERO_TIME) {
    sc_core::wait(delay);
    delay = sc_core::SC_ZERO_TIME;
  }
}

// sc_time_stamp(), read inline from the simulation context (sc_time_stamp() is a library call
// that looks the context up; an LT access asks three times).
inline const sc_core::sc_time& now_of(const sc_core::sc_object& o) { return o.simcontext()->time_stamp(); }

}  // namespace agilemmu::mmu
