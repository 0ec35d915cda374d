// Private to the Mmu: what the waveform shows of it and the FSM state counters, updated by the
// front end and the walkers alike.
#pragma once
#include <agilemmu/mmu/mmu.h>

namespace agilemmu::mmu {

struct Observer {
  Mmu& m;
  MmuStats& st;
  // The signals are written only when on (a signal write per request would dominate LT).
  bool on = false;

  void state(WalkerState s) {
    ++st.state_visits[size_t(s)];
    if (on) m.walker_state.write(static_cast<uint32_t>(s));
  }
  void outstanding(unsigned walks) {
    if (on) m.outstanding_walks.write(walks);
  }
  void tlb_hit(bool hit) {
    if (on) m.last_tlb_hit.write(hit);
  }
};

}  // namespace agilemmu::mmu
