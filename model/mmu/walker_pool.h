// Private to the Mmu: the walkers. Each walker slot owns everything a walk in progress needs (its
// pt::Walk, its payload and walk-access extension, its view of the walk caches), so walks whose
// memory accesses interleave (AT, or a memory whose b_transport calls wait()) never share state.
// The pool coalesces misses to one page, runs the walk loop (timing each step, restarting a walk
// the tables changed under), performs the references through the walk ports and makes the A/D
// updates locked read-modify-writes. In `at`, a walk whose ports serve nb_transport_fw runs as a
// state machine (a method per walker) advanced by the answers; otherwise the asking thread makes
// each reference with b_transport.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <systemc>
#include <tlm>

#include <agilemmu/mmu/mmu_config.h>
#include <agilemmu/mmu/mmu_ext.h>
#include <agilemmu/mmu/mmu_stats.h>
#include <agilemmu/mmu/walk_caches.h>
#include <agilemmu/pt/walk.h>

#include "coherence_check.h"
#include "observer.h"
#include "roots.h"
#include "timebase.h"

namespace agilemmu::mmu {

struct Walker {
  Walker(WalkCacheSet& set, const uint64_t& epoch) : caches(set, epoch) {
    pte.set_data_ptr(reinterpret_cast<unsigned char*>(&pte_data));
    pte.set_data_length(8);
    pte.set_streaming_width(8);
    pte.set_byte_enable_ptr(nullptr);
    pte.set_extension(&walk_access);
  }
  ~Walker() { pte.clear_extension(&walk_access); }  // a member: the payload must not delete it
  Walker(const Walker&) = delete;
  Walker& operator=(const Walker&) = delete;
  bool active = false;
  Context ctx;
  uint64_t page = 0;  // pt::page_number(va)
  sc_core::sc_event done;
  pt::Walk walk;  // reused: no per-walk construction of the result and its reference list
  ContextCaches caches;
  tlm::tlm_generic_payload pte;
  uint64_t pte_data = 0;
  WalkAccess walk_access;
  // The event-driven walk (WalkerPool::advance, a method per walker): the step it is at, the
  // cycles of cache consultations charged so far and those still to spend, and its events.
  enum class Step : uint8_t { Issue, Feed } step = Step::Issue;
  uint64_t charged = 0;
  uint64_t cycles = 0;
  sc_core::sc_event kick, response, finished;
};

class WalkerPool {
 public:
  // What the walkers share with the rest of the Mmu.
  struct Shared {
    const sc_core::sc_object& owner;  // names reports, gives the simulation context
    const MmuConfig& cfg;
    const pt::Format& fmt;
    Clock& clock;
    const RootTable& roots;
    WalkCacheSet& caches;
    const uint64_t& epoch;  // invalidations and table changes so far
    MmuStats& st;
    Observer& obs;
    TableProbe& tables;
    tlm::tlm_initiator_socket<>& compound_port;
    tlm::tlm_initiator_socket<>& nested_port;
  };
  explicit WalkerPool(const Shared& s);

  // A free walker for a TLB miss of `va` in `c`, waiting for one when all are busy (only callers
  // whose time passes with wait() can find them so). nullptr: `sync` and a walk of the same 4 KiB
  // page was in flight; it has finished, and the caller looks in the TLBs again (whatever page
  // size it found, a larger page it filled serves there too).
  Walker* claim(const Context& c, uint64_t va, uint32_t tag, bool sync);
  // Walks on `w` until the result holds for the tables as they are now: a walk that saw them
  // change (an invalidation, new roots, new mappings) and whose result no longer holds is walked
  // again. The result stays in w.walk until release().
  const pt::WalkResult& walk(Walker& w, const Context& c, const pt::WalkRequest& req, sc_core::sc_time& delay,
                             bool sync);
  // Frees `w` and wakes the requests waiting for it or for any walker.
  void release(Walker& w);
  // The walk ports' backward path (END_REQ, BEGIN_RESP of an event-driven walk's reference).
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time& d);

 private:
  // One walk on `f` (its own walk state, payload and cache context).
  const pt::WalkResult& run(Walker& f, const Context& c, const pt::WalkRequest& req, sc_core::sc_time& delay,
                            bool sync);
  // One reference of a walk through the walker's own payload: a read returns the entry, a write
  // (the A/D update) stores ref.data.
  uint64_t access_pte(Walker& w, const pt::MemRef& r, sc_core::sc_time& delay);
  // The value an A/D write stores: the walk's bits ORed into the entry as it is now.
  uint64_t locked_update(const pt::MemRef& r);
  // Sets up the walker's payload for `r` (the A/D write's value read and merged now).
  void prepare(Walker& w, const pt::MemRef& r);
  // The entry a reference returned (0 and a warning on an error response), counted.
  uint64_t answer(Walker& w, const pt::MemRef& r);
  // Cycles of the cache consultations the walk made since they were last charged.
  uint64_t fresh_lookups(Walker& f) const;
  // Whether a walk of `req` may run event-driven: `at`, and every port it can use serves
  // nb_transport_fw (WalkAccess::nb_transport, learnt from the ports' answers).
  bool event_driven(const pt::WalkRequest& req) const;
  // The walker's method: issues each reference with nb_transport_fw and feeds each answer, waiting
  // for the walk's cycles and the memory's time with next_trigger(); notifies `finished`.
  void advance(Walker& f);
  tlm::tlm_initiator_socket<>& port(pt::Port p) { return p == pt::Port::Compound ? s_.compound_port : s_.nested_port; }
  const sc_core::sc_time& now() const { return now_of(s_.owner); }

  Shared s_;
  // The walk consults the walk caches only when one is enabled: disabled ones always miss, count
  // nothing and cost no cycles, so skipping them gives the same walk.
  bool use_caches_ = false;
  // Cycles per consultation of the PWC, nested TLB and nested PWC (0 when disabled).
  uint64_t pwc_cost_ = 0, ntlb_cost_ = 0, npwc_cost_ = 0;
  std::deque<Walker> walkers_;  // deque: events do not move
  unsigned busy_ = 0;
  unsigned waiters_ = 0;  // requests waiting for a walk in flight or for a free walker
  sc_core::sc_event walker_free_;
  std::array<bool, 2> nb_port_{};  // by pt::Port: the port's target said it serves nb_transport_fw
  // By pt::Port: the walker whose BEGIN_REQ is still open there (TLM_ACCEPTED, no END_REQ yet);
  // another waits for port_free_ (base protocol: one request phase at a time per socket).
  std::array<Walker*, 2> open_request_{};
  std::array<sc_core::sc_event, 2> port_free_;
};

}  // namespace agilemmu::mmu
