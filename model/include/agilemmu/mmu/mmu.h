// The MMU as a SystemC module: TLBs, walk caches and walkers between a CPU and memory.
//
//   cpu            target socket: gVA (guest) or hVA (host) requests with an MmuExtension
//   data           initiator: the translated access, address = hPA
//   compound_port  initiator: walk reads of compound, shadow, guest and native tables
//   nested_port    initiator: walk reads of the nested table
//
// The walk itself is pt::Walk (the one implementation of the semantics); this module adds the
// structures around it and the time each step takes. Timing `lt`: b_transport with temporal
// decoupling (the CPU's quantum keeper). Timing `at`: the base protocol with a PEQ and N
// walkers whose reads overlap in memory.
#pragma once
#include <array>
#include <deque>
#include <functional>
#include <map>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include <agilemmu/mmu/mmu_config.h>
#include <agilemmu/mmu/mmu_ext.h>
#include <agilemmu/mmu/mmu_stats.h>
#include <agilemmu/mmu/queues.h>
#include <agilemmu/mmu/tlb.h>
#include <agilemmu/mmu/walk_caches.h>
#include <agilemmu/pt/walk.h>

namespace agilemmu::mmu {

class Mmu : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Mmu> cpu;
  tlm_utils::simple_initiator_socket<Mmu> data;
  tlm_utils::simple_initiator_socket<Mmu> compound_port;
  tlm_utils::simple_initiator_socket<Mmu> nested_port;

  SC_HAS_PROCESS(Mmu);
  Mmu(sc_core::sc_module_name name, const MmuConfig& cfg, const pt::Format& fmt);

  // Root registers of one address space. Host (hVA) spaces use only hroot.
  void set_roots(const Context& c, const pt::Roots& r);

  // Invalidation, as the hypervisor and guest OS request it (x86 names in brackets). Each drops
  // every cached thing derived from what changed, in every TLB level and page size, and counts
  // itself in the statistics (invalidations_by_kind). A walk in flight across an invalidation
  // is walked again: what it read before may be stale.
  void invalidate_page(const Context& c, uint64_t va);                   // [INVLPG]: TLBs + PWC entries on va's path
  void invalidate_range(uint16_t vmid, uint64_t va, uint64_t bytes);     // every ASID of a VM
  void invalidate_range(const Context& c, uint64_t va, uint64_t bytes);  // one ASID [INVLPG]
  void invalidate_asid(uint16_t vmid, uint16_t asid);                    // [INVPCID single-context]
  void invalidate_vmid(uint16_t vmid);                                   // [INVVPID/INVEPT single-context]
  void invalidate_walk_caches(uint16_t vmid);                            // compound/shadow/guest structure changed
  void invalidate_nested(uint16_t vmid);  // nested table changed: nested TLB + nested PWC
  void invalidate_all();                  // [INVEPT/INVVPID all-context]
  // The tables changed in a way that needs no invalidation (a new mapping: nothing cached it).
  // Walks in flight check their result against the tables before they deliver it.
  void tables_changed();

  // Requests without an MmuExtension get cfg.default_context; a platform may map its own
  // side-band data (an initiator id, a stream id) to a context here.
  std::function<void(const tlm::tlm_generic_payload&, MmuExtension&)> context_hook;

  const MmuStats& stats() const { return st_; }
  const MmuConfig& config() const { return cfg_; }
  // The TLBs and walk caches, for their counters (their geometry is config()'s).
  const Tlb& l1i_tlb() const { return l1i_; }
  const Tlb& l1d_tlb() const { return l1d_; }
  const Tlb& l2_tlb() const { return l2_; }
  const WalkCacheSet& walk_caches() const { return caches_; }

  // Observable state for waveforms: walks in flight, the latest walker state, TLB hit. Written
  // only after trace_signals(true): a signal write per request would dominate the LT hot path.
  void trace_signals(bool on) { trace_signals_ = on; }
  // Several AT worker threads update them, even in one delta cycle: the last write shows.
  sc_core::sc_signal<uint32_t, sc_core::SC_UNCHECKED_WRITERS> outstanding_walks{"outstanding_walks"};
  sc_core::sc_signal<uint32_t, sc_core::SC_UNCHECKED_WRITERS> walker_state{"walker_state"};
  sc_core::sc_signal<bool, sc_core::SC_UNCHECKED_WRITERS> last_tlb_hit{"last_tlb_hit"};

