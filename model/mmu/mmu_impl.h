// Private to the Mmu: its state and the access path (TLB lookup, a miss handed to the walker
// pool, the data access), with the parts it is built from.
#pragma once
#include <agilemmu/mmu/mmu.h>

#include "at_front_end.h"
#include "coherence_check.h"
#include "observer.h"
#include "roots.h"
#include "timebase.h"
#include "walker_pool.h"

namespace agilemmu::mmu {

class Mmu::Impl {
 public:
  Impl(Mmu& mmu, const MmuConfig& config, const pt::Format& format);

  // Translates and performs one request (both sockets, both timing modes). `sync` (AT): time is
  // spent with wait() as it passes, so walks of different requests overlap; otherwise (LT) it
  // accumulates in `delay`.
  void serve(tlm::tlm_generic_payload& t, MmuExtension& x, sc_core::sc_time& delay, bool sync);
  // AT: the request's extension (or `scratch`) when serve() would answer it without anything
  // that can wait: a TLB hit within one 4 KiB page whose data the DMI grant serves. nullptr
  // otherwise; either way nothing is counted or touched.
  MmuExtension* answerable_at_once(tlm::tlm_generic_payload& t, MmuExtension& scratch);
  // The request's MmuExtension, or `scratch` filled with the default context.
  MmuExtension* extension_of(tlm::tlm_generic_payload& t, MmuExtension& scratch) const;
  // The walk a request asks for: its address, access, privilege and paging mode.
  pt::WalkRequest request_for(const MmuExtension& x, uint64_t va) const {
    pt::WalkRequest req;
    req.va = va;
    req.access = x.access;
    req.user = x.user;
    req.sum = x.sum;
    req.mode = x.origin == Origin::Host ? pt::Mode::Native : cfg.mode;  // FIG. 8 block 102
    return req;
  }
  // Inline: out of line, GCC returns the 6-byte Context packed through the stack (a byte store
  // read back by a wider load, which cannot forward), a stall on every request.
  static Context context_of(const MmuExtension& x) { return {x.asid, x.vmid, x.origin == Origin::Host}; }
  void count_invalidation(InvalidationKind k) {
    ++st.invalidations;
    ++st.invalidations_by_kind[size_t(k)];
    ++epoch;
  }
  void dmi_invalidated(sc_dt::uint64 start, sc_dt::uint64 end) {
    // The data target revoked DMI for [start, end]: stop using a grant that overlaps it.
    if (start <= dmi_.get_end_address() && end >= dmi_.get_start_address()) dmi_read_ = dmi_write_ = false;
    ++st.dmi_invalidations;
  }

  Mmu& m;
  const MmuConfig cfg;
  const pt::Format fmt;
  Clock clock;
  Tlb l1i, l1d, l2;
  WalkCacheSet caches;
  RootTable roots;
  MmuStats st;
  uint64_t epoch = 0;  // invalidations and table changes so far: a walk that saw it move is checked
  Observer obs;
  TableProbe tables;
  WalkerPool walkers;
  AtFrontEnd at;

 private:
  // Configures the TLBs and walk caches (the walker pool reads which are on) for the pool.
  WalkerPool::Shared configured();
  // One translation (of the page holding `va`), both timing modes.
  Outcome translate(const MmuExtension& x, uint64_t va, sc_core::sc_time& delay, bool sync);
  bool tlb_lookup(const Context& c, const MmuExtension& x, uint64_t va, Outcome& o, uint64_t& cycles);
  void tlb_fill(const Context& c, pt::Access a, uint64_t va, const pt::Translation& t);
  Tlb& l1_for(pt::Access a) { return cfg.split_l1 && a == pt::Access::Fetch ? l1i : l1d; }
  // A TLB entry serves the access: permissions allow it, and a write needs the entry dirty.
  bool serves(const TlbEntry& e, const MmuExtension& x) const {
    return pt::permits(fmt, e.perms, x.access, x.user, x.sum) && (x.access != pt::Access::Write || e.dirty);
  }
  // A TLB miss: a walk by the pool (or, AT, a wait for a walk of the same page in flight). False
  // when the request must look in the TLBs again.
  bool walk_on_miss(const Context& c, const MmuExtension& x, uint64_t va, sc_core::sc_time& delay, bool sync,
                    Outcome& o);
  // The data access at `hpa`, through the data target's DMI grant when it serves the request
  // exactly (range, read/write permission, no byte enables, no streaming), else b_transport.
  // `start`: the simulated time it starts at (the translation's end).
  void access_data(tlm::tlm_generic_payload& t, uint64_t hpa, sc_core::sc_time& delay, const sc_core::sc_time& start);
  bool dmi_serves(const tlm::tlm_generic_payload& t, uint64_t hpa) const {
    return (t.is_read() ? dmi_read_ : t.is_write() && dmi_write_) && !t.get_byte_enable_ptr() &&
           t.get_streaming_width() >= t.get_data_length() && hpa >= dmi_.get_start_address() &&
           hpa + (t.get_data_length() - 1) <= dmi_.get_end_address();
  }
  // An access that crosses into the next page: each page translated (and checked), then the bytes
  // of each page moved to its own host frame; nothing moves when either page faults.
  void serve_crossing(tlm::tlm_generic_payload& t, MmuExtension& x, const Outcome& first, sc_core::sc_time& delay,
                      bool sync);
  const sc_core::sc_time& now() const { return now_of(m); }

  NsOf translate_ns_of_, data_ns_of_, translate_exposed_ns_of_;
  sc_core::sc_time translating_until_;  // end of the latest translation (translate_exposed_ns)
  // DMI for data, per the data target's grant (one region at a time); dmi_read_/dmi_write_: the
  // grant is valid and allows that access.
  tlm::tlm_dmi dmi_;
  bool dmi_read_ = false, dmi_write_ = false;
};

}  // namespace agilemmu::mmu