 private:
  // Where a delivered translation came from (the coherence checker names it).
  enum class Source : uint8_t { L1Tlb, L2Tlb, Walk };
  struct Outcome {
    bool ok = false;
    bool tlb_hit = false;
    Source source = Source::Walk;
    bool merged = false;                    // waited for a walk of the same page in flight, then looked again
    pt::PageSize size = pt::PageSize::k4K;  // of the page that translated (ok only)
    uint64_t hpa = 0;
    pt::Fault fault;
    sc_core::sc_time end;  // simulated time the translation finished (now() + delay)
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
  // --- shared by both timing modes ---
  pt::Mode mode_for(const MmuExtension& x) const;
  // The walk a request asks for: its address, access, privilege and paging mode.
  pt::WalkRequest request_for(const MmuExtension& x, uint64_t va) const;
  // Inline: out of line, GCC returns the 6-byte Context packed through the stack (a byte store
  // read back by a wider load, which cannot forward), a stall on every request.
  Context context_of(const MmuExtension& x) const { return {x.asid, x.vmid, x.origin == Origin::Host}; }
  Tlb& l1_for(pt::Access a) { return cfg_.split_l1 && a == pt::Access::Fetch ? l1i_ : l1d_; }
  bool tlb_lookup(const Context& c, const MmuExtension& x, uint64_t va, Outcome& o, uint64_t& cycles);
  void tlb_fill(const Context& c, pt::Access a, uint64_t va, const pt::Translation& t);
  // A TLB entry serves the access: permissions allow it, and a write needs the entry dirty.
  static bool serves(const TlbEntry& e, const MmuExtension& x) {
    return pt::permits(e.perms, x.access, x.user) && (x.access != pt::Access::Write || e.dirty);
  }
  const pt::Roots& roots_of(const Context& c);

  // One translation (of the page holding `va`), both timing modes. `sync` (AT): time is spent with
  // wait() as it passes, so walks of different requests overlap; otherwise (LT) it accumulates in
  // `delay`.
  Outcome translate(const MmuExtension& x, uint64_t va, sc_core::sc_time& delay, bool sync);
  // A TLB miss: walks (or, AT, waits for a walk of the same page in flight). False when the
  // request must look in the TLBs again.
  bool walk_on_miss(const Context& c, const MmuExtension& x, uint64_t va, sc_core::sc_time& delay, bool sync,
                    Outcome& o);
  struct InFlight;
  // Runs the walk on walker `f` (its own walk state, payload and cache context); the result stays
  // in f.walk.
  const pt::WalkResult& run_walk(const Context& c, const pt::WalkRequest& req, InFlight& f, sc_core::sc_time& delay,
                                 bool sync);
  // One reference of a walk through the walker's own payload: a read returns the entry, a write
  // (the A/D update) stores ref.data.
  uint64_t access_pte(InFlight& f, const pt::MemRef& r, sc_core::sc_time& delay);
  // The value an A/D write stores: the walk's bits ORed into the entry as it is now.
  uint64_t locked_update(const pt::MemRef& r);
  // mmu.check: the delivered outcome against a fresh uncached walk of the tables as they are now
  // (debug reads through the walk ports, no A/D writes); a difference is an SC_REPORT_ERROR.
  void check(const Context& c, const MmuExtension& x, uint64_t va, const Outcome& o);
  bool debug_read(const pt::MemRef& r, uint64_t& v);  // false: the port's target has no transport_dbg
  // A functional walk (no time, no A/D writes) of the tables as they are now; nullptr when the
  // walk ports have no transport_dbg.
  const pt::WalkResult* fresh_walk(const Context& c, const pt::WalkRequest& req);
  // A walk that saw the tables change gives what a walk now would give.
  bool still_current(const Context& c, const pt::WalkRequest& req, const pt::WalkResult& r);
  void count_invalidation(InvalidationKind k) {
    ++st_.invalidations;
    ++st_.invalidations_by_kind[size_t(k)];
    ++epoch_;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
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
  // sc_time_stamp(), read inline from this module's simulation context (sc_time_stamp() is a
  // library call that looks the context up; an LT access asks three times).
  const sc_core::sc_time& now() const { return simcontext()->time_stamp(); }
  void elapse(sc_core::sc_time& delay, bool sync) {
    if (sync && delay != sc_core::SC_ZERO_TIME) {
      sc_core::wait(delay);
      delay = sc_core::SC_ZERO_TIME;
    }
  }
  void set_state(WalkerState s);

  // The request's MmuExtension, or `scratch` filled with the default context.
  MmuExtension* extension_of(tlm::tlm_generic_payload& t, MmuExtension& scratch) const;
  // Translates and performs one request (both sockets, both timing modes).
  void serve(tlm::tlm_generic_payload& t, MmuExtension& x, sc_core::sc_time& delay, bool sync);
  // --- lt ---
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  // A debugger's access: translated functionally (no TLB, no statistics, no A/D writes) and
  // forwarded to `data`. 0 bytes when the address does not translate.
  unsigned transport_dbg(tlm::tlm_generic_payload& t);
  // DMI through the MMU is refused: a granted pointer would bypass translation, permission
  // checks and statistics, and every invalidation would have to revoke it.
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi);

  // --- at ---
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time& d);
  void dispatch_method();
  struct Worker {
    sc_core::sc_event wake;
    MmuExtension scratch;  // the context of a request without an MmuExtension
  };
  void worker_thread(Worker* me);
  void wake_idle_workers();
  // One walker: everything a walk in progress owns, so walks whose memory accesses interleave
  // (AT, or a memory whose b_transport calls wait()) never share state.
  struct InFlight {
    InFlight(WalkCacheSet& set, const uint64_t& epoch) : caches(set, epoch) {
      pte.set_data_ptr(reinterpret_cast<unsigned char*>(&pte_data));
      pte.set_data_length(8);
      pte.set_streaming_width(8);
      pte.set_byte_enable_ptr(nullptr);
      pte.set_extension(&walk_access);
    }
    ~InFlight() { pte.clear_extension(&walk_access); }  // a member: the payload must not delete it
    bool active = false;
    Context ctx;
    uint64_t page = 0;  // pt::page_number(va)
    sc_core::sc_event done;
    pt::Walk walk;  // reused: no per-walk construction of the result and its reference list
    ContextCaches caches;
    tlm::tlm_generic_payload pte;
    uint64_t pte_data = 0;
    WalkAccess walk_access;
  };

  MmuConfig cfg_;
  pt::Format fmt_;
  sc_core::sc_time clk_;
  // clk_ * n, as sc_time computes it, for the last n asked: accesses and walk steps mostly spend
  // the same number of cycles as the one before.
  const sc_core::sc_time& cycles_time(uint64_t n) {
    if (n != last_cycles_) {
      last_cycles_ = n;
      last_cycles_time_ = clk_ * double(n);
    }
    return last_cycles_time_;
  }
  uint64_t last_cycles_ = 0;
  sc_core::sc_time last_cycles_time_;  // clk_ * 0
  Tlb l1i_, l1d_, l2_;
  WalkCacheSet caches_;
  // The walk consults the walk caches only when one is enabled: disabled ones always miss, count
  // nothing and cost no cycles, so skipping them gives the same walk.
  pt::WalkCaches* walk_caches_ = nullptr;
  // Cycles per consultation of the PWC, nested TLB and nested PWC (0 when disabled).
  uint64_t pwc_cost_ = 0, ntlb_cost_ = 0, npwc_cost_ = 0;
  std::map<uint32_t, pt::Roots> roots_;  // key: host bit | vmid | asid
  MmuStats st_;
  uint64_t epoch_ = 0;  // invalidations so far: a walk that saw it move is walked again
  NsOf translate_ns_of_, data_ns_of_, translate_exposed_ns_of_;
  sc_core::sc_time translating_until_;  // end of the latest translation (translate_exposed_ns)
  pt::Walk probe_;                      // mmu.check's fresh walk
  // DMI for data, per the data target's grant (one region at a time); dmi_read_/dmi_write_: the
  // grant is valid and allows that access.
  tlm::tlm_dmi dmi_;
  bool dmi_read_ = false, dmi_write_ = false;

  PeqWithGet<tlm::tlm_generic_payload> req_peq_{"req_peq"};
  Fifo<tlm::tlm_generic_payload*> pending_;
  // Idle workers wait on their own event, so a request wakes one worker instead of every idle
  // one (each of which would take a thread switch only to find the queue empty again).
  std::deque<Worker> workers_;  // deque: events do not move
  std::vector<Worker*> idle_;
  sc_core::sc_event walker_free_, end_resp_event_;
  std::deque<InFlight> inflight_;  // one per walker (deque: events do not move)
  unsigned busy_walkers_ = 0;
  unsigned waiters_ = 0;           // requests waiting for a walk in flight or for a free walker
  bool resp_busy_ = false;         // a BEGIN_RESP is waiting for its END_RESP (TLM_ACCEPTED, not yet ended)
  sc_core::sc_time resp_free_at_;  // the last response ended at this time (its END_RESP's annotation)
  bool trace_signals_ = false;
  sc_core::sc_time busy_since_;
};

}  // namespace agilemmu::mmu
